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
  enum class Kind : uint8_t { kSet, kClear, kClearRange, kAdd, kMax, kAdvance };
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
  // Get of several keys, values in the same order; stores batch them where they can.
  virtual Result<std::vector<std::optional<std::string>>> GetMany(
      const std::vector<std::string_view>& keys);
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
// (RocksDB). Commits are decided one at a time, in version order; the store applies them in
// that order and publishes each version once its writes are visible.
class VersionedEngine : public Engine {
 public:
  std::unique_ptr<Transaction> Begin() override;

 protected:
  struct Commit {
    Version read_version = 0;
    std::vector<KeyRange> reads;
    std::vector<KeyRange> writes;
    std::vector<Mutation> mutations;
    bool durable = true;  // false: Transaction::RelaxDurability()
  };

  // A snapshot of everything published so far; called with mutex() held.
  virtual std::unique_ptr<StoreSnapshot> TakeSnapshot(Version version) = 0;
  // Decides, applies and publishes one commit. The default applies it with Apply() under the
  // lock, for stores whose writes are cheap.
  virtual Task<Status> CommitMutations(Commit c);
  virtual Status Apply(const std::vector<Mutation>& mutations, Version version);
  // Versions below `oldest` are no longer read by anyone; called with mutex() held.
  virtual void ForgetBefore(Version oldest) { (void)oldest; }

  // For stores that apply commits elsewhere. With mutex() held: kConflict, or the commit's
  // version (recorded in the history, so later commits conflict with it from now on).
  Result<Version> DecideLocked(Commit& c);
  // Makes versions up to `v` visible to transactions that begin from now on.
  void Publish(Version v);
  std::mutex& mutex() { return mu_; }

 private:
  friend class VersionedTransaction;
  void EndTransaction(Version read_version);

  std::mutex mu_;
  Version assigned_ = 0;   // the last version given to a commit
  Version committed_ = 0;  // the last version visible to new transactions
  ConflictHistory history_;
  std::multiset<Version> running_;
  Version forgotten_ = 0;  // what was last forgotten, so the work is done once per version
};

}  // namespace chainfs::kv
