#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "runtime/task.h"

namespace chainfs {

using Nanos = std::chrono::nanoseconds;
using std::chrono_literals::operator""ms;
using std::chrono_literals::operator""s;
using std::chrono_literals::operator""us;

// An expiry that never comes: the Timer only returns when woken or cancelled.
inline constexpr Nanos kNever = Nanos::max();

// A one-shot timer that doubles as a wake-up: Wait() returns when the expiry passes, when
// Cancel() is called, or when the awaiting coroutine is cancelled. A Timer belongs to the
// thread of the executor it was made for.
class Timer {
 public:
  enum class WaitResult { kExpired, kWoken, kAborted };

  virtual ~Timer() = default;
  virtual void ExpiresAt(Nanos when) = 0;
  // At most one Wait() at a time.
  virtual Task<WaitResult> Wait() = 0;
  // Wakes the waiter (kWoken). Before a Wait() it makes that Wait() return at once.
  virtual void Cancel() = 0;
};

// Time. Now() is monotonic; WallNow() is time since the Unix epoch. Service code reads time
// and sleeps only through a Clock, so the simulation can run it on virtual time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Nanos Now() const = 0;
  virtual Nanos WallNow() const = 0;
  virtual std::unique_ptr<Timer> NewTimer() = 0;

  // Returns false if the sleep was cut short by cancellation.
  Task<bool> Sleep(Nanos duration);
};

}  // namespace chainfs
