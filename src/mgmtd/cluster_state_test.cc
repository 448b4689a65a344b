#include "mgmtd/cluster_state.h"

#include <gtest/gtest.h>

namespace chainfs::mgmtd {
namespace {

constexpr Nanos kSecond{1'000'000'000};

HeartbeatReq Beat(uint64_t node, uint64_t incarnation, LocalState local = LocalState::kUpToDate) {
  HeartbeatReq hb;
  hb.node = NodeId(node);
  hb.address = "s" + std::to_string(node) + ":9000";
  hb.incarnation = incarnation;
  hb.targets.push_back(TargetReport{TargetId(node * 10 + 1), local, 0, 0});
  return hb;
}

PublicState StateOf(const ClusterState& c, uint64_t target) {
  const TargetInfo& t = c.routing().targets.at(TargetId(target));
  return *StateIn(c.routing().chains.at(t.chain), TargetId(target));
}

class ClusterStateTest : public ::testing::Test {
 protected:
  // Three nodes with one target each, in one chain of three.
  void SetUp() override {
    for (uint64_t n = 1; n <= 3; ++n) EXPECT_TRUE(cluster_.Heartbeat(Beat(n, 100 + n), now_));
    CreateChainsReq req;
    req.replicas = 3;
    ASSERT_TRUE(cluster_.CreateChains(req).ok());
    ASSERT_EQ(cluster_.routing().chains.size(), 1u);
    ASSERT_EQ(cluster_.routing().chain_tables.at(0).chains.size(), 1u);
  }
  void AllBeat(LocalState second = LocalState::kUpToDate, uint64_t second_incarnation = 102) {
    now_ += kSecond;
    cluster_.Heartbeat(Beat(1, 101), now_);
    cluster_.Heartbeat(Beat(2, second_incarnation, second), now_);
    cluster_.Heartbeat(Beat(3, 103), now_);
  }

  ClusterState cluster_{RoutingInfo{}};
  Nanos now_{0};
};

TEST_F(ClusterStateTest, NewChainsServeAndQuietHeartbeatsChangeNothing) {
  for (uint64_t t : {11, 21, 31}) EXPECT_EQ(StateOf(cluster_, t), PublicState::kServing);
  uint64_t version = cluster_.routing().version;
  AllBeat();
  EXPECT_EQ(cluster_.routing().version, version);
}

TEST_F(ClusterStateTest, SilentNodeFailsAndComesBackThroughSync) {
  for (int i = 0; i < 6; ++i) {
    now_ += kSecond;
    cluster_.Heartbeat(Beat(1, 101), now_);
    cluster_.Heartbeat(Beat(3, 103), now_);
    cluster_.ExpireSilent(now_, 5 * kSecond);
  }
  EXPECT_FALSE(cluster_.routing().nodes.at(NodeId(2)).alive);
  EXPECT_EQ(StateOf(cluster_, 21), PublicState::kOffline);
  EXPECT_EQ(cluster_.routing().chains.begin()->second.targets.back().target, TargetId(21));
  AllBeat(LocalState::kOnline);
  EXPECT_EQ(StateOf(cluster_, 21), PublicState::kSyncing);
  AllBeat(LocalState::kUpToDate);
  EXPECT_EQ(StateOf(cluster_, 21), PublicState::kServing);
}

TEST_F(ClusterStateTest, RestartedNodeSyncsBeforeServing) {
  uint64_t version = cluster_.routing().version;
  // Back before anyone noticed it was gone, but with a new incarnation.
  AllBeat(LocalState::kOnline, 999);
  EXPECT_GT(cluster_.routing().version, version);
  EXPECT_NE(StateOf(cluster_, 21), PublicState::kServing);
  AllBeat(LocalState::kOnline, 999);
  EXPECT_EQ(StateOf(cluster_, 21), PublicState::kSyncing);
}

// A server says why a target is offline; the note is in the routing and in `chainfs status`,
// cut to its limit, and repeating it changes nothing.
TEST_F(ClusterStateTest, WhyATargetIsOfflineIsShown) {
  HeartbeatReq hb = Beat(2, 102, LocalState::kOffline);
  hb.targets[0].note = "left its chain; " + std::string(300, 'x');
  now_ += kSecond;
  EXPECT_TRUE(cluster_.Heartbeat(hb, now_));
  const TargetInfo& t = cluster_.routing().targets.at(TargetId(21));
  EXPECT_EQ(t.note.size(), ClusterState::kMaxNoteBytes);
  EXPECT_NE(FormatRouting(cluster_.routing()).find("OFFLINE (left its chain; xxx"),
            std::string::npos)
      << FormatRouting(cluster_.routing());
  uint64_t version = cluster_.routing().version;
  now_ += kSecond;
  EXPECT_FALSE(cluster_.Heartbeat(hb, now_));
  EXPECT_EQ(cluster_.routing().version, version);
  now_ += kSecond;
  EXPECT_TRUE(cluster_.Heartbeat(Beat(2, 102, LocalState::kOnline), now_));
  EXPECT_TRUE(cluster_.routing().targets.at(TargetId(21)).note.empty());
}

TEST_F(ClusterStateTest, AdminOperationsCheckTheirArguments) {
  EXPECT_EQ(cluster_.CreateChains(CreateChainsReq{}).code(), StatusCode::kInvalidArgument);
  RemoveTargetReq serving{TargetId(21)};
  EXPECT_EQ(cluster_.RemoveTarget(serving).code(), StatusCode::kInvalidArgument);
  AddTargetReq unknown{ChainId(1), TargetId(99)};
  EXPECT_EQ(cluster_.AddTarget(unknown).code(), StatusCode::kInvalidArgument);
  // A fourth node's target joins the chain offline, waits, syncs.
  now_ += kSecond;
  cluster_.Heartbeat(Beat(4, 104, LocalState::kOnline), now_);
  AddTargetReq add{ChainId(1), TargetId(41)};
  ASSERT_TRUE(cluster_.AddTarget(add).ok());
  EXPECT_EQ(cluster_.AddTarget(add).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(StateOf(cluster_, 41), PublicState::kSyncing);
  // Once its node is gone, it can be removed.
  for (int i = 0; i < 6; ++i) {
    AllBeat();
    cluster_.ExpireSilent(now_, 5 * kSecond);
  }
  EXPECT_EQ(StateOf(cluster_, 41), PublicState::kOffline);
  RemoveTargetReq remove{TargetId(41)};
  ASSERT_TRUE(cluster_.RemoveTarget(remove).ok());
  EXPECT_EQ(cluster_.routing().chains.at(ChainId(1)).targets.size(), 3u);
}

}  // namespace
}  // namespace chainfs::mgmtd
