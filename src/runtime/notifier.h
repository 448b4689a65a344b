#pragma once

#include <vector>

#include "runtime/clock.h"

namespace chainfs {

// A condition variable for coroutines on one executor: Wait() returns when NotifyAll() is
// called after it began, at the deadline, or on cancellation. Callers re-check their condition.
// Not thread-safe.
class Notifier {
 public:
  explicit Notifier(Clock& clock) : clock_(clock) {}
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;
  ~Notifier();

  // `deadline` is on clock.Now()'s scale.
  Task<Timer::WaitResult> Wait(Nanos deadline);
  void NotifyAll();
  size_t waiters() const { return waiters_.size(); }

 private:
  Clock& clock_;
  std::vector<Timer*> waiters_;
};

}  // namespace chainfs
