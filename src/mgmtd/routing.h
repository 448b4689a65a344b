#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "mgmtd/chain_state.h"
#include "rpc/wire/serde.h"
#include "runtime/network.h"

// The routing info: one versioned snapshot of nodes, targets, chains and chain tables that the
// cluster manager publishes and every server and client follows (DESIGN.md section 5). Data
// and lookups only.
namespace chainfs::mgmtd {

enum class NodeRole : uint8_t { kMgmtd = 1, kMeta = 2, kStorage = 3 };

struct NodeInfo {
  NodeId id;
  NodeRole role = NodeRole::kStorage;
  std::string address;  // "host:port" of its RPC server
  bool alive = false;
  // Drawn by the process at start; a new value means it restarted.
  uint64_t incarnation = 0;
  CHAINFS_MESSAGE(NodeInfo, id, role, address, alive, incarnation)
};

struct TargetInfo {
  TargetId id;
  NodeId node;
  ChainId chain;
  LocalState local = LocalState::kOffline;
  uint64_t used_bytes = 0;
  uint64_t capacity_bytes = 0;
  uint64_t fs_id = 0;  // the file system it is on, per its node (0: unknown)
  std::string note;    // TargetReport::note
  CHAINFS_MESSAGE(TargetInfo, id, node, chain, local, used_bytes, capacity_bytes, fs_id, note)
};

struct ChainTable {
  uint32_t id = 0;
  uint32_t version = 0;
  std::vector<ChainId> chains;
  CHAINFS_MESSAGE(ChainTable, id, version, chains)
};

struct RoutingInfo {
  uint64_t version = 0;
  std::map<NodeId, NodeInfo> nodes;
  std::map<TargetId, TargetInfo> targets;
  std::map<ChainId, Chain> chains;
  std::vector<ChainTable> chain_tables;
  CHAINFS_MESSAGE(RoutingInfo, version, nodes, targets, chains, chain_tables)

  const Chain* FindChain(ChainId id) const;
  // The RPC address of the node holding `target`; kStaleRouting when unknown or malformed.
  Result<Address> AddressOf(TargetId target) const;
};

// A readable listing of nodes, targets and chains with their states, one per line.
std::string FormatRouting(const RoutingInfo& routing);

// The cluster's space as a file system sees it: the targets' file systems counted once per
// node (targets often share one), divided by the replication (every byte is kept on each
// replica of a chain).
struct Capacity {
  uint64_t total_bytes = 0;
  uint64_t used_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t copies = 1;  // replicas per chain, on average
};
Capacity CapacityOf(const RoutingInfo& routing);

// The targets a write passes through, in order: the serving targets, then the syncing one
// (which receives whole chunks). Empty when nothing serves.
std::vector<TargetId> WritePath(const Chain& chain);
// The last serving target: it knows which version of a chunk is committed. Nullopt when none.
std::optional<TargetId> ServingTail(const Chain& chain);
// The state `target` has in `chain`; nullopt when it is not in it.
std::optional<PublicState> StateIn(const Chain& chain, TargetId target);

}  // namespace chainfs::mgmtd
