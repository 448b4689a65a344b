#pragma once

#include <asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/unique_function.h"
#include "runtime/clock.h"
#include "runtime/random.h"

namespace chainfs {

// The simulated universe: one thread, one io_context, virtual time and one seed.
//
// Every wait (sleep, deadline, network delivery, disk completion) is an event in the world's
// own queue, ordered by (virtual time, sequence). Run() polls the io_context until nothing is
// ready, then jumps virtual time to the earliest event and fires it. Given the same seed and
// the same code, every run makes the same choices in the same order; the trace records them.
class SimWorld {
 public:
  explicit SimWorld(uint64_t seed);
  ~SimWorld();
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;

  uint64_t seed() const { return seed_; }
  asio::io_context& io() { return io_; }
  Executor executor() { return io_.get_executor(); }
  Nanos now() const { return now_; }
  // The world's own randomness, for faults and latencies; nodes get their own streams.
  Random& random() { return random_; }

  using EventId = uint64_t;
  EventId Schedule(Nanos at, UniqueFunction<void()> fn);
  // Removes a pending event; false if it already fired or was cancelled.
  bool Cancel(EventId id);

  // Runs until `done()` holds, nothing is left to do, or virtual time would pass `limit`.
  // Returns whether `done()` holds.
  bool RunUntil(const std::function<bool()>& done, Nanos limit);
  void RunFor(Nanos duration);

  // Ends the world: drops pending events and destroys every parked coroutine and every posted
  // handler. Call it while the objects those coroutines use still exist (the destructor calls
  // it too, for worlds whose coroutines all finished).
  void Shutdown();

  // Appends "t=<virtual ns> <event>" to the trace when tracing is on.
  void Trace(std::string_view event);
  void set_tracing(bool on) { tracing_ = on; }
  const std::vector<std::string>& trace() const { return trace_; }

 private:
  bool Step(Nanos limit);

  uint64_t seed_;
  asio::io_context io_;
  Nanos now_{0};
  DeterministicRandom random_;
  uint64_t next_event_ = 1;
  std::map<std::pair<Nanos, EventId>, UniqueFunction<void()>> events_;
  std::unordered_map<EventId, Nanos> event_time_;
  bool tracing_ = true;
  std::vector<std::string> trace_;
};

// Time for the simulation: Now() is the world's virtual time.
class SimClock : public Clock {
 public:
  explicit SimClock(SimWorld& world) : world_(world) {}
  Nanos Now() const override { return world_.now(); }
  // Virtual wall time starts at 2026-01-01 so that timestamps look real.
  Nanos WallNow() const override { return world_.now() + Nanos(1767225600LL * 1000000000LL); }
  std::unique_ptr<Timer> NewTimer() override;

 private:
  SimWorld& world_;
};

}  // namespace chainfs
