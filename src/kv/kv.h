#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "runtime/task.h"

namespace chainfs::kv {

struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};

struct RangeOptions {
  // At most this many pairs; 0 means no limit.
  size_t limit = 0;
  // Largest keys first.
  bool reverse = false;
  // Adds no read conflict (a snapshot read).
  bool snapshot = false;
};

// One transaction with FoundationDB's semantics: serializable, with reads at a fixed snapshot
// and read-your-writes. A transaction fails to commit (kConflict) exactly when a key or range it
// read without `snapshot` was written by another transaction that committed after it began.
// Writes alone never conflict; atomic adds never conflict with each other.
//
// Not thread-safe: one coroutine at a time. Reads may be issued after writes; writes are
// buffered until Commit(). A transaction is used once: after Commit() it must be destroyed.
//
// Errors: reads return kUnavailable or kIoError when the store fails. Commit() returns
// kConflict (retry the whole transaction), kCommitUnknown (it may or may not have committed;
// retry only if the transaction is idempotent), or kIoError / kUnavailable.
class Transaction {
 public:
  virtual ~Transaction() = default;

  virtual Task<Result<std::optional<std::string>>> Get(std::string key) = 0;
  virtual Task<Result<std::optional<std::string>>> SnapshotGet(std::string key) = 0;
  // Get of several keys (each with a read conflict), values in the same order. Engines that
  // pay a round trip per read send them together.
  virtual Task<Result<std::vector<std::optional<std::string>>>> GetMany(
      std::vector<std::string> keys);
  // SnapshotGet of several keys, values in the same order; engines batch them where they can.
  virtual Task<Result<std::vector<std::optional<std::string>>>> SnapshotGetMany(
      std::vector<std::string> keys);
  // Pairs with begin <= key < end, in key order (or reverse).
  virtual Task<Result<std::vector<KeyValue>>> GetRange(std::string begin, std::string end,
                                                       RangeOptions options) = 0;

  virtual void Set(std::string_view key, std::string_view value) = 0;
  virtual void Clear(std::string_view key) = 0;
  // Clears begin <= key < end.
  virtual void ClearRange(std::string_view begin, std::string_view end) = 0;
  // Adds `delta` to the value read as a little-endian signed 64-bit integer (missing = 0),
  // without reading it: no read conflict.
  virtual void AtomicAdd(std::string_view key, int64_t delta) = 0;
  // Stores max(current, value) for little-endian unsigned 64-bit integers, without a read.
  virtual void AtomicMax(std::string_view key, uint64_t value) = 0;
  // Stores max(current + 1, value), without a read: a stamp that every call moves, to at
  // least `value`, even when a concurrent transaction stored a larger one first.
  virtual void AtomicAdvance(std::string_view key, uint64_t value) = 0;

  // This transaction's changes may skip the sync of the commit: they survive the process
  // being killed, but a failure of the machine (or of the PostgreSQL server) before the next
  // durable commit may lose them. Every later durable commit makes them durable too, and a
  // machine failure loses a suffix of them, never one without those before it. Call before
  // Commit().
  virtual void RelaxDurability() {}

  virtual Task<Status> Commit() = 0;
};

// A transactional store. Thread-safe.
class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::unique_ptr<Transaction> Begin() = 0;
  // A transaction that will only read: it never conflicts and must not write (Commit() then
  // fails with kInternal). Engines where readers can make writers fail (PostgreSQL's
  // predicate locks) run it outside conflict detection, on its snapshot alone.
  virtual std::unique_ptr<Transaction> BeginReadOnly();
  // "mem", "rocksdb", "postgres".
  virtual std::string_view name() const = 0;
};

// Encodes an integer as the 8 little-endian bytes atomic operations use.
std::string EncodeInt64(int64_t v);
// Decodes such a value; kCorruption if it is not 8 bytes.
Result<int64_t> DecodeInt64(std::string_view bytes);

}  // namespace chainfs::kv
