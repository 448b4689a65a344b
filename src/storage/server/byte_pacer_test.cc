#include "storage/server/byte_pacer.h"

#include <gtest/gtest.h>

namespace chainfs::storage {
namespace {

TEST(BytePacerTest, EachTickGivesOneShareAndIdleTicksSaveNothing) {
  BytePacer pacer(1000, 10);
  EXPECT_FALSE(pacer.has_credit());
  for (int i = 0; i < 5; ++i) pacer.Tick();
  EXPECT_EQ(pacer.credit(), 100u);
  pacer.Spend(40);
  EXPECT_EQ(pacer.credit(), 60u);
  pacer.Tick();
  EXPECT_EQ(pacer.credit(), 100u);
}

TEST(BytePacerTest, AnOverdraftIsPaidFromTheNextShares) {
  BytePacer pacer(1000, 10);
  pacer.Tick();
  pacer.Spend(350);  // one step larger than a share
  EXPECT_FALSE(pacer.has_credit());
  EXPECT_EQ(pacer.credit(), 0u);
  pacer.Tick();
  pacer.Tick();
  EXPECT_FALSE(pacer.has_credit());  // -250, then -150, then -50
  pacer.Tick();
  EXPECT_EQ(pacer.credit(), 50u);
}

TEST(BytePacerTest, OverManyTicksSpendingStaysWithinTheRatePlusOneStep) {
  constexpr uint64_t kStep = 1 << 20;  // whole chunks, each larger than a share
  BytePacer pacer(uint64_t{4} << 20, 10);
  uint64_t spent = 0;
  for (int tick = 0; tick < 100; ++tick) {  // ten seconds
    pacer.Tick();
    while (pacer.has_credit()) {
      pacer.Spend(kStep);
      spent += kStep;
    }
  }
  EXPECT_LE(spent, (uint64_t{40} << 20) + kStep);
  EXPECT_GE(spent, (uint64_t{40} << 20) - kStep);
}

TEST(BytePacerTest, ARateBelowOneBytePerTickStillMoves) {
  BytePacer pacer(1, 10);
  pacer.Tick();
  EXPECT_EQ(pacer.credit(), 1u);
}

}  // namespace
}  // namespace chainfs::storage
