#include "meta/service/lock_waiters.h"

namespace chainfs::meta {

Task<void> LockWaiters::WaitForChange(InodeId id, Nanos deadline) {
  if (closed_) co_return;
  std::unique_ptr<Waiting>& slot = waiting_[id];
  if (!slot) slot = std::make_unique<Waiting>(clock_);
  Waiting* w = slot.get();
  ++w->waiters;
  (void)co_await w->changed.Wait(deadline);
  // The last waiter on the inode takes the entry away (woken ones may still be on their way
  // out of Wait() until they get here).
  if (--w->waiters == 0) waiting_.erase(id);
}

void LockWaiters::Changed(InodeId id) {
  auto it = waiting_.find(id);
  if (it != waiting_.end()) it->second->changed.NotifyAll();
}

void LockWaiters::ChangedAll() {
  for (auto& [id, w] : waiting_) w->changed.NotifyAll();
}

void LockWaiters::Close() {
  closed_ = true;
  ChangedAll();
}

}  // namespace chainfs::meta
