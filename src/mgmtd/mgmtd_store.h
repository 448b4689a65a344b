#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kv/kv.h"
#include "mgmtd/routing.h"
#include "runtime/runtime.h"

namespace chainfs::mgmtd {

// Who is primary, until when (wall-clock nanoseconds: several processes compare it).
struct LeaseRecord {
  uint64_t holder = 0;
  std::string address;
  int64_t expires_wall_ns = 0;
  CHAINFS_MESSAGE(LeaseRecord, holder, address, expires_wall_ns)
};

// The cluster manager's keys in its KV store: the lease ("MLEA") and the routing snapshot
// ("MRTG": nodes, targets, chains and chain tables as one value, written atomically). Every
// write re-reads the lease in its own transaction, so an old primary that lost the lease cannot
// change anything: its transaction either sees another holder or conflicts with the one that
// took the lease.
class MgmtdStore {
 public:
  MgmtdStore(kv::Engine& engine, Runtime& rt, uint64_t id, std::string address);

  // Takes the lease if it is free, expired or ours, for `lease` from now. Returns whether
  // this process holds it.
  Task<Result<bool>> AcquireLease(Nanos lease);
  // Gives the lease up if this process holds it (a clean shutdown).
  Task<Status> ReleaseLease();
  Task<Result<std::optional<LeaseRecord>>> CurrentLease();
  // The saved routing, or an empty one (version 0) for a new cluster.
  Task<Result<RoutingInfo>> Load();
  // kUnavailable ("not primary") when this process no longer holds the lease.
  Task<Status> Save(const RoutingInfo& routing);

  uint64_t id() const { return id_; }

 private:
  class AcquireBody;
  class SaveBody;
  kv::Engine& engine_;
  Runtime& rt_;
  uint64_t id_;
  std::string address_;
};

}  // namespace chainfs::mgmtd
