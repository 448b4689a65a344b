#include "fuse/xattr_free.h"

#include <gtest/gtest.h>

namespace chainfs::fuse {
namespace {

using namespace std::chrono_literals;

TEST(XattrFreeTest, KnownWithinTheTimeoutOnly) {
  XattrFree x;
  x.set_ttl(1.0);
  auto t0 = XattrFree::Clock::now();
  x.Note(7, true, t0);
  EXPECT_TRUE(x.Known(7, t0 + 999ms));
  EXPECT_FALSE(x.Known(7, t0 + 1s));
  EXPECT_FALSE(x.Known(8, t0));
}

TEST(XattrFreeTest, AnAnswerWithAttributesOrAChangeDropsTheEntry) {
  XattrFree x;
  x.set_ttl(1.0);
  auto t0 = XattrFree::Clock::now();
  x.Note(7, true, t0);
  x.Note(7, false, t0);
  EXPECT_FALSE(x.Known(7, t0));
  x.Note(7, true, t0);
  x.Forget(7);
  EXPECT_FALSE(x.Known(7, t0));
  EXPECT_EQ(x.size(), 0u);
}

TEST(XattrFreeTest, ZeroTimeoutKeepsNothingAndTheSizeIsBounded) {
  XattrFree none;
  none.set_ttl(0);
  none.Note(7, true);
  EXPECT_FALSE(none.Known(7));
  XattrFree x;
  x.set_ttl(1.0);
  auto t0 = XattrFree::Clock::now();
  for (uint64_t i = 0; i < 70'000; ++i) x.Note(i, true, t0);
  EXPECT_LE(x.size(), size_t{1} << 16);
  EXPECT_TRUE(x.Known(69'999, t0));
}

}  // namespace
}  // namespace chainfs::fuse
