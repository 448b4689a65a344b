#include "mgmtd/mgmtd_client.h"

namespace chainfs::mgmtd {
namespace {

bool TryAnother(StatusCode code) {
  return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded;
}

}  // namespace

MgmtdClient::MgmtdClient(rpc::ClientPool& pool, std::vector<Address> addresses)
    : pool_(pool), addresses_(std::move(addresses)) {}

template <typename Rsp, typename Req>
Task<Result<Rsp>> MgmtdClient::Call(uint16_t method, Req req, Nanos timeout) {
  if (addresses_.empty()) co_return InvalidArgument("no cluster manager address configured");
  Status last;
  for (size_t tries = 0; tries < addresses_.size(); ++tries) {
    size_t at = current_ % addresses_.size();
    rpc::CallOptions options;
    options.timeout = timeout;
    rpc::Channel channel{&pool_, addresses_[at]};
    Result<Rsp> rsp =
        co_await rpc::CallTyped<Rsp>(channel, MgmtdService::kServiceId, method, req, options);
    if (rsp.ok() || !TryAnother(rsp.status().code())) co_return rsp;
    last = rsp.status();
    current_ = at + 1;
  }
  co_return last;
}

Task<Result<HeartbeatRsp>> MgmtdClient::Heartbeat(HeartbeatReq req) {
  co_return co_await Call<HeartbeatRsp>(1, std::move(req), Nanos(0));
}

Task<Result<RoutingRsp>> MgmtdClient::WatchRouting(WatchRoutingReq req) {
  Nanos timeout(int64_t{req.wait_ms} * 1'000'000 + 5'000'000'000);
  co_return co_await Call<RoutingRsp>(2, std::move(req), timeout);
}

Task<Result<RoutingRsp>> MgmtdClient::CreateChains(CreateChainsReq req) {
  co_return co_await Call<RoutingRsp>(3, std::move(req), Nanos(0));
}

Task<Result<RoutingRsp>> MgmtdClient::AddTarget(AddTargetReq req) {
  co_return co_await Call<RoutingRsp>(4, std::move(req), Nanos(0));
}

Task<Result<RoutingRsp>> MgmtdClient::RemoveTarget(RemoveTargetReq req) {
  co_return co_await Call<RoutingRsp>(5, std::move(req), Nanos(0));
}

}  // namespace chainfs::mgmtd
