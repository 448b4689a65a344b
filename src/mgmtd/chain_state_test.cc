#include "mgmtd/chain_state.h"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <algorithm>

namespace chainfs::mgmtd {
namespace {

constexpr PublicState kPublic[] = {PublicState::kServing, PublicState::kLastServing,
                                   PublicState::kSyncing, PublicState::kWaiting,
                                   PublicState::kOffline};
constexpr LocalState kLocal[] = {LocalState::kUpToDate, LocalState::kOnline, LocalState::kOffline};

size_t Count(const Chain& c, PublicState s) {
  return std::count_if(c.targets.begin(), c.targets.end(),
                       [s](const ChainTarget& t) { return t.state == s; });
}

std::string Show(const Chain& c, const std::map<TargetId, LocalState>& local) {
  std::string out = fmt::format("v{}:", c.version);
  for (const ChainTarget& t : c.targets) {
    auto l = local.find(t.target);
    out +=
        fmt::format(" {}={}/{}", t.target, Name(t.state), l == local.end() ? "-" : Name(l->second));
  }
  return out;
}

// The states a running cluster can publish: at most one LASTSRV and then nothing serving, at
// most one syncing target and then something serving.
bool Reachable(const Chain& c) {
  size_t last = Count(c, PublicState::kLastServing), serving = Count(c, PublicState::kServing);
  size_t syncing = Count(c, PublicState::kSyncing);
  return last <= 1 && !(last && serving) && syncing <= 1 && (!syncing || serving);
}

void CheckStep(const Chain& in, const std::map<TargetId, LocalState>& local) {
  Chain out = NextChain(in, local);
  SCOPED_TRACE(Show(in, local) + "  ->  " + Show(out, local));
  // The same targets, ordered by state, each state group in its old relative order.
  ASSERT_EQ(out.targets.size(), in.targets.size());
  std::vector<TargetId> before, after;
  for (const ChainTarget& t : in.targets) before.push_back(t.target);
  for (const ChainTarget& t : out.targets) after.push_back(t.target);
  EXPECT_TRUE(std::is_permutation(before.begin(), before.end(), after.begin()));
  for (size_t i = 1; i < out.targets.size(); ++i) {
    EXPECT_LE(static_cast<int>(out.targets[i - 1].state), static_cast<int>(out.targets[i].state));
    if (out.targets[i - 1].state == out.targets[i].state) {
      auto a = std::find(before.begin(), before.end(), out.targets[i - 1].target);
      auto b = std::find(before.begin(), before.end(), out.targets[i].target);
      EXPECT_LT(a, b) << "order within a state changed";
    }
  }
  // The version moves exactly when something changed.
  EXPECT_EQ(out.version, in.version + (out.targets == in.targets ? 0 : 1));
  EXPECT_EQ(out.id, in.id);
  // At most one target syncs, and only from a serving one.
  EXPECT_LE(Count(out, PublicState::kSyncing), 1u);
  if (Count(out, PublicState::kSyncing) > 0) {
    EXPECT_GT(Count(out, PublicState::kServing), 0u);
  }
  for (const ChainTarget& t : out.targets) {
    auto prev = std::find_if(in.targets.begin(), in.targets.end(),
                             [&](const ChainTarget& x) { return x.target == t.target; });
    auto l = local.find(t.target);
    LocalState ls = l == local.end() ? LocalState::kOffline : l->second;
    // Nothing down serves or syncs.
    if (ls == LocalState::kOffline) {
      EXPECT_TRUE(t.state == PublicState::kOffline || t.state == PublicState::kLastServing);
    }
    // Serving is earned: by serving, by finishing a sync, or by holding the newest data.
    if (t.state == PublicState::kServing) {
      EXPECT_TRUE(prev->state == PublicState::kServing ||
                  prev->state == PublicState::kLastServing ||
                  (prev->state == PublicState::kSyncing && ls == LocalState::kUpToDate));
    }
    // LASTSRV only ever goes to a target that was serving (or already was LASTSRV).
    if (t.state == PublicState::kLastServing) {
      EXPECT_TRUE(prev->state == PublicState::kServing || prev->state == PublicState::kLastServing);
    }
  }
  if (Reachable(in)) {
    EXPECT_TRUE(Reachable(out));
    // The newest data is never forgotten: someone serves or holds it as LASTSRV.
    bool had = Count(in, PublicState::kServing) + Count(in, PublicState::kLastServing) > 0;
    bool has = Count(out, PublicState::kServing) + Count(out, PublicState::kLastServing) > 0;
    if (had) {
      EXPECT_TRUE(has);
    }
  }
}

// Every combination of public and local states for chains of 1 to 3 targets.
TEST(NextChainTest, EveryCombinationOfStatesUpToThreeTargets) {
  size_t cases = 0;
  for (size_t n = 1; n <= 3; ++n) {
    size_t public_combos = 1, local_combos = 1;
    for (size_t i = 0; i < n; ++i) {
      public_combos *= 5;
      local_combos *= 3;
    }
    for (size_t p = 0; p < public_combos; ++p) {
      Chain chain{ChainId(7), 10, {}};
      for (size_t i = 0, code = p; i < n; ++i, code /= 5) {
        chain.targets.push_back({TargetId(100 + i), kPublic[code % 5]});
      }
      for (size_t l = 0; l < local_combos; ++l) {
        std::map<TargetId, LocalState> local;
        for (size_t i = 0, code = l; i < n; ++i, code /= 3) {
          local[TargetId(100 + i)] = kLocal[code % 3];
        }
        CheckStep(chain, local);
        ++cases;
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
  EXPECT_EQ(cases, 5u * 3 + 25 * 9 + 125 * 27);
}

// With local states holding still, a chain settles within a few steps, and once settled it
// stays (no version churn from heartbeats that change nothing).
TEST(NextChainTest, SettlesAndThenStaysPut) {
  for (size_t p = 0; p < 125; ++p) {
    for (size_t l = 0; l < 27; ++l) {
      Chain chain{ChainId(1), 0, {}};
      std::map<TargetId, LocalState> local;
      for (size_t i = 0, pc = p, lc = l; i < 3; ++i, pc /= 5, lc /= 3) {
        chain.targets.push_back({TargetId(i + 1), kPublic[pc % 5]});
        local[TargetId(i + 1)] = kLocal[lc % 3];
      }
      if (!Reachable(chain)) continue;
      Chain cur = chain;
      int steps = 0;
      for (Chain next = NextChain(cur, local); next.version != cur.version;
           next = NextChain(cur, local)) {
        cur = next;
        ASSERT_LE(++steps, 4) << Show(chain, local);
      }
      EXPECT_EQ(NextChain(cur, local), cur) << Show(chain, local);
    }
  }
}

TEST(NextChainTest, AFailedHeadMovesToTheTailAndAReplacementSyncsThenServes) {
  TargetId a(1), b(2), c(3);
  Chain chain{ChainId(1),
              5,
              {{a, PublicState::kServing}, {b, PublicState::kServing}, {c, PublicState::kServing}}};
  std::map<TargetId, LocalState> local{
      {a, LocalState::kOffline}, {b, LocalState::kUpToDate}, {c, LocalState::kUpToDate}};
  chain = NextChain(chain, local);
  EXPECT_EQ(chain.version, 6u);
  EXPECT_EQ(chain.targets.front().target, b);  // the new head
  EXPECT_EQ(chain.targets.back().target, a);
  EXPECT_EQ(chain.targets.back().state, PublicState::kOffline);
  local[a] = LocalState::kOnline;  // restarted
  chain = NextChain(chain, local);
  EXPECT_EQ(chain.targets.back().state, PublicState::kSyncing);
  chain = NextChain(chain, local);
  EXPECT_EQ(chain.targets.back().state, PublicState::kSyncing);  // no churn while syncing
  EXPECT_EQ(chain.version, 7u);
  local[a] = LocalState::kUpToDate;
  chain = NextChain(chain, local);
  EXPECT_EQ(Count(chain, PublicState::kServing), 3u);
  EXPECT_EQ(chain.targets.back().target, a);  // serves at the tail
}

TEST(NextChainTest, LosingEveryReplicaKeepsTheNewestAsLastServing) {
  TargetId a(1), b(2);
  Chain chain{ChainId(1), 1, {{a, PublicState::kServing}, {b, PublicState::kServing}}};
  std::map<TargetId, LocalState> local{{a, LocalState::kOnline}, {b, LocalState::kOffline}};
  chain = NextChain(chain, local);
  local[a] = LocalState::kOffline;
  chain = NextChain(chain, local);
  EXPECT_EQ(chain.targets[0].target, a);
  EXPECT_EQ(chain.targets[0].state, PublicState::kLastServing);
  // b comes back first: it must not serve (its data is older); it waits for a.
  local[b] = LocalState::kUpToDate;
  chain = NextChain(chain, local);
  EXPECT_EQ(chain.targets[1].state, PublicState::kWaiting);
  local[a] = LocalState::kOnline;
  chain = NextChain(chain, local);
  EXPECT_EQ(chain.targets[0].state, PublicState::kServing);
  EXPECT_EQ(chain.targets[1].state, PublicState::kSyncing);
}

}  // namespace
}  // namespace chainfs::mgmtd
