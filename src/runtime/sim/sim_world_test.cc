#include "runtime/sim/sim_world.h"

#include <gtest/gtest.h>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>

#include "runtime/notifier.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs {
namespace {

Task<Nanos> SleepAndReport(Clock& clock, Nanos d) {
  co_await clock.Sleep(d);
  co_return clock.Now();
}

TEST(SimWorldTest, VirtualTimeJumps) {
  SimWorld world(1);
  SimClock clock(world);
  auto t = RunSimTask(world, SleepAndReport(clock, 3600s));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, Nanos(3600s));
}

Task<int> WaitOnNotifier(Notifier& n, Clock& clock) {
  auto r = co_await n.Wait(clock.Now() + 10s);
  co_return r == Timer::WaitResult::kWoken ? 1 : 0;
}

Task<void> NotifyLater(Notifier& n, Clock& clock) {
  co_await clock.Sleep(1s);
  n.NotifyAll();
}

TEST(SimWorldTest, NotifierWakesBeforeDeadline) {
  SimWorld world(1);
  SimClock clock(world);
  Notifier n(clock);
  Spawn(world.executor(), NotifyLater(n, clock), "notify");
  auto r = RunSimTask(world, WaitOnNotifier(n, clock));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 1);
  EXPECT_EQ(world.now(), Nanos(1s));
}

TEST(SimWorldTest, TimerCancelBeforeWaitReturnsAtOnce) {
  SimWorld world(1);
  SimClock clock(world);
  auto timer = clock.NewTimer();
  timer->ExpiresAt(Nanos(5s));
  timer->Cancel();
  auto r = RunSimTask(world, timer->Wait());
  EXPECT_EQ(*r, Timer::WaitResult::kWoken);
  EXPECT_EQ(world.now(), Nanos(0));
}

Task<Result<int>> HalfOf(int x) {
  if (x % 2 != 0) co_return InvalidArgument("odd");
  co_return x / 2;
}

Task<Result<int>> QuarterOf(int x) {
  CO_ASSIGN_OR_RETURN(int half, co_await HalfOf(x));
  CO_RETURN_IF_ERROR(co_await HalfOf(half));
  co_return half / 2;
}

TEST(SimWorldTest, CoroutineErrorMacrosPropagate) {
  SimWorld world(1);
  EXPECT_EQ(**RunSimTask(world, QuarterOf(8)), 2);
  EXPECT_EQ(RunSimTask(world, QuarterOf(6))->status().message(), "odd");
  EXPECT_EQ(RunSimTask(world, QuarterOf(5))->status().message(), "odd");
}

TEST(SimWorldTest, CancellationSlotAbortsASleep) {
  SimWorld world(1);
  SimClock clock(world);
  asio::cancellation_signal signal;
  std::optional<bool> slept;
  asio::co_spawn(world.executor(), clock.Sleep(100s),
                 asio::bind_cancellation_slot(
                     signal.slot(), [&](std::exception_ptr, bool full) { slept = full; }));
  world.Schedule(Nanos(1s), [&] { signal.emit(asio::cancellation_type::terminal); });
  world.RunUntil([&] { return slept.has_value(); }, Nanos(200s));
  ASSERT_TRUE(slept.has_value());
  EXPECT_FALSE(*slept);
  EXPECT_EQ(world.now(), Nanos(1s));
}

}  // namespace
}  // namespace chainfs
