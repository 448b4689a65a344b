#pragma once

#include <memory>
#include <string>

#include "common/ids.h"
#include "runtime/keyed_locks.h"
#include "storage/chunk/chunk_engine.h"

namespace chainfs::storage {

// One target this server hosts: its chunks, and a lock per chunk that orders the updates of a
// chunk through this replica (held from storing an update until the successor acknowledges it).
struct LocalTarget {
  TargetId id;
  std::unique_ptr<ChunkEngine> engine;
  KeyedLocks<ChunkId> locks;
  // The chain version at which its predecessor declared a sync complete; the target reports
  // itself up to date while the chain still has that version.
  uint64_t synced_chain_version = 0;
  // Its disk failed: it serves nothing and reports itself offline until the server restarts.
  bool failed = false;
  // It could not store an update that the rest of its chain has (its disk was full, say): it
  // serves nothing and reports itself offline until its chain has dropped it and its disk has
  // room, then rejoins the chain to be synced back (Replicator::RejoinWhenRoom).
  bool missed_update = false;
  // Whether it serves nothing and reports itself offline.
  bool out() const { return failed || missed_update; }
  // What took it out, for the operator (`chainfs status`).
  std::string out_reason;
  uint64_t capacity_bytes = 0;
  uint64_t fs_id = 0;
};

}  // namespace chainfs::storage
