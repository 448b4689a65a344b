#include "client/replica_order.h"

#include <gtest/gtest.h>

#include <set>

namespace chainfs::client {
namespace {

mgmtd::Chain ChainOf(std::vector<std::pair<uint64_t, mgmtd::PublicState>> targets) {
  mgmtd::Chain chain;
  chain.id = ChainId(1);
  for (auto [id, state] : targets) chain.targets.push_back({TargetId(id), state});
  return chain;
}

constexpr auto kServing = mgmtd::PublicState::kServing;

TEST(ReplicaOrderTest, OnlyServingReplicasEachOnce) {
  mgmtd::Chain chain = ChainOf({{1, kServing},
                                {2, mgmtd::PublicState::kSyncing},
                                {3, kServing},
                                {4, mgmtd::PublicState::kOffline}});
  std::vector<TargetId> order = ReplicaOrder(chain, ChunkId{InodeId(7), 0}, 0, {});
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(std::set<TargetId>(order.begin(), order.end()),
            (std::set<TargetId>{TargetId(1), TargetId(3)}));
  EXPECT_TRUE(ReplicaOrder(ChainOf({{1, mgmtd::PublicState::kOffline}}), ChunkId{}, 0, {}).empty());
}

TEST(ReplicaOrderTest, AChunkKeepsItsReplicaAndChunksShareTheReplicas) {
  mgmtd::Chain chain = ChainOf({{1, kServing}, {2, kServing}, {3, kServing}});
  std::map<TargetId, int> firsts;
  for (uint64_t index = 0; index < 300; ++index) {
    ChunkId chunk{InodeId(42), index};
    TargetId first = ReplicaOrder(chain, chunk, 0, {}).front();
    EXPECT_EQ(ReplicaOrder(chain, chunk, 0, {}).front(), first);
    ++firsts[first];
  }
  ASSERT_EQ(firsts.size(), 3u);
  for (auto [target, n] : firsts) EXPECT_GT(n, 60) << target.value();
}

TEST(ReplicaOrderTest, RetriesMoveOn) {
  mgmtd::Chain chain = ChainOf({{1, kServing}, {2, kServing}, {3, kServing}});
  ChunkId chunk{InodeId(9), 3};
  std::set<TargetId> tried;
  for (int attempt = 0; attempt < 3; ++attempt) {
    tried.insert(ReplicaOrder(chain, chunk, attempt, {}).front());
  }
  EXPECT_EQ(tried.size(), 3u);
}

TEST(ReplicaOrderTest, AMuchIdlerReplicaGoesFirst) {
  mgmtd::Chain chain = ChainOf({{1, kServing}, {2, kServing}, {3, kServing}});
  ChunkId chunk{InodeId(5), 1};
  std::vector<TargetId> calm = ReplicaOrder(chain, chunk, 0, {});
  TargetId own = calm.front();
  ReplicaLoad load{{TargetId(1), 0}, {TargetId(2), 0}, {TargetId(3), 0}};
  load[own] = kBusySlack - 1;
  EXPECT_EQ(ReplicaOrder(chain, chunk, 0, load).front(), own);
  load[own] = kBusySlack;
  std::vector<TargetId> busy = ReplicaOrder(chain, chunk, 0, load);
  EXPECT_NE(busy.front(), own);
  EXPECT_EQ(busy.size(), 3u);
  EXPECT_EQ(std::set<TargetId>(busy.begin(), busy.end()).size(), 3u);
}

}  // namespace
}  // namespace chainfs::client
