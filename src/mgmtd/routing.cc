#include "mgmtd/routing.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

namespace chainfs::mgmtd {

const Chain* RoutingInfo::FindChain(ChainId id) const {
  auto it = chains.find(id);
  return it == chains.end() ? nullptr : &it->second;
}

Result<Address> RoutingInfo::AddressOf(TargetId target) const {
  auto t = targets.find(target);
  if (t == targets.end()) {
    return Status(StatusCode::kStaleRouting,
                  fmt::format("target {} is not in routing version {}", target, version));
  }
  auto n = nodes.find(t->second.node);
  if (n == nodes.end()) {
    return Status(StatusCode::kStaleRouting,
                  fmt::format("node {} of target {} is not in routing version {}", t->second.node,
                              target, version));
  }
  Result<Address> address = Address::Parse(n->second.address);
  if (!address.ok()) {
    return Status(StatusCode::kStaleRouting,
                  fmt::format("node {} of target {} announced a bad address: {}", t->second.node,
                              target, address.status().message()));
  }
  return address;
}

std::string FormatRouting(const RoutingInfo& r) {
  std::string out = fmt::format("routing version {}\nnodes:\n", r.version);
  for (const auto& [id, n] : r.nodes) {
    const char* role = n.role == NodeRole::kMgmtd  ? "mgmtd"
                       : n.role == NodeRole::kMeta ? "meta"
                                                   : "storage";
    out += fmt::format("  node {} {} {} {}\n", id, role, n.address, n.alive ? "alive" : "DEAD");
  }
  out += "targets:\n";
  for (const auto& [id, t] : r.targets) {
    out +=
        fmt::format("  target {} on node {} in chain {}: {}{}, {:.1f} MiB used of {:.1f} GiB\n", id,
                    t.node, t.chain, Name(t.local), t.note.empty() ? "" : " (" + t.note + ")",
                    static_cast<double>(t.used_bytes) / (1 << 20),
                    static_cast<double>(t.capacity_bytes) / (1 << 30));
  }
  Capacity c = CapacityOf(r);
  out += fmt::format(
      "capacity: {:.1f} GiB, {:.1f} MiB used, {:.1f} GiB free ({} copies of each byte)\n",
      static_cast<double>(c.total_bytes) / (1 << 30), static_cast<double>(c.used_bytes) / (1 << 20),
      static_cast<double>(c.free_bytes) / (1 << 30), c.copies);
  out += "chains:\n";
  for (const auto& [id, c] : r.chains) {
    out += fmt::format("  chain {} version {}:", id, c.version);
    for (const ChainTarget& t : c.targets) out += fmt::format(" {} {}", t.target, Name(t.state));
    out += "\n";
  }
  return out;
}

Capacity CapacityOf(const RoutingInfo& routing) {
  std::set<std::pair<NodeId, uint64_t>> seen;
  uint64_t raw_total = 0, raw_used = 0, replicas = 0;
  for (const auto& [id, t] : routing.targets) {
    raw_used += t.used_bytes;
    if (t.capacity_bytes == 0) continue;
    if (t.fs_id != 0 && !seen.insert({t.node, t.fs_id}).second) continue;
    raw_total += t.capacity_bytes;
  }
  for (const auto& [id, chain] : routing.chains) replicas += chain.targets.size();
  Capacity c;
  c.copies = routing.chains.empty() ? 1 : std::max<uint64_t>(1, replicas / routing.chains.size());
  c.total_bytes = raw_total / c.copies;
  c.used_bytes = raw_used / c.copies;
  c.free_bytes = raw_total > raw_used ? (raw_total - raw_used) / c.copies : 0;
  return c;
}

std::vector<TargetId> WritePath(const Chain& chain) {
  std::vector<TargetId> path;
  for (const ChainTarget& t : chain.targets) {
    if (t.state == PublicState::kServing) path.push_back(t.target);
  }
  if (path.empty()) return path;
  for (const ChainTarget& t : chain.targets) {
    if (t.state == PublicState::kSyncing) path.push_back(t.target);
  }
  return path;
}

std::optional<TargetId> ServingTail(const Chain& chain) {
  std::optional<TargetId> tail;
  for (const ChainTarget& t : chain.targets) {
    if (t.state == PublicState::kServing) tail = t.target;
  }
  return tail;
}

std::optional<PublicState> StateIn(const Chain& chain, TargetId target) {
  for (const ChainTarget& t : chain.targets) {
    if (t.target == target) return t.state;
  }
  return std::nullopt;
}

}  // namespace chainfs::mgmtd
