#pragma once

#include <map>

#include "common/result.h"
#include "mgmtd/mgmtd_messages.h"
#include "mgmtd/routing.h"
#include "runtime/clock.h"

namespace chainfs::mgmtd {

// The cluster manager's model of the cluster: the routing info plus when each node last spoke.
// Every change that others must see bumps the routing version; a heartbeat that changes
// nothing bumps nothing (space figures are updated without a new version). Pure: no I/O, no
// clock of its own. Not thread-safe.
class ClusterState {
 public:
  // A target's note (TargetReport::note) is kept to this many bytes: it goes out with the
  // routing to every client.
  static constexpr size_t kMaxNoteBytes = 200;

  explicit ClusterState(RoutingInfo routing);

  const RoutingInfo& routing() const { return routing_; }

  // Registers the node and its targets on first sight. A node with a new incarnation
  // restarted: its targets go offline first, so they sync before serving again. Returns
  // whether the routing version changed.
  bool Heartbeat(const HeartbeatReq& hb, Nanos now);
  // Nodes silent for `timeout` are marked dead, their targets offline.
  bool ExpireSilent(Nanos now, Nanos timeout);
  // Every node starts a fresh silence period (a new primary cannot know when they last spoke).
  void StartGrace(Nanos now);

  // kInvalidArgument when the request does not fit the cluster (too few nodes, unknown ids).
  Status CreateChains(const CreateChainsReq& req);
  Status AddTarget(const AddTargetReq& req);
  Status RemoveTarget(const RemoveTargetReq& req);

 private:
  // Applies NextChain to every chain; whether any chain changed.
  bool UpdateChains();
  bool ApplyReports(const HeartbeatReq& hb);
  LocalState EffectiveLocal(const TargetInfo& t) const;

  RoutingInfo routing_;
  std::map<NodeId, Nanos> last_heard_;
};

}  // namespace chainfs::mgmtd
