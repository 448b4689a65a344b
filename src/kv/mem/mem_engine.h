#pragma once

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

 protected:
  std::unique_ptr<StoreSnapshot> TakeSnapshot(Version version) override;
  Status Apply(const std::vector<Mutation>& mutations, Version version) override;
  void ForgetBefore(Version oldest) override;

 private:
  class Snapshot;
  struct Data;
  std::shared_ptr<Data> data_;
};

}  // namespace chainfs::kv
