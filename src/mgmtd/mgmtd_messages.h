#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mgmtd/routing.h"
#include "rpc/wire/serde.h"

// The requests and responses of the cluster manager. Wire format: append fields only.
namespace chainfs::mgmtd {

struct TargetReport {
  TargetId target;
  LocalState local = LocalState::kOnline;
  uint64_t used_bytes = 0;
  uint64_t capacity_bytes = 0;
  // Which file system the target is on (statvfs f_fsid; 0: unknown): targets that share one
  // are counted once in the cluster's capacity.
  uint64_t fs_id = 0;
  // Why the target is offline when its server says so (a disk error, a full disk), for
  // `chainfs status`; empty otherwise.
  std::string note;
  CHAINFS_MESSAGE(TargetReport, target, local, used_bytes, capacity_bytes, fs_id, note)
};

// Sent by every server each heartbeat interval. `incarnation` is drawn at process start: a new
// one means the process restarted, and its targets have to sync before serving again.
struct HeartbeatReq {
  NodeId node;
  NodeRole role = NodeRole::kStorage;
  std::string address;
  uint64_t incarnation = 0;
  std::vector<TargetReport> targets;
  CHAINFS_MESSAGE(HeartbeatReq, node, role, address, incarnation, targets)
};

struct HeartbeatRsp {
  uint64_t routing_version = 0;
  CHAINFS_MESSAGE(HeartbeatRsp, routing_version)
};

// Answers as soon as the routing version is above `known_version`, or after `wait_ms` with
// the current routing (possibly the same version).
struct WatchRoutingReq {
  uint64_t known_version = 0;
  uint32_t wait_ms = 10'000;
  CHAINFS_MESSAGE(WatchRoutingReq, known_version, wait_ms)
};

struct RoutingRsp {
  RoutingInfo routing;
  CHAINFS_MESSAGE(RoutingRsp, routing)
};

// Builds chains over every target that is in none (a target is in one chain at most), and
// adds them to chain table 1.
struct CreateChainsReq {
  uint32_t replicas = 3;
  CHAINFS_MESSAGE(CreateChainsReq, replicas)
};

// Appends a target to a chain; it joins offline and syncs before it serves.
struct AddTargetReq {
  ChainId chain;
  TargetId target;
  CHAINFS_MESSAGE(AddTargetReq, chain, target)
};

// Removes an offline target from its chain.
struct RemoveTargetReq {
  TargetId target;
  CHAINFS_MESSAGE(RemoveTargetReq, target)
};

struct Empty {
  CHAINFS_MESSAGE(Empty)
};

}  // namespace chainfs::mgmtd
