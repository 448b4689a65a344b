#include "runtime/real/real_clock.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace chainfs {
namespace {

class RealTimer : public Timer {
 public:
  explicit RealTimer(Executor ex) : timer_(std::move(ex)) {}

  void ExpiresAt(Nanos when) override {
    if (when == kNever) {
      timer_.expires_at(std::chrono::steady_clock::time_point::max());
      return;
    }
    timer_.expires_at(std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(when)));
  }

  Task<WaitResult> Wait() override {
    if (woken_) {
      woken_ = false;
      co_return WaitResult::kWoken;
    }
    auto [ec] = co_await timer_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (!ec) co_return WaitResult::kExpired;
    if (woken_) {
      woken_ = false;
      co_return WaitResult::kWoken;
    }
    co_return WaitResult::kAborted;
  }

  void Cancel() override {
    woken_ = true;
    timer_.cancel();
  }

 private:
  asio::steady_timer timer_;
  bool woken_ = false;
};

}  // namespace

Nanos RealClock::Now() const { return std::chrono::steady_clock::now().time_since_epoch(); }

Nanos RealClock::WallNow() const { return std::chrono::system_clock::now().time_since_epoch(); }

std::unique_ptr<Timer> RealClock::NewTimer() { return std::make_unique<RealTimer>(ex_); }

}  // namespace chainfs
