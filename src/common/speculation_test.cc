#include "common/speculation.h"

#include <gtest/gtest.h>

namespace chainfs {
namespace {

TEST(SpeculationTest, TriesUntilATryFindsNothing) {
  Speculation s;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(s.ShouldTry());
}

TEST(SpeculationTest, AMissSkipsTheNextFewTries) {
  Speculation s;
  ASSERT_TRUE(s.ShouldTry());
  s.Missed();
  for (int i = 0; i < Speculation::kSkip; ++i) EXPECT_FALSE(s.ShouldTry()) << i;
  EXPECT_TRUE(s.ShouldTry());
  EXPECT_TRUE(s.ShouldTry());  // found something: keeps trying
  s.Missed();
  EXPECT_FALSE(s.ShouldTry());
}

}  // namespace
}  // namespace chainfs
