#include "mgmtd/placement.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace chainfs::mgmtd {

namespace {

struct NodeSlots {
  NodeId node;
  std::vector<TargetId> targets;     // in id order
  std::vector<uint32_t> target_use;  // chains each target is in
  uint32_t use = 0;                  // chains the node is in
};

class Placer {
 public:
  explicit Placer(std::vector<NodeSlots> nodes)
      : nodes_(std::move(nodes)), pairs_(nodes_.size(), std::vector<uint32_t>(nodes_.size())) {}

  void AddChain(uint32_t replicas) {
    std::vector<size_t> taken;
    for (uint32_t r = 0; r < replicas; ++r) taken.push_back(PickNode(taken));
    for (size_t a : taken) {
      for (size_t b : taken) {
        if (a != b) ++pairs_[a][b];
      }
      ++nodes_[a].use;
    }
    chains_.push_back(std::move(taken));
  }

  // The greedy pass lets a node run up to two chains ahead of the least loaded one (for better
  // pairings); this moves replicas from the most to the least loaded nodes until every node is
  // within one chain per target of the others, each move into the chain where the newcomer
  // shares fewest chains with the rest.
  void Rebalance() {
    for (size_t guard = 0; guard < chains_.size() * 4; ++guard) {
      size_t lo = 0, hi = 0;
      for (size_t i = 0; i < nodes_.size(); ++i) {
        if (Load(i) < Load(lo)) lo = i;
        if (Load(i) > Load(hi)) hi = i;
      }
      if (Load(hi) - Load(lo) <= 1.0 / static_cast<double>(nodes_[hi].targets.size()) + 1e-9) {
        return;
      }
      if (!MoveReplica(hi, lo)) return;
    }
  }

  // Chains as target ids: on each node, replicas go to its least used target in turn.
  std::vector<std::vector<TargetId>> Targets() {
    std::vector<std::vector<TargetId>> out;
    for (const std::vector<size_t>& chain : chains_) {
      std::vector<TargetId> ids;
      for (size_t n : chain) ids.push_back(TakeTarget(nodes_[n]));
      out.push_back(std::move(ids));
    }
    return out;
  }

 private:
  // The head replica is the least loaded node (chains per target; then the lowest id). Each
  // further replica is, among the nodes at most one chain above the least loaded, the one that
  // shares fewest chains with the replicas taken. Load bounds the choice so that every target
  // ends up in about the same number of chains; within that bound, pairs decide.
  size_t PickNode(const std::vector<size_t>& taken) const {
    auto load = [&](size_t i) { return Load(i); };
    auto free = [&](size_t i) { return std::find(taken.begin(), taken.end(), i) == taken.end(); };
    double least = -1;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (free(i) && (least < 0 || load(i) < least)) least = load(i);
    }
    size_t best = nodes_.size();
    uint64_t best_shared = 0;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      double slack = taken.empty() ? 0 : 1.0 / static_cast<double>(nodes_[i].targets.size());
      if (!free(i) || load(i) > least + slack) continue;
      uint64_t shared = 0;
      for (size_t t : taken) shared += pairs_[i][t];
      bool better = best == nodes_.size() || shared < best_shared ||
                    (shared == best_shared && load(i) < load(best));
      if (better) {
        best = i;
        best_shared = shared;
      }
    }
    return best;
  }

  double Load(size_t i) const {
    return static_cast<double>(nodes_[i].use) / static_cast<double>(nodes_[i].targets.size());
  }

  // Moves one replica from node `from` to node `to`, in the chain that has `from` and not `to`
  // where `to` would share fewest chains with the other replicas. False if there is none.
  bool MoveReplica(size_t from, size_t to) {
    size_t best = chains_.size(), best_pos = 0;
    uint64_t best_shared = 0;
    for (size_t c = 0; c < chains_.size(); ++c) {
      const std::vector<size_t>& chain = chains_[c];
      auto pos = std::find(chain.begin(), chain.end(), from);
      if (pos == chain.end() || std::find(chain.begin(), chain.end(), to) != chain.end()) continue;
      uint64_t shared = 0;
      for (size_t n : chain) {
        if (n != from) shared += pairs_[to][n];
      }
      if (best == chains_.size() || shared < best_shared) {
        best = c;
        best_pos = static_cast<size_t>(pos - chain.begin());
        best_shared = shared;
      }
    }
    if (best == chains_.size()) return false;
    std::vector<size_t>& chain = chains_[best];
    for (size_t n : chain) {
      if (n == from) continue;
      --pairs_[from][n];
      --pairs_[n][from];
      ++pairs_[to][n];
      ++pairs_[n][to];
    }
    chain[best_pos] = to;
    --nodes_[from].use;
    ++nodes_[to].use;
    return true;
  }

  static TargetId TakeTarget(NodeSlots& n) {
    size_t i = std::min_element(n.target_use.begin(), n.target_use.end()) - n.target_use.begin();
    ++n.target_use[i];
    return n.targets[i];
  }

  std::vector<NodeSlots> nodes_;
  std::vector<std::vector<uint32_t>> pairs_;  // chains shared by each pair of nodes
  std::vector<std::vector<size_t>> chains_;   // node indices, head first
};

}  // namespace

Result<std::vector<std::vector<TargetId>>> PlaceChains(const std::vector<PlacementTarget>& targets,
                                                       PlacementOptions options) {
  if (targets.empty()) return InvalidArgument("no targets to place chains on");
  if (options.replicas == 0) return InvalidArgument("chains need at least one replica");
  std::map<NodeId, std::vector<TargetId>> by_node;
  std::set<TargetId> seen;
  for (const PlacementTarget& t : targets) {
    if (!seen.insert(t.target).second) {
      return InvalidArgument(fmt::format("target {} is listed twice", t.target));
    }
    by_node[t.node].push_back(t.target);
  }
  if (by_node.size() < options.replicas) {
    return InvalidArgument(fmt::format("{} replicas need as many nodes; there are {}",
                                       options.replicas, by_node.size()));
  }
  std::vector<NodeSlots> nodes;
  for (auto& [node, ids] : by_node) {
    std::sort(ids.begin(), ids.end());
    nodes.push_back({node, ids, std::vector<uint32_t>(ids.size()), 0});
  }
  uint64_t chains = std::max<uint64_t>(
      1, uint64_t{targets.size()} * options.chains_per_target / options.replicas);
  Placer placer(std::move(nodes));
  for (uint64_t c = 0; c < chains; ++c) placer.AddChain(options.replicas);
  placer.Rebalance();
  return placer.Targets();
}

}  // namespace chainfs::mgmtd
