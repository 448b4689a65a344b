#pragma once

#include <memory>
#include <string>

#include "kv/kv.h"
#include "mgmtd/mgmtd_service.h"
#include "runtime/runtime.h"

namespace chainfs::mgmtd {

struct MgmtdOptions {
  Nanos lease{10'000'000'000};
  Nanos renew{2'000'000'000};
  // A node silent this long is failed.
  Nanos heartbeat_timeout{5'000'000'000};
  // How often silence is checked for.
  Nanos check_interval{500'000'000};
};

// The cluster manager. Any number run over one KV store; the one holding the lease is
// primary and answers, the others answer kUnavailable naming the primary. The primary keeps the
// cluster state in memory and saves every change before anyone can see it; each save re-checks
// the lease in its transaction, so a primary that lost the lease changes nothing. Belongs to the
// thread of `rt`. Stop() before destroying it; coroutines still parked then keep what they use
// alive and return.
class Mgmtd : public MgmtdService::Handler {
 public:
  Mgmtd(Runtime& rt, kv::Engine& store, uint64_t id, std::string address, MgmtdOptions options);
  ~Mgmtd() override;

  // Starts the lease and failure-detection loops.
  void Start();
  // Stops, giving up the lease so a standby takes over at once.
  void Stop();
  // Stops as a crash would: the lease stays until it runs out.
  void Abandon();
  bool primary() const;
  // The current routing info (empty on a standby).
  RoutingInfo routing() const;

  Task<Result<HeartbeatRsp>> Heartbeat(HeartbeatReq req, rpc::CallContext& ctx) override;
  Task<Result<RoutingRsp>> WatchRouting(WatchRoutingReq req, rpc::CallContext& ctx) override;
  Task<Result<RoutingRsp>> CreateChains(CreateChainsReq req, rpc::CallContext& ctx) override;
  Task<Result<RoutingRsp>> AddTarget(AddTargetReq req, rpc::CallContext& ctx) override;
  Task<Result<RoutingRsp>> RemoveTarget(RemoveTargetReq req, rpc::CallContext& ctx) override;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace chainfs::mgmtd
