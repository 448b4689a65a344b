#include "runtime/sim/sim_world.h"

#include <fmt/format.h>

#include "common/check.h"
#include "runtime/wait_slot.h"

namespace chainfs {

SimWorld::SimWorld(uint64_t seed) : seed_(seed), io_(1), random_(seed) {}

SimWorld::~SimWorld() { Shutdown(); }

void SimWorld::Shutdown() {
  // Destroying a coroutine may post or park others; repeat until nothing is left, boundedly.
  for (int round = 0; round < 100; ++round) {
    events_.clear();
    event_time_.clear();
    size_t abandoned = WaitSlot::AbandonAllOnThisThread();
    io_.restart();
    size_t ran = io_.poll();
    if (abandoned == 0 && ran == 0 && events_.empty()) return;
  }
}

SimWorld::EventId SimWorld::Schedule(Nanos at, UniqueFunction<void()> fn) {
  if (at < now_) at = now_;
  EventId id = next_event_++;
  events_.emplace(std::make_pair(at, id), std::move(fn));
  event_time_.emplace(id, at);
  return id;
}

bool SimWorld::Cancel(EventId id) {
  auto it = event_time_.find(id);
  if (it == event_time_.end()) return false;
  events_.erase({it->second, id});
  event_time_.erase(it);
  return true;
}

bool SimWorld::Step(Nanos limit) {
  io_.restart();
  if (io_.poll() > 0) return true;
  if (events_.empty()) return false;
  Nanos t = events_.begin()->first.first;
  if (t > limit) return false;
  now_ = t;
  // Everything due at the same instant fires before any handler runs, as expired timers do in
  // one turn of a real event loop.
  while (!events_.empty() && events_.begin()->first.first == t) {
    auto it = events_.begin();
    event_time_.erase(it->first.second);
    UniqueFunction<void()> fn = std::move(it->second);
    events_.erase(it);
    fn();
  }
  return true;
}

bool SimWorld::RunUntil(const std::function<bool()>& done, Nanos limit) {
  while (!done()) {
    if (!Step(limit)) return done();
  }
  return true;
}

void SimWorld::RunFor(Nanos duration) {
  Nanos limit = now_ + duration;
  while (Step(limit)) {
  }
  if (now_ < limit) now_ = limit;
}

void SimWorld::Trace(std::string_view event) {
  if (tracing_) trace_.push_back(fmt::format("t={} {}", now_.count(), event));
}

namespace {

class SimTimer : public Timer {
 public:
  explicit SimTimer(SimWorld& world) : world_(world) {}
  ~SimTimer() override { DropEvent(); }

  void ExpiresAt(Nanos when) override { expiry_ = when; }

  Task<WaitResult> Wait() override {
    if (woken_) {
      woken_ = false;
      co_return WaitResult::kWoken;
    }
    if (expiry_ != kNever) {
      event_ = world_.Schedule(expiry_, [this] {
        event_ = 0;
        slot_.Wake(WaitResult::kExpired);
      });
    }
    co_return co_await slot_.Park([this] { DropEvent(); });
  }

  void Cancel() override {
    DropEvent();
    if (!slot_.Wake(WaitResult::kWoken)) woken_ = true;
  }

 private:
  void DropEvent() {
    if (event_ != 0) world_.Cancel(event_);
    event_ = 0;
  }

  SimWorld& world_;
  Nanos expiry_{0};
  bool woken_ = false;
  SimWorld::EventId event_ = 0;
  WaitSlot slot_;
};

}  // namespace

std::unique_ptr<Timer> SimClock::NewTimer() { return std::make_unique<SimTimer>(world_); }

}  // namespace chainfs
