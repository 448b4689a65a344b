#pragma once

#include <memory>

#include "mgmtd/mgmtd_client.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"

namespace chainfs::mgmtd {

// Keeps the newest routing info by long-polling WatchRouting, so a change arrives about one
// round trip after the cluster manager makes it. Belongs to the thread of `rt`. Stop() before
// destroying it; its loop keeps what it uses alive and ends.
class RoutingFollower {
 public:
  RoutingFollower(Runtime& rt, MgmtdClient& client);
  ~RoutingFollower();

  void Start();
  void Stop();
  // After Stop(): returns once the loop has ended, so the MgmtdClient may go.
  Task<void> Join();
  // Never null: version 0 and empty until the first answer.
  std::shared_ptr<const RoutingInfo> current() const;
  // Returns once the routing version is above `version`, or at `deadline` (Clock::Now scale).
  Task<void> WaitNewer(uint64_t version, Nanos deadline);
  // Called with each new version (on the follower's thread).
  void OnChange(std::function<void(std::shared_ptr<const RoutingInfo>)> fn);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace chainfs::mgmtd
