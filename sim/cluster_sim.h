#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/clock.h"

namespace chainfs::sim {

struct SimConfig {
  int storage_nodes = 3;
  int targets_per_node = 2;
  int replicas = 3;
  int clients = 3;
  // Chunks the clients write and read, spread over the chains.
  int chunks = 6;
  // How long clients run while faults are injected (virtual time).
  Nanos workload{40'000'000'000};
  // How long the cluster may take to settle once faults stop.
  Nanos settle_limit{300'000'000'000};
  bool faults = true;
};

struct SimOutcome {
  std::vector<std::string> failures;  // empty: every check passed
  size_t acked_writes = 0;
  size_t failed_writes = 0;
  size_t reads = 0;
  size_t faults = 0;
  bool ok() const { return failures.empty(); }
};

// The storage layer's proof (DESIGN.md section 9): a cluster manager, storage servers and
// clients in one deterministic simulation. Clients write and read chunks while storage
// processes crash and restart (losing what they had not synced), messages are lost and
// delayed, the network partitions and disks fail. Then faults stop, the chains settle, and the
// checks run: no acknowledged write lost, no read older than a write acknowledged before it,
// and every replica of every chunk holding the same versions and bytes. The same seed replays
// the same run exactly.
SimConfig ConfigForSeed(uint64_t seed);
SimOutcome RunClusterSim(uint64_t seed, const SimConfig& config);

}  // namespace chainfs::sim
