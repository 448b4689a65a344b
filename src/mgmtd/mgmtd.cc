#include "mgmtd/mgmtd.h"

#include <fmt/format.h>

#include <optional>

#include "common/logging.h"
#include "mgmtd/cluster_state.h"
#include "mgmtd/mgmtd_store.h"
#include "runtime/keyed_locks.h"
#include "runtime/notifier.h"

namespace chainfs::mgmtd {

struct Mgmtd::State {
  State(Runtime& r, kv::Engine& engine, uint64_t id, std::string address, MgmtdOptions o)
      : rt(r), store(engine, r, id, std::move(address)), options(o), changed(r.clock()) {}

  Runtime& rt;
  MgmtdStore store;
  MgmtdOptions options;
  bool stopping = false;
  bool release_on_stop = true;
  // Set while primary: the cluster state, and when the lease runs out (monotonic clock).
  std::optional<ClusterState> cluster;
  Nanos lease_until{0};
  // Serializes changes: each is saved before the next starts from it.
  KeyedLocks<int> change_lock;
  Notifier changed;
};

namespace {

using State = Mgmtd::State;

Task<Status> NotPrimary(State& s) {
  Result<std::optional<LeaseRecord>> lease = co_await s.store.CurrentLease();
  std::string primary = lease.ok() && *lease ? (*lease)->address : "unknown";
  co_return Unavailable(
      fmt::format("mgmtd {} is not primary (the primary is {})", s.store.id(), primary));
}

bool IsPrimary(const State& s) {
  return s.cluster.has_value() && s.rt.clock().Now() < s.lease_until && !s.stopping;
}

void StepDown(State& s, const Status& why) {
  if (!s.cluster) return;
  LOG_WARN("mgmtd {} steps down: {}", s.store.id(), why.ToString());
  s.cluster.reset();
  s.changed.NotifyAll();
}

void LogChainChanges(const RoutingInfo& before, const RoutingInfo& after) {
  for (const auto& [id, chain] : after.chains) {
    const Chain* old = before.FindChain(id);
    if (old != nullptr && old->version == chain.version) continue;
    std::string members;
    for (const ChainTarget& t : chain.targets)
      members += fmt::format(" {} {}", t.target, Name(t.state));
    LOG_INFO("routing {}: chain {} version {}:{}", after.version, id, chain.version, members);
  }
}

// Saves `next` if its routing version moved, then makes it the state. Under change_lock.
Task<Status> Publish(State& s, ClusterState next) {
  if (next.routing().version != s.cluster->routing().version) {
    Status saved = co_await s.store.Save(next.routing());
    if (!saved.ok()) {
      if (saved.code() == StatusCode::kUnavailable) StepDown(s, saved);
      co_return saved;
    }
    if (!s.cluster) co_return Unavailable("stepped down while saving");
    LogChainChanges(s.cluster->routing(), next.routing());
    s.cluster = std::move(next);
    s.changed.NotifyAll();
    co_return Status();
  }
  s.cluster = std::move(next);
  co_return Status();
}

Task<void> BecomePrimary(std::shared_ptr<State> s) {
  Result<RoutingInfo> routing = co_await s->store.Load();
  if (!routing.ok()) {
    LOG_ERROR("mgmtd {}: cannot load the cluster state: {}", s->store.id(),
              routing.status().ToString());
    co_return;
  }
  ClusterState cluster(std::move(*routing));
  cluster.StartGrace(s->rt.clock().Now());
  s->cluster = std::move(cluster);
  LOG_INFO("mgmtd {} is primary (routing version {})", s->store.id(),
           s->cluster->routing().version);
  s->changed.NotifyAll();
}

Task<void> LeaseLoop(std::shared_ptr<State> s) {
  while (!s->stopping) {
    Nanos asked = s->rt.clock().Now();
    Result<bool> held = co_await s->store.AcquireLease(s->options.lease);
    if (s->stopping) break;
    if (held.ok() && *held) {
      // Counted from before the request: the lease can only have started later.
      s->lease_until = asked + s->options.lease;
      if (!s->cluster) co_await BecomePrimary(s);
    } else if (s->cluster) {
      StepDown(*s, held.ok() ? Unavailable("another mgmtd holds the lease") : held.status());
    }
    co_await s->rt.clock().Sleep(s->options.renew);
  }
  if (s->cluster && s->release_on_stop) (void)co_await s->store.ReleaseLease();
}

Task<void> DetectLoop(std::shared_ptr<State> s) {
  while (!s->stopping) {
    co_await s->rt.clock().Sleep(s->options.check_interval);
    if (!IsPrimary(*s)) continue;
    Result<KeyedLocks<int>::Guard> guard = co_await s->change_lock.Lock(0);
    if (!guard.ok() || !IsPrimary(*s)) continue;
    ClusterState next = *s->cluster;
    if (next.ExpireSilent(s->rt.clock().Now(), s->options.heartbeat_timeout)) {
      (void)co_await Publish(*s, std::move(next));
    }
  }
}

}  // namespace

Mgmtd::Mgmtd(Runtime& rt, kv::Engine& store, uint64_t id, std::string address, MgmtdOptions options)
    : state_(std::make_shared<State>(rt, store, id, std::move(address), options)) {}

Mgmtd::~Mgmtd() { Stop(); }

void Mgmtd::Start() {
  state_->rt.Spawn(LeaseLoop(state_), "mgmtd lease");
  state_->rt.Spawn(DetectLoop(state_), "mgmtd failure detector");
}

void Mgmtd::Stop() {
  state_->stopping = true;
  state_->changed.NotifyAll();
}

void Mgmtd::Abandon() {
  state_->release_on_stop = false;
  Stop();
}

bool Mgmtd::primary() const { return IsPrimary(*state_); }

RoutingInfo Mgmtd::routing() const {
  return state_->cluster ? state_->cluster->routing() : RoutingInfo{};
}

Task<Result<HeartbeatRsp>> Mgmtd::Heartbeat(HeartbeatReq req, rpc::CallContext&) {
  std::shared_ptr<State> s = state_;
  if (!IsPrimary(*s)) co_return co_await NotPrimary(*s);
  CO_ASSIGN_OR_RETURN(auto guard, co_await s->change_lock.Lock(0));
  if (!IsPrimary(*s)) co_return co_await NotPrimary(*s);
  ClusterState next = *s->cluster;
  next.Heartbeat(req, s->rt.clock().Now());
  CO_RETURN_IF_ERROR(co_await Publish(*s, std::move(next)));
  co_return HeartbeatRsp{s->cluster->routing().version};
}

Task<Result<RoutingRsp>> Mgmtd::WatchRouting(WatchRoutingReq req, rpc::CallContext&) {
  std::shared_ptr<State> s = state_;
  Nanos wait = std::min<Nanos>(Nanos(int64_t{req.wait_ms} * 1'000'000), Nanos(60'000'000'000));
  Nanos deadline = s->rt.clock().Now() + wait;
  while (IsPrimary(*s) && s->cluster->routing().version <= req.known_version &&
         s->rt.clock().Now() < deadline) {
    co_await s->changed.Wait(deadline);
  }
  if (!IsPrimary(*s)) co_return co_await NotPrimary(*s);
  co_return RoutingRsp{s->cluster->routing()};
}

namespace {

// Runs an admin change: `apply` mutates a copy, which is saved and published.
template <typename Req>
Task<Result<RoutingRsp>> AdminChange(std::shared_ptr<State> s, Req req,
                                     Status (ClusterState::*apply)(const Req&)) {
  if (!IsPrimary(*s)) co_return co_await NotPrimary(*s);
  CO_ASSIGN_OR_RETURN(auto guard, co_await s->change_lock.Lock(0));
  if (!IsPrimary(*s)) co_return co_await NotPrimary(*s);
  ClusterState next = *s->cluster;
  CO_RETURN_IF_ERROR((next.*apply)(req));
  CO_RETURN_IF_ERROR(co_await Publish(*s, std::move(next)));
  co_return RoutingRsp{s->cluster->routing()};
}

}  // namespace

Task<Result<RoutingRsp>> Mgmtd::CreateChains(CreateChainsReq req, rpc::CallContext&) {
  co_return co_await AdminChange(state_, std::move(req), &ClusterState::CreateChains);
}

Task<Result<RoutingRsp>> Mgmtd::AddTarget(AddTargetReq req, rpc::CallContext&) {
  co_return co_await AdminChange(state_, std::move(req), &ClusterState::AddTarget);
}

Task<Result<RoutingRsp>> Mgmtd::RemoveTarget(RemoveTargetReq req, rpc::CallContext&) {
  co_return co_await AdminChange(state_, std::move(req), &ClusterState::RemoveTarget);
}

}  // namespace chainfs::mgmtd
