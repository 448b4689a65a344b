#include "runtime/notifier.h"

#include <algorithm>

#include "common/check.h"

namespace chainfs {

Notifier::~Notifier() { CHECK_MSG(waiters_.empty(), "Notifier destroyed with waiters"); }

namespace {

// Keeps a waiter listed for as long as its frame lives: also when the frame is destroyed while
// suspended (a simulation shutting down), which never reaches the code after the co_await.
class Listed {
 public:
  Listed(std::vector<Timer*>& waiters, Timer* timer) : waiters_(waiters), timer_(timer) {
    waiters_.push_back(timer_);
  }
  ~Listed() {
    auto it = std::find(waiters_.begin(), waiters_.end(), timer_);
    if (it != waiters_.end()) waiters_.erase(it);
  }
  Listed(const Listed&) = delete;
  Listed& operator=(const Listed&) = delete;

 private:
  std::vector<Timer*>& waiters_;
  Timer* timer_;
};

}  // namespace

Task<Timer::WaitResult> Notifier::Wait(Nanos deadline) {
  std::unique_ptr<Timer> timer = clock_.NewTimer();
  timer->ExpiresAt(deadline);
  Listed listed(waiters_, timer.get());
  co_return co_await timer->Wait();
}

void Notifier::NotifyAll() {
  std::vector<Timer*> woken;
  woken.swap(waiters_);
  for (Timer* t : woken) t->Cancel();
}

}  // namespace chainfs
