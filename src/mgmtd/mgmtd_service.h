#pragma once

#include "mgmtd/mgmtd_messages.h"
#include "rpc/service.h"

// The cluster manager's service. Method ids are wire format: never reuse or renumber them.
#define CHAINFS_MGMTD_METHODS(M)                                                      \
  M(1, Heartbeat, ::chainfs::mgmtd::HeartbeatReq, ::chainfs::mgmtd::HeartbeatRsp)     \
  M(2, WatchRouting, ::chainfs::mgmtd::WatchRoutingReq, ::chainfs::mgmtd::RoutingRsp) \
  M(3, CreateChains, ::chainfs::mgmtd::CreateChainsReq, ::chainfs::mgmtd::RoutingRsp) \
  M(4, AddTarget, ::chainfs::mgmtd::AddTargetReq, ::chainfs::mgmtd::RoutingRsp)       \
  M(5, RemoveTarget, ::chainfs::mgmtd::RemoveTargetReq, ::chainfs::mgmtd::RoutingRsp)

namespace chainfs::mgmtd {
CHAINFS_SERVICE(MgmtdService, 30, CHAINFS_MGMTD_METHODS)
}  // namespace chainfs::mgmtd
