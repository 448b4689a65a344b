#pragma once

#include <vector>

#include "mgmtd/mgmtd_service.h"
#include "rpc/client.h"

namespace chainfs::mgmtd {

// Calls whichever cluster manager is primary: on kUnavailable (a standby, or no answer) it
// tries the next address, once round the list. Belongs to the pool's thread.
class MgmtdClient {
 public:
  MgmtdClient(rpc::ClientPool& pool, std::vector<Address> addresses);

  Task<Result<HeartbeatRsp>> Heartbeat(HeartbeatReq req);
  // The call's deadline allows for the wait the request asks for.
  Task<Result<RoutingRsp>> WatchRouting(WatchRoutingReq req);
  Task<Result<RoutingRsp>> CreateChains(CreateChainsReq req);
  Task<Result<RoutingRsp>> AddTarget(AddTargetReq req);
  Task<Result<RoutingRsp>> RemoveTarget(RemoveTargetReq req);

 private:
  template <typename Rsp, typename Req>
  Task<Result<Rsp>> Call(uint16_t method, Req req, Nanos timeout);

  rpc::ClientPool& pool_;
  std::vector<Address> addresses_;
  size_t current_ = 0;
};

}  // namespace chainfs::mgmtd
