#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "common/ids.h"
#include "rpc/wire/serde.h"

// How a chain's targets change state (DESIGN.md section 5). The cluster manager applies
// NextChain whenever a heartbeat reports new local states; nothing else changes a chain's
// order or states.
namespace chainfs::mgmtd {

// What the cluster manager publishes for a target, in the order a chain lists them.
enum class PublicState : uint8_t {
  kServing = 1,  // reads and writes
  kLastServing,  // down, and was the last serving replica: holds the newest data
  kSyncing,      // writes only, catching up from its predecessor
  kWaiting,      // alive, not yet syncing
  kOffline,
};

// What a storage server reports for its target.
enum class LocalState : uint8_t {
  kUpToDate = 1,  // finished syncing (or never behind)
  kOnline,        // running, data may be stale
  kOffline,       // not running, or its disk failed
};

const char* Name(PublicState s);
const char* Name(LocalState s);

struct ChainTarget {
  TargetId target;
  PublicState state = PublicState::kOffline;
  CHAINFS_MESSAGE(ChainTarget, target, state)
};

struct Chain {
  ChainId id;
  uint64_t version = 0;
  std::vector<ChainTarget> targets;  // serving first; the first serving target is the head
  CHAINFS_MESSAGE(Chain, id, version, targets)
};

// The chain after its targets report `local` (targets missing from it count as offline):
//  - a serving target that went offline goes OFFLINE, except that when no target serves any
//    more, the first of them becomes LASTSRV (the newest data is there); an existing LASTSRV
//    stays until it comes back, and then serves again;
//  - a syncing target that reports up-to-date serves; one that went offline goes OFFLINE;
//  - an offline target that came back waits; at most one target syncs at a time, and only
//    while some target serves to sync from;
//  - targets are ordered SERVING, LASTSRV, SYNCING, WAITING, OFFLINE, keeping their relative
//    order within each state, so a failed target moves to the tail;
//  - any change to the order or a state bumps the version.
// A pure function, tested over every combination of states for chains of 1 to 3 targets.
Chain NextChain(const Chain& chain, const std::map<TargetId, LocalState>& local);

}  // namespace chainfs::mgmtd
