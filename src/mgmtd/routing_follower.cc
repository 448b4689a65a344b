#include "mgmtd/routing_follower.h"

#include "common/logging.h"

namespace chainfs::mgmtd {

struct RoutingFollower::State {
  State(Runtime& r, MgmtdClient& c) : rt(r), client(c), changed(r.clock()) {}
  Runtime& rt;
  MgmtdClient& client;
  bool stopping = false;
  bool running = false;
  std::shared_ptr<const RoutingInfo> current = std::make_shared<RoutingInfo>();
  Notifier changed;
  std::function<void(std::shared_ptr<const RoutingInfo>)> on_change;
};

namespace {

Task<void> FollowLoop(std::shared_ptr<RoutingFollower::State> s) {
  while (!s->stopping) {
    WatchRoutingReq req;
    req.known_version = s->current->version;
    req.wait_ms = 5'000;
    Result<RoutingRsp> rsp = co_await s->client.WatchRouting(std::move(req));
    if (s->stopping) break;
    if (!rsp.ok()) {
      LOG_DEBUG("routing watch: {}", rsp.status().ToString());
      co_await s->rt.clock().Sleep(Nanos(200'000'000));
      continue;
    }
    if (rsp->routing.version <= s->current->version) continue;
    s->current = std::make_shared<const RoutingInfo>(std::move(rsp->routing));
    if (s->on_change) s->on_change(s->current);
    s->changed.NotifyAll();
  }
  s->running = false;
  s->changed.NotifyAll();
}

}  // namespace

RoutingFollower::RoutingFollower(Runtime& rt, MgmtdClient& client)
    : state_(std::make_shared<State>(rt, client)) {}

RoutingFollower::~RoutingFollower() { Stop(); }

void RoutingFollower::Start() {
  state_->running = true;
  state_->rt.Spawn(FollowLoop(state_), "routing follower");
}

Task<void> RoutingFollower::Join() {
  std::shared_ptr<State> s = state_;
  while (s->running) co_await s->changed.Wait(s->rt.clock().Now() + Nanos(100'000'000));
}

void RoutingFollower::Stop() {
  state_->stopping = true;
  state_->on_change = nullptr;
  state_->changed.NotifyAll();
}

std::shared_ptr<const RoutingInfo> RoutingFollower::current() const { return state_->current; }

Task<void> RoutingFollower::WaitNewer(uint64_t version, Nanos deadline) {
  std::shared_ptr<State> s = state_;
  while (!s->stopping && s->current->version <= version && s->rt.clock().Now() < deadline) {
    co_await s->changed.Wait(deadline);
  }
}

void RoutingFollower::OnChange(std::function<void(std::shared_ptr<const RoutingInfo>)> fn) {
  state_->on_change = std::move(fn);
}

}  // namespace chainfs::mgmtd
