#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>

#include "kv/versioned.h"

namespace chainfs::kv {

// An in-memory engine for tests and the simulation: every key keeps the versions that running
// transactions may still read. Nothing is durable. Thread-safe.
class MemEngine : public VersionedEngine {
 public:
  MemEngine();
  ~MemEngine() override;
  std::string_view name() const override { return "mem"; }
  // Versions kept across all keys (for tests of garbage collection).
  size_t versions_kept() const;
  // Commits that asked for a sync (nothing here is synced; tests check who asks).
  uint64_t durable_commits() const { return durable_commits_.load(); }

 protected:
  Task<Status> CommitMutations(Commit c) override;
  std::unique_ptr<StoreSnapshot> TakeSnapshot(Version version) override;
  Status Apply(const std::vector<Mutation>& mutations, Version version) override;
  void ForgetBefore(Version oldest) override;

 private:
  class Snapshot;
  struct Data;
  std::shared_ptr<Data> data_;
  std::atomic<uint64_t> durable_commits_{0};
};

}  // namespace chainfs::kv
