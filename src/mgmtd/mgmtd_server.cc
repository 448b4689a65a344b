#include "mgmtd/mgmtd_server.h"

#include <fmt/format.h>

#include "common/logging.h"
#include "mgmtd/mgmtd.h"
#include "rpc/server.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::mgmtd {

void MgmtdServerConfig::Bind(ConfigBinder& b) {
  b.String("mgmtd.listen", &listen);
  b.String("mgmtd.advertise", &advertise, {}, /*may_be_empty=*/true);
  b.Int("mgmtd.id", &id, 1, int64_t{1} << 40);
  b.Int("mgmtd.lease_ms", &lease_ms, 100, 600'000);
  b.Int("mgmtd.renew_ms", &renew_ms, 10, 600'000);
  b.Int("mgmtd.heartbeat_timeout_ms", &heartbeat_timeout_ms, 100, 3'600'000);
  b.String("cluster.secret", &secret, {}, /*may_be_empty=*/true);
  kv.Bind(b);
  rpc.Bind(b);
}

Status MgmtdServerConfig::Validate() const {
  if (secret.empty()) {
    return InvalidArgument("cluster.secret is not set: every process of a cluster needs it");
  }
  Result<Address> a = Address::Parse(listen);
  if (!a.ok()) return InvalidArgument(fmt::format("mgmtd.listen: {}", a.status().message()));
  if (!advertise.empty() && !Address::Parse(advertise).ok()) {
    return InvalidArgument(fmt::format("mgmtd.advertise: '{}' is not host:port", advertise));
  }
  if (renew_ms * 2 > lease_ms) {
    return InvalidArgument(fmt::format(
        "mgmtd.renew_ms ({}) must be at most half of mgmtd.lease_ms ({})", renew_ms, lease_ms));
  }
  return Status();
}

struct MgmtdServer::State {
  std::unique_ptr<kv::Engine> engine;
  RealRuntime rt{1};
  std::unique_ptr<Mgmtd> mgmtd;
  std::unique_ptr<rpc::Server> server;
  Address address;
  bool stopped = false;
};

namespace {

Task<Status> StartOnWorker(MgmtdServer::State* s, const MgmtdServerConfig* config) {
  Runtime& rt = s->rt.worker(0);
  CO_ASSIGN_OR_RETURN(Address listen, Address::Parse(config->listen));
  s->server = std::make_unique<rpc::Server>(rt, config->rpc, config->secret);
  CO_RETURN_IF_ERROR(s->server->Start(listen));
  s->address = s->server->address();
  MgmtdOptions options;
  options.lease = Nanos(config->lease_ms * 1'000'000);
  options.renew = Nanos(config->renew_ms * 1'000'000);
  options.heartbeat_timeout = Nanos(config->heartbeat_timeout_ms * 1'000'000);
  std::string advertise = config->advertise.empty() ? s->address.ToString() : config->advertise;
  s->mgmtd = std::make_unique<Mgmtd>(rt, *s->engine, static_cast<uint64_t>(config->id), advertise,
                                     options);
  MgmtdService::Register(s->server->dispatcher(), *s->mgmtd);
  s->mgmtd->Start();
  co_return Status();
}

Task<Status> StopOnWorker(MgmtdServer::State* s) {
  if (s->server) s->server->Stop();
  if (s->mgmtd) {
    s->mgmtd->Stop();
    // Long enough for the lease loop to give the lease up.
    co_await s->rt.worker(0).clock().Sleep(Nanos(100'000'000));
  }
  co_return Status();
}

}  // namespace

MgmtdServer::MgmtdServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

MgmtdServer::~MgmtdServer() { Stop(); }

Result<std::unique_ptr<MgmtdServer>> MgmtdServer::Start(const MgmtdServerConfig& config) {
  RETURN_IF_ERROR(config.Validate());
  auto state = std::make_unique<State>();
  ASSIGN_OR_RETURN(state->engine, kv::OpenEngine(config.kv));
  State* s = state.get();
  std::unique_ptr<MgmtdServer> server(new MgmtdServer(std::move(state)));
  RETURN_IF_ERROR(s->rt.RunSync(0, StartOnWorker(s, &config)));
  LOG_INFO("cluster manager {} on {} over {}", config.id, s->address.ToString(), s->engine->name());
  return server;
}

Address MgmtdServer::address() const { return state_->address; }

void MgmtdServer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  (void)state_->rt.RunSync(0, StopOnWorker(state_.get()));
  state_->rt.Stop();
}

}  // namespace chainfs::mgmtd
