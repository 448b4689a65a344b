#include "meta/gc/gc_worker.h"

#include <gtest/gtest.h>

#include "meta/ops/ops_fixture.h"

namespace chainfs::meta {
namespace {

class GcWorkerTest : public MetaOpsTest {
 protected:
  // A file created and unlinked at once: queued for collection.
  InodeId Doomed(const std::string& name) {
    Result<Attr> f = Create(kRoot, kRootInode, name, NewEntry{});
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    EXPECT_TRUE(Unlink(kRoot, kRootInode, name).ok());
    return f->id;
  }

  size_t Pass(GcWorker& gc) {
    auto n = RunSimTask(world_, gc.CollectOnce());
    EXPECT_TRUE(n.has_value() && n->ok());
    return n.has_value() && n->ok() ? **n : 0;
  }

  void Wait(Nanos d) { ASSERT_TRUE(RunSimTask(world_, WaitFor(node_, d)).has_value()); }
  static Task<bool> WaitFor(SimNode& node, Nanos d) {
    co_await node.clock().Sleep(d);
    co_return true;
  }

  RecordingChunkRemover remover_;
};

TEST_F(GcWorkerTest, APassStartsWhereTheLastOneStopped) {
  std::vector<InodeId> doomed;
  for (int i = 0; i < 5; ++i) doomed.push_back(Doomed("f" + std::to_string(i)));
  GcWorker gc(engine_, node_, remover_, GcOptions{.batch = 2});
  EXPECT_EQ(Pass(gc), 2u);
  EXPECT_EQ(Pass(gc), 2u);
  EXPECT_EQ(Pass(gc), 1u);
  EXPECT_EQ(Pass(gc), 0u);
  EXPECT_EQ(remover_.removed, doomed);  // each file once, in queue order
  // A file unlinked later is queued after the position, so the next pass takes it.
  InodeId late = Doomed("late");
  EXPECT_EQ(Pass(gc), 1u);
  EXPECT_EQ(remover_.removed.back(), late);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 0u);
  ExpectConsistent();
}

TEST_F(GcWorkerTest, AFileWhoseChunksStayedIsTakenAgainAtTheRescan) {
  InodeId a = Doomed("a");
  InodeId b = Doomed("b");
  GcWorker gc(engine_, node_, remover_, GcOptions{.batch = 1, .rescan = Nanos(5'000'000'000)});
  remover_.fail_next = 1;
  EXPECT_EQ(Pass(gc), 0u);  // a's chunks could not be removed: it stays queued
  EXPECT_EQ(Pass(gc), 1u);  // b, after a
  EXPECT_EQ(Pass(gc), 0u);  // a waits for the rescan
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 1u);
  EXPECT_TRUE(GetAttr(a).ok());
  Wait(Nanos(5'000'000'000));
  EXPECT_EQ(Pass(gc), 1u);
  EXPECT_EQ(remover_.removed, (std::vector<InodeId>{b, a}));
  EXPECT_EQ(GetAttr(a).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 0u);
  ExpectConsistent();
}

TEST_F(GcWorkerTest, FilesAreCollectedEveryIntervalThoughSessionsAreCheckedMoreOften) {
  Doomed("a");
  GcWorker gc(engine_, node_, remover_,
              GcOptions{.interval = Nanos(10'000'000'000), .session_check = Nanos(1'000'000'000)});
  node_.Spawn(gc.Run(), "gc");
  world_.RunFor(Nanos(1'000'000'000));
  ASSERT_EQ(remover_.removed.size(), 1u);  // the first pass runs at once
  Doomed("b");
  world_.RunFor(Nanos(5'000'000'000));
  EXPECT_EQ(remover_.removed.size(), 1u);  // sessions were checked; b waits for the interval
  world_.RunFor(Nanos(6'000'000'000));
  EXPECT_EQ(remover_.removed.size(), 2u);
  gc.Stop();
  world_.RunFor(Nanos(1'000'000'000));
}

}  // namespace
}  // namespace chainfs::meta
