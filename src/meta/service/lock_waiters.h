#pragma once

#include <map>
#include <memory>

#include "common/ids.h"
#include "runtime/notifier.h"

namespace chainfs::meta {

// Lock requests waiting on this server for a conflicting lock to go: a release through this
// server wakes the waiters on that inode at once. (Releases through other servers are seen
// when the waiter looks again, at its next deadline.) Belongs to the handler's thread.
class LockWaiters {
 public:
  explicit LockWaiters(Clock& clock) : clock_(clock) {}
  LockWaiters(const LockWaiters&) = delete;
  LockWaiters& operator=(const LockWaiters&) = delete;

  // Returns when the locks on `id` may have changed, or at `deadline` (clock.Now() scale).
  Task<void> WaitForChange(InodeId id, Nanos deadline);
  void Changed(InodeId id);
  // A client session ended: locks on any inode may have gone.
  void ChangedAll();
  // The server is stopping: every waiter is woken, and closed() tells it to stop waiting.
  void Close();
  bool closed() const { return closed_; }
  size_t waiting_inodes() const { return waiting_.size(); }

 private:
  struct Waiting {
    explicit Waiting(Clock& clock) : changed(clock) {}
    Notifier changed;
    int waiters = 0;  // until the last has left Wait(), woken or not
  };

  Clock& clock_;
  std::map<InodeId, std::unique_ptr<Waiting>> waiting_;
  bool closed_ = false;
};

}  // namespace chainfs::meta
