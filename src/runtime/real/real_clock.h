#pragma once

#include "runtime/clock.h"

namespace chainfs {

// Time from std::chrono::steady_clock and system_clock; timers are asio steady_timers on
// the executor given at construction.
class RealClock : public Clock {
 public:
  explicit RealClock(Executor ex) : ex_(std::move(ex)) {}
  Nanos Now() const override;
  Nanos WallNow() const override;
  std::unique_ptr<Timer> NewTimer() override;

 private:
  Executor ex_;
};

}  // namespace chainfs
