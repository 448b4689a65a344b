#pragma once

#include <map>

#include "kv/versioned.h"

namespace chainfs::kv {

// A transaction over a VersionedEngine: reads from a snapshot taken at Begin, overlays its own
// buffered writes (read-your-writes), records the ranges it read for the conflict check, and
// hands its mutations to the engine at Commit.
class VersionedTransaction : public Transaction {
 public:
  VersionedTransaction(VersionedEngine& engine, Version read_version,
                       std::unique_ptr<StoreSnapshot> snapshot);
  ~VersionedTransaction() override;

  Task<Result<std::optional<std::string>>> Get(std::string key) override;
  Task<Result<std::optional<std::string>>> SnapshotGet(std::string key) override;
  Task<Result<std::vector<std::optional<std::string>>>> GetMany(
      std::vector<std::string> keys) override;
  Task<Result<std::vector<std::optional<std::string>>>> SnapshotGetMany(
      std::vector<std::string> keys) override;
  Task<Result<std::vector<KeyValue>>> GetRange(std::string begin, std::string end,
                                               RangeOptions options) override;
  void Set(std::string_view key, std::string_view value) override;
  void Clear(std::string_view key) override;
  void ClearRange(std::string_view begin, std::string_view end) override;
  void AtomicAdd(std::string_view key, int64_t delta) override;
  void AtomicMax(std::string_view key, uint64_t value) override;
  void AtomicAdvance(std::string_view key, uint64_t value) override;
  void RelaxDurability() override { durable_ = false; }
  Task<Status> Commit() override;

 private:
  // What this transaction did to one key, as seen by its own reads.
  struct Local {
    bool from_scratch = false;         // set or cleared: the stored value no longer shows through
    std::optional<std::string> value;  // the value after from_scratch (none = cleared)
    std::vector<Mutation> atomics;     // applied over the base, in order
  };

  Result<std::optional<std::string>> Read(const std::string& key, bool snapshot);
  // Read of several keys, those the store must answer asked of it together.
  Result<std::vector<std::optional<std::string>>> ReadMany(const std::vector<std::string>& keys,
                                                           bool snapshot);
  Result<std::optional<std::string>> Resolve(const std::string& key, const Local* local);
  // Whether the store's value of `key` shows through this transaction's own changes.
  bool ShowsStored(const std::string& key, const Local* local) const;
  // The value this transaction sees: `stored` (none when it does not show through) under its
  // own changes.
  static std::optional<std::string> Overlaid(const Local* local, std::optional<std::string> stored);
  bool Cleared(std::string_view key) const;
  using LocalMap = std::map<std::string, Local, std::less<>>;
  using LocalIt = LocalMap::iterator;
  Result<std::vector<KeyValue>> Scan(const std::string& begin, const std::string& end,
                                     RangeOptions options);
  // Scan's answer where this transaction's own keys [first, last) or cleared ranges meet the
  // stored pairs.
  Result<std::vector<KeyValue>> Merge(const std::string& begin, const std::string& end,
                                      RangeOptions options, LocalIt first, LocalIt last);
  void AddAtomic(Mutation::Kind kind, std::string_view key, std::string operand);
  void AddWrite(KeyRange range);

  VersionedEngine& engine_;
  Version read_version_;
  std::unique_ptr<StoreSnapshot> snapshot_;
  LocalMap local_;
  std::vector<KeyRange> cleared_;
  std::vector<KeyRange> reads_;
  std::vector<KeyRange> writes_;
  std::vector<Mutation> mutations_;
  bool committed_ = false;
  bool durable_ = true;
};

}  // namespace chainfs::kv
