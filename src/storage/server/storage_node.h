#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kv/kv.h"
#include "rpc/options.h"
#include "runtime/runtime.h"
#include "storage/chain/replicator.h"

namespace chainfs::storage {

struct StorageNodeOptions {
  NodeId node;
  Address listen;
  // The address others reach it at; empty: the address it listens on.
  std::string advertise;
  std::vector<Address> mgmtd;
  std::string secret;
  Nanos heartbeat_interval{1'000'000'000};
  // How often it looks for a syncing successor to sync, and for pending versions left behind.
  Nanos sync_check_interval{200'000'000};
  // How long after a heartbeat the cluster manager took it may go on serving: less than the
  // manager's failure timeout (default 5 s), by a margin for the routing change to spread.
  Nanos serve_lease{4'000'000'000};
  // The scrubber re-reads committed chunks, verifying every block, at most this many bytes per
  // second over all targets, a tenth of it every 100 ms; 0 turns it off.
  uint64_t scrub_bytes_per_second = 16ull << 20;
  // A target's scrub pass begins no sooner than this after its last one began (ScrubSchedule).
  Nanos scrub_interval{std::chrono::hours(24)};
  // The blocks of removed chunks go back to the disk at most this many bytes per second over
  // all targets, a tenth of it every 100 ms (ChunkEngine::PunchFreed).
  uint64_t punch_bytes_per_second = 256ull << 20;
  // A removed chunk's slot is punched only after it has been free this long: writes that follow
  // a deletion take its slots as they are (no TRIM, no new blocks), and the TRIMs of a large
  // deletion, which hold up every sync on a file system mounted with discard, come after its
  // burst instead of inside it.
  Nanos punch_delay{60'000'000'000};
  // A target that left its chain because it could not store an update (a full disk) rejoins,
  // to be synced back, once its disk has this much free (Replicator::RejoinWhenRoom).
  uint64_t rejoin_free_bytes = 1ull << 30;
  // Chunk writes stop (ENOSPC for the writer) while a target's disk has less than this free,
  // which the RocksDB stores on it keep for their logs (ChunkEngine). Below rejoin_free_bytes.
  uint64_t reserve_bytes = 256ull << 20;
  rpc::RpcOptions rpc;
};

// One target as the node opens it: its blob directory and its metadata store (RocksDB on a
// real server; in the simulation a memory store that outlives the node, like its disk).
struct TargetSpec {
  TargetId id;
  std::string blob_dir;
  kv::Engine* store = nullptr;
  // The size of the file system the target is on (0: unknown), reported to the manager.
  uint64_t capacity_bytes = 0;
  uint64_t fs_id = 0;  // which file system that is (0: unknown)
};

// A storage server on one runtime: its targets, the RPC server answering StorageService, a
// heartbeat to the cluster manager, a routing follower, and a loop that syncs successors.
// Stop() ends everything; parked coroutines keep what they use alive.
class StorageNode {
 public:
  // Opens every target (kIoError naming a directory that cannot be used) and starts.
  static Task<Result<std::unique_ptr<StorageNode>>> Start(Runtime& rt, StorageNodeOptions options,
                                                          std::vector<TargetSpec> targets);
  ~StorageNode();
  StorageNode(const StorageNode&) = delete;
  StorageNode& operator=(const StorageNode&) = delete;

  void Stop();
  // After Stop: returns once the routing follower's loop has ended (it calls the cluster
  // manager through this node's connections, so it must not outlive them).
  Task<void> Join();
  Address address() const;
  Replicator& replicator();

  struct State;

 private:
  explicit StorageNode(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace chainfs::storage
