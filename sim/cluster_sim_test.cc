#include "cluster_sim.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "common/logging.h"

namespace chainfs::sim {
namespace {

// Seeds [first, first + count): each failing seed is printed with the command that replays it.
void RunSeeds(uint64_t first, uint64_t count) {
  SetLogLevel(LogLevel::kOff);
  for (uint64_t seed = first; seed < first + count; ++seed) {
    SimOutcome outcome = RunClusterSim(seed, ConfigForSeed(seed));
    if (outcome.ok()) continue;
    std::string lines;
    for (const std::string& f : outcome.failures) lines += "  " + f + "\n";
    ADD_FAILURE() << fmt::format("seed {} failed; replay with: build/sim/chainfs-sim --seed {}\n{}",
                                 seed, seed, lines);
  }
}

class SeedBatch : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SeedBatch, NoAcknowledgedWriteLostAndReadsLinearizable) {
  RunSeeds(GetParam() * 20 + 1, 20);
}

// 200 seeds in ten batches, so ctest can spread them over cores.
INSTANTIATE_TEST_SUITE_P(Seeds, SeedBatch, ::testing::Range<uint64_t>(0, 10));

TEST(ClusterSimTest, SameSeedSameRun) {
  SimConfig config = ConfigForSeed(7);
  SimOutcome a = RunClusterSim(7, config);
  SimOutcome b = RunClusterSim(7, config);
  EXPECT_EQ(a.acked_writes, b.acked_writes);
  EXPECT_EQ(a.reads, b.reads);
  EXPECT_EQ(a.faults, b.faults);
  EXPECT_GT(a.acked_writes, 0u);
}

}  // namespace
}  // namespace chainfs::sim
