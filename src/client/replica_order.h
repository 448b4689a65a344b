#pragma once

#include <map>
#include <vector>

#include "common/ids.h"
#include "mgmtd/chain_state.h"

namespace chainfs::client {

// Reads in flight per target, as one client counts them.
using ReplicaLoad = std::map<TargetId, int>;

// A replica must have this many fewer reads in flight than a chunk's own to be read instead.
inline constexpr int kBusySlack = 4;

// The serving replicas of `chain` in the order to read `chunk` from. Each chunk has a replica
// of its own (by a hash of its id; `attempt` moves it on), so each replica's page cache holds
// a share of the data rather than all of it, and reads of many chunks still spread over every
// replica; only when another replica has kBusySlack fewer reads in flight does it go first.
std::vector<TargetId> ReplicaOrder(const mgmtd::Chain& chain, ChunkId chunk, int attempt,
                                   const ReplicaLoad& load);

}  // namespace chainfs::client
