#include "runtime/notifier.h"

#include <algorithm>

#include "common/check.h"

namespace chainfs {

Notifier::~Notifier() { CHECK_MSG(waiters_.empty(), "Notifier destroyed with waiters"); }

Task<Timer::WaitResult> Notifier::Wait(Nanos deadline) {
  std::unique_ptr<Timer> timer = clock_.NewTimer();
  timer->ExpiresAt(deadline);
  waiters_.push_back(timer.get());
  Timer::WaitResult result = co_await timer->Wait();
  auto it = std::find(waiters_.begin(), waiters_.end(), timer.get());
  if (it != waiters_.end()) waiters_.erase(it);
  co_return result;
}

void Notifier::NotifyAll() {
  std::vector<Timer*> woken;
  woken.swap(waiters_);
  for (Timer* t : woken) t->Cancel();
}

}  // namespace chainfs
