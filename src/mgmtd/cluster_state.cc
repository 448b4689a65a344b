#include "mgmtd/cluster_state.h"

#include <fmt/format.h>

#include "mgmtd/placement.h"

namespace chainfs::mgmtd {

ClusterState::ClusterState(RoutingInfo routing) : routing_(std::move(routing)) {}

LocalState ClusterState::EffectiveLocal(const TargetInfo& t) const {
  auto node = routing_.nodes.find(t.node);
  if (node == routing_.nodes.end() || !node->second.alive) return LocalState::kOffline;
  return t.local;
}

bool ClusterState::UpdateChains() {
  bool changed = false;
  for (auto& [id, chain] : routing_.chains) {
    std::map<TargetId, LocalState> local;
    for (const ChainTarget& ct : chain.targets) {
      auto t = routing_.targets.find(ct.target);
      local[ct.target] =
          t == routing_.targets.end() ? LocalState::kOffline : EffectiveLocal(t->second);
    }
    Chain next = NextChain(chain, local);
    if (next.version != chain.version) {
      chain = std::move(next);
      changed = true;
    }
  }
  return changed;
}

bool ClusterState::ApplyReports(const HeartbeatReq& hb) {
  bool changed = false;
  for (const TargetReport& r : hb.targets) {
    auto [it, fresh] = routing_.targets.try_emplace(r.target);
    TargetInfo& t = it->second;
    if (fresh) t.id = r.target;
    std::string note = r.note.substr(0, kMaxNoteBytes);
    changed |= fresh || t.node != hb.node || t.local != r.local || t.note != note;
    t.node = hb.node;
    t.local = r.local;
    t.note = std::move(note);
    t.used_bytes = r.used_bytes;
    t.capacity_bytes = r.capacity_bytes;
    t.fs_id = r.fs_id;
  }
  return changed;
}

bool ClusterState::Heartbeat(const HeartbeatReq& hb, Nanos now) {
  last_heard_[hb.node] = now;
  auto [it, fresh] = routing_.nodes.try_emplace(hb.node);
  NodeInfo& node = it->second;
  bool restarted = !fresh && node.incarnation != hb.incarnation;
  bool changed =
      fresh || restarted || !node.alive || node.address != hb.address || node.role != hb.role;
  node = NodeInfo{hb.node, hb.role, hb.address, true, hb.incarnation};
  if (restarted) {
    // Whatever it served before, it serves again only after a sync.
    for (auto& [id, t] : routing_.targets) {
      if (t.node == hb.node) t.local = LocalState::kOffline;
    }
    UpdateChains();
  }
  changed |= ApplyReports(hb);
  changed |= UpdateChains();
  if (changed) routing_.version++;
  return changed;
}

bool ClusterState::ExpireSilent(Nanos now, Nanos timeout) {
  bool changed = false;
  for (auto& [id, node] : routing_.nodes) {
    auto heard = last_heard_.find(id);
    bool silent = heard == last_heard_.end() || now - heard->second > timeout;
    if (node.alive && silent) {
      node.alive = false;
      changed = true;
    }
  }
  changed |= UpdateChains();
  if (changed) routing_.version++;
  return changed;
}

void ClusterState::StartGrace(Nanos now) {
  for (const auto& [id, node] : routing_.nodes) last_heard_[id] = now;
}

Status ClusterState::CreateChains(const CreateChainsReq& req) {
  std::vector<PlacementTarget> free;
  for (const auto& [id, t] : routing_.targets) {
    if (t.chain.value() == 0) free.push_back(PlacementTarget{id, t.node});
  }
  if (free.empty()) return InvalidArgument("every registered target is already in a chain");
  PlacementOptions options;
  options.replicas = req.replicas;
  options.chains_per_target = 1;
  Result<std::vector<std::vector<TargetId>>> placed = PlaceChains(free, options);
  if (!placed.ok()) return placed.status();
  uint64_t next_id = routing_.chains.empty() ? 1 : routing_.chains.rbegin()->first.value() + 1;
  if (routing_.chain_tables.empty()) routing_.chain_tables.push_back(ChainTable{1, 0, {}});
  ChainTable& table = routing_.chain_tables.front();
  for (const std::vector<TargetId>& members : *placed) {
    Chain chain{ChainId(next_id++), 1, {}};
    for (TargetId t : members) {
      chain.targets.push_back(ChainTarget{t, PublicState::kServing});
      routing_.targets[t].chain = chain.id;
    }
    table.chains.push_back(chain.id);
    routing_.chains[chain.id] = std::move(chain);
  }
  table.version++;
  UpdateChains();
  routing_.version++;
  return Status();
}

Status ClusterState::AddTarget(const AddTargetReq& req) {
  auto t = routing_.targets.find(req.target);
  if (t == routing_.targets.end()) return InvalidArgument(fmt::format("no target {}", req.target));
  if (t->second.chain.value() != 0) {
    return InvalidArgument(
        fmt::format("target {} is in chain {} already", req.target, t->second.chain));
  }
  auto c = routing_.chains.find(req.chain);
  if (c == routing_.chains.end()) return InvalidArgument(fmt::format("no chain {}", req.chain));
  for (const ChainTarget& ct : c->second.targets) {
    auto other = routing_.targets.find(ct.target);
    if (other != routing_.targets.end() && other->second.node == t->second.node) {
      return InvalidArgument(
          fmt::format("chain {} has a target on node {} already", req.chain, t->second.node));
    }
  }
  c->second.targets.push_back(ChainTarget{req.target, PublicState::kOffline});
  c->second.version++;
  t->second.chain = req.chain;
  UpdateChains();
  routing_.version++;
  return Status();
}

Status ClusterState::RemoveTarget(const RemoveTargetReq& req) {
  auto t = routing_.targets.find(req.target);
  if (t == routing_.targets.end()) return InvalidArgument(fmt::format("no target {}", req.target));
  auto c = routing_.chains.find(t->second.chain);
  if (c == routing_.chains.end()) {
    return InvalidArgument(fmt::format("target {} is in no chain", req.target));
  }
  std::vector<ChainTarget>& members = c->second.targets;
  auto it = std::find_if(members.begin(), members.end(),
                         [&](const ChainTarget& ct) { return ct.target == req.target; });
  if (it == members.end() || it->state != PublicState::kOffline) {
    return InvalidArgument(fmt::format("target {} is {}; only an offline target can be removed",
                                       req.target,
                                       it == members.end() ? "missing" : Name(it->state)));
  }
  members.erase(it);
  c->second.version++;
  t->second.chain = ChainId(0);
  routing_.version++;
  return Status();
}

}  // namespace chainfs::mgmtd
