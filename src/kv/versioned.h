#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "kv/kv.h"

namespace chainfs::kv {

using Version = uint64_t;

// [begin, end) in byte order.
struct KeyRange {
  std::string begin;
  std::string end;
  bool Contains(std::string_view key) const { return begin <= key && key < end; }
  bool Intersects(const KeyRange& o) const { return begin < o.end && o.begin < end; }
};

// The smallest key after `key`: ranges of one key are [key, KeyAfter(key)).
inline std::string KeyAfter(std::string_view key) {
  std::string k(key);
  k.push_back('\0');
  return k;
}

struct Mutation {
  enum class Kind : uint8_t { kSet, kClear, kClearRange, kAdd, kMax };
  Kind kind = Kind::kSet;
  std::string key;
  std::string param;  // the value (kSet), the range end (kClearRange), or the operand
};

// Applies an atomic operand to a current value (absent = 0).
std::string ApplyAtomic(Mutation::Kind kind, const std::optional<std::string>& current,
                        const std::string& operand);

// Committed data as of one version. Reads are synchronous; the store decides how they reach
// memory or disk. Thread-compatible: one user at a time.
class StoreSnapshot {
 public:
  virtual ~StoreSnapshot() = default;
  virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
  // Up to `limit` pairs (0 = all) of begin <= key < end, in order or reverse.
  virtual Result<std::vector<KeyValue>> Scan(std::string_view begin, std::string_view end,
                                             size_t limit, bool reverse) = 0;
};

// Writes committed after a version, to decide conflicts: a transaction that read something
// written after it began cannot commit. Keeps history back to the oldest running transaction.
class ConflictHistory {
 public:
  bool Conflicts(Version read_version, const std::vector<KeyRange>& reads) const;
  void Record(Version version, std::vector<KeyRange> writes);
  // Forgets writes no running transaction can conflict with: those at or before the oldest
  // running transaction's read version.
  void Forget(Version oldest_read_version);
  size_t size() const { return history_.size(); }

 private:
  std::deque<std::pair<Version, std::vector<KeyRange>>> history_;
};

class VersionedTransaction;

// An Engine made of a conflict history and a store that keeps versions (mem) or snapshots
// (RocksDB). Commits are decided and applied one at a time, in version order.
class VersionedEngine : public Engine {
 public:
  std::unique_ptr<Transaction> Begin() override;

 protected:
  // A snapshot of everything committed so far; called with the commit lock held.
  virtual std::unique_ptr<StoreSnapshot> TakeSnapshot(Version version) = 0;
  // Makes `mutations` durable as `version`; called with the commit lock held, in order.
  virtual Status Apply(const std::vector<Mutation>& mutations, Version version) = 0;
  // Versions below `oldest` are no longer read by anyone.
  virtual void ForgetBefore(Version oldest) { (void)oldest; }
  // Version to start from (the last committed one, for stores that persist it).
  void set_committed_version(Version v) { committed_ = v; }

 private:
  friend class VersionedTransaction;
  struct Commit {
    Version read_version;
    std::vector<KeyRange> reads;
    std::vector<KeyRange> writes;
    std::vector<Mutation> mutations;
  };
  Status CommitLocked(Commit& c);
  Status DoCommit(Commit c);
  void EndTransaction(Version read_version);

  std::mutex mu_;
  Version committed_ = 0;
  ConflictHistory history_;
  std::multiset<Version> running_;
  Version forgotten_ = 0;  // what was last forgotten, so the work is done once per version
};

}  // namespace chainfs::kv
