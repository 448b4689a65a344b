#include "storage/server/scrub_schedule.h"

#include <gtest/gtest.h>

namespace chainfs::storage {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(ScrubScheduleTest, APassGoesOnWhereItsLastStepStopped) {
  ScrubSchedule schedule(hours(24));
  TargetId t(1);
  ASSERT_TRUE(schedule.Due(t, seconds(0)));
  EXPECT_EQ(schedule.after(t), std::nullopt);
  ChunkId stopped{InodeId(7), 3};
  schedule.Stepped(t, stopped);
  ASSERT_TRUE(schedule.Due(t, seconds(1)));
  EXPECT_EQ(schedule.after(t), stopped);
}

TEST(ScrubScheduleTest, TheNextPassBeginsAnIntervalAfterTheLastBegan) {
  ScrubSchedule schedule(hours(24));
  TargetId t(1);
  ASSERT_TRUE(schedule.Due(t, hours(1)));
  schedule.Stepped(t, ChunkId{InodeId(7), 0});
  ASSERT_TRUE(schedule.Due(t, hours(2)));
  schedule.Stepped(t, std::nullopt);  // through
  EXPECT_FALSE(schedule.Due(t, hours(2)));
  EXPECT_FALSE(schedule.Due(t, hours(24) + seconds(3599)));
  ASSERT_TRUE(schedule.Due(t, hours(25)));
  EXPECT_EQ(schedule.after(t), std::nullopt);  // from the first chunk again
}

TEST(ScrubScheduleTest, WithNoIntervalAPassFollowsTheLastAtOnce) {
  ScrubSchedule schedule(seconds(0));
  TargetId t(1);
  ASSERT_TRUE(schedule.Due(t, seconds(5)));
  schedule.Stepped(t, std::nullopt);
  EXPECT_TRUE(schedule.Due(t, seconds(5)));
}

TEST(ScrubScheduleTest, TargetsKeepPassesOfTheirOwn) {
  ScrubSchedule schedule(hours(24));
  TargetId a(1), b(2);
  ASSERT_TRUE(schedule.Due(a, hours(0)));
  schedule.Stepped(a, std::nullopt);
  EXPECT_FALSE(schedule.Due(a, hours(3)));
  ASSERT_TRUE(schedule.Due(b, hours(3)));  // its first pass
  ChunkId stopped{InodeId(9), 1};
  schedule.Stepped(b, stopped);
  EXPECT_EQ(schedule.after(b), stopped);
  EXPECT_EQ(schedule.after(a), std::nullopt);
}

}  // namespace
}  // namespace chainfs::storage
