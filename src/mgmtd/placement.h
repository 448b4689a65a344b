#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "common/result.h"

// Where chains go: which targets form each chain (DESIGN.md section 5).
namespace chainfs::mgmtd {

struct PlacementTarget {
  TargetId target;
  NodeId node;
};

struct PlacementOptions {
  uint32_t replicas = 3;
  // Chains each target should be in; the chain count is targets * this / replicas.
  uint32_t chains_per_target = 1;
};

// Builds chains of `replicas` targets on distinct nodes, deterministically (the same input
// gives the same chains on every run and machine), balanced three ways: every target is in
// about the same number of chains, every node too, and every pair of nodes shares about the
// same number of chains, so that when a node fails its chains' load spreads evenly over the
// others. Greedy: each chain takes, one replica at a time, the node that has shared fewest
// chains with the replicas already taken, then the least loaded, then the lowest id; on that
// node, its least used target. kInvalidArgument when there are fewer nodes than replicas or
// no targets, and for duplicate target ids.
Result<std::vector<std::vector<TargetId>>> PlaceChains(const std::vector<PlacementTarget>& targets,
                                                       PlacementOptions options);

}  // namespace chainfs::mgmtd
