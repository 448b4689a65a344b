#include "cli/admin_commands.h"

#include <fmt/format.h>

#include "cli/config_loading.h"
#include "mgmtd/mgmtd_client.h"
#include "runtime/address_list.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::cli {
namespace {

// What a tool needs to reach the cluster.
struct ClusterConfig {
  std::string mgmtd = "127.0.0.1:9000";
  std::string secret;
  rpc::RpcOptions rpc;
  void Bind(ConfigBinder& b) {
    b.String("cluster.mgmtd", &mgmtd);
    b.String("cluster.secret", &secret, {}, /*may_be_empty=*/true);
    rpc.Bind(b);
  }
};

// `arg` and `arg2` are the command's numbers (replicas; chain and target ids).
using AdminCall = Task<Result<mgmtd::RoutingRsp>> (*)(mgmtd::MgmtdClient* client, uint64_t arg,
                                                      uint64_t arg2);

Task<Result<mgmtd::RoutingRsp>> CreateChains(mgmtd::MgmtdClient* client, uint64_t replicas,
                                             uint64_t) {
  mgmtd::CreateChainsReq req;
  req.replicas = static_cast<uint32_t>(replicas);
  co_return co_await client->CreateChains(std::move(req));
}

Task<Result<mgmtd::RoutingRsp>> AddTarget(mgmtd::MgmtdClient* client, uint64_t chain,
                                          uint64_t target) {
  mgmtd::AddTargetReq req;
  req.chain = ChainId(chain);
  req.target = TargetId(target);
  co_return co_await client->AddTarget(std::move(req));
}

Task<Result<mgmtd::RoutingRsp>> RemoveTarget(mgmtd::MgmtdClient* client, uint64_t target,
                                             uint64_t) {
  mgmtd::RemoveTargetReq req;
  req.target = TargetId(target);
  co_return co_await client->RemoveTarget(std::move(req));
}

Task<Result<mgmtd::RoutingRsp>> CurrentRouting(mgmtd::MgmtdClient* client, uint64_t, uint64_t) {
  mgmtd::WatchRoutingReq req;
  req.known_version = 0;
  req.wait_ms = 0;
  co_return co_await client->WatchRouting(std::move(req));
}

Task<Result<mgmtd::RoutingRsp>> CallAndClose(rpc::ClientPool* pool, mgmtd::MgmtdClient* client,
                                             AdminCall call, uint64_t arg, uint64_t arg2) {
  Result<mgmtd::RoutingRsp> rsp = co_await call(client, arg, arg2);
  pool->CloseAll();
  co_return rsp;
}

// Runs `call` against the primary cluster manager and prints the routing it answers with.
int WithMgmtd(const char* name, const std::string& config_path,
              const std::vector<std::string>& overrides, AdminCall call, uint64_t arg,
              uint64_t arg2 = 0) {
  ClusterConfig config;
  Status st = LoadConfig(config_path, overrides, config);
  Result<std::vector<Address>> addresses = ParseAddressList("cluster.mgmtd", config.mgmtd);
  if (st.ok()) st = addresses.status();
  if (st.ok() && config.secret.empty()) st = InvalidArgument("cluster.secret is not set");
  if (!st.ok()) {
    fmt::print(stderr, "chainfs {}: {}\n", name, st.message());
    return 2;
  }
  RealRuntime rt(1);
  rpc::ClientPool pool(rt.worker(0), config.rpc, config.secret, "admin");
  mgmtd::MgmtdClient client(pool, *addresses);
  Result<mgmtd::RoutingRsp> rsp = rt.RunSync(0, CallAndClose(&pool, &client, call, arg, arg2));
  if (!rsp.ok()) {
    fmt::print(stderr, "chainfs {}: {}\n", name, rsp.status().ToString());
    return 1;
  }
  fmt::print("{}", mgmtd::FormatRouting(rsp->routing));
  return 0;
}

}  // namespace

int RunCreateChains(const std::string& config_path, const std::vector<std::string>& overrides,
                    int replicas) {
  return WithMgmtd("chains create", config_path, overrides, &CreateChains,
                   static_cast<uint64_t>(replicas));
}

int RunAddTarget(const std::string& config_path, const std::vector<std::string>& overrides,
                 uint64_t chain, uint64_t target) {
  return WithMgmtd("chains add-target", config_path, overrides, &AddTarget, chain, target);
}

int RunRemoveTarget(const std::string& config_path, const std::vector<std::string>& overrides,
                    uint64_t target) {
  return WithMgmtd("chains remove-target", config_path, overrides, &RemoveTarget, target);
}

int RunStatus(const std::string& config_path, const std::vector<std::string>& overrides) {
  return WithMgmtd("status", config_path, overrides, &CurrentRouting, 0);
}

}  // namespace chainfs::cli
