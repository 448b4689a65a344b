#include "mgmtd/placement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

namespace chainfs::mgmtd {
namespace {

std::vector<PlacementTarget> Cluster(uint64_t nodes, uint64_t targets_per_node) {
  std::vector<PlacementTarget> out;
  for (uint64_t n = 0; n < nodes; ++n) {
    for (uint64_t t = 0; t < targets_per_node; ++t) {
      out.push_back({TargetId(n * 100 + t + 1), NodeId(n + 1)});
    }
  }
  return out;
}

void CheckBalance(uint64_t nodes) {
  SCOPED_TRACE("nodes=" + std::to_string(nodes));
  const uint64_t per_node = 2;
  PlacementOptions options{static_cast<uint32_t>(std::min<uint64_t>(3, nodes)), 3};
  std::vector<PlacementTarget> targets = Cluster(nodes, per_node);
  auto chains = PlaceChains(targets, options);
  ASSERT_TRUE(chains.ok()) << chains.status().ToString();
  EXPECT_EQ(*chains, *PlaceChains(targets, options)) << "not deterministic";
  std::map<TargetId, NodeId> node_of;
  for (const PlacementTarget& t : targets) node_of[t.target] = t.node;
  std::map<TargetId, int> per_target;
  std::map<NodeId, int> per_node_use;
  std::map<std::pair<NodeId, NodeId>, int> pairs;
  for (const auto& chain : *chains) {
    ASSERT_EQ(chain.size(), options.replicas);
    std::set<NodeId> distinct;
    for (TargetId t : chain) {
      distinct.insert(node_of.at(t));
      ++per_target[t];
      ++per_node_use[node_of.at(t)];
    }
    EXPECT_EQ(distinct.size(), chain.size()) << "two replicas on one node";
    for (TargetId a : chain) {
      for (TargetId b : chain) {
        if (node_of[a] < node_of[b]) ++pairs[{node_of[a], node_of[b]}];
      }
    }
  }
  auto spread = [](const auto& m, size_t expected_keys) {
    int lo = INT32_MAX, hi = 0;
    for (const auto& [k, v] : m) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
    if (m.size() < expected_keys) lo = 0;
    return std::make_pair(lo, hi);
  };
  auto [tlo, thi] = spread(per_target, targets.size());
  EXPECT_LE(thi - tlo, 1) << "targets in " << tlo << ".." << thi << " chains";
  auto [nlo, nhi] = spread(per_node_use, nodes);
  EXPECT_LE(nhi - nlo, 2) << "nodes in " << nlo << ".." << nhi << " chains";
  if (nodes >= 2 && options.replicas >= 2) {
    size_t node_pairs = nodes * (nodes - 1) / 2;
    double avg = static_cast<double>(chains->size()) * options.replicas * (options.replicas - 1) /
                 2 / static_cast<double>(node_pairs);
    auto [plo, phi] = spread(pairs, node_pairs);
    EXPECT_LE(phi, std::ceil(avg) + 1) << "pairs share " << plo << ".." << phi << ", mean " << avg;
    if (avg >= 1) {
      EXPECT_GE(plo, std::floor(avg) - 1) << "mean " << avg;
    }
  }
}

TEST(PlacementTest, BalancedFromOneNodeToAHundred) {
  for (uint64_t nodes : {1, 2, 3, 4, 5, 7, 10, 16, 25, 50, 100}) CheckBalance(nodes);
}

TEST(PlacementTest, ImpossibleRequestsAreRefused) {
  EXPECT_EQ(PlaceChains({}, {}).status().code(), StatusCode::kInvalidArgument);
  auto two_nodes = Cluster(2, 4);
  auto refused = PlaceChains(two_nodes, {3, 1});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("3 replicas need as many nodes; there are 2"),
            std::string::npos);
  auto dup = Cluster(3, 1);
  dup.push_back(dup.front());
  EXPECT_EQ(PlaceChains(dup, {3, 1}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(PlaceChains(Cluster(3, 1), {0, 1}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace chainfs::mgmtd
