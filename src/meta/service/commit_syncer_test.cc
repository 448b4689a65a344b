// When the metadata server's commits ask for a sync (meta.sync_interval_ms), over a mem store
// that counts the commits asking for one.
#include "meta/service/commit_syncer.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "meta/gc/gc_worker.h"
#include "meta/ops/ops_fixture.h"
#include "meta/service/meta_handler.h"

namespace chainfs::meta {
namespace {

constexpr Nanos kInterval{100'000'000};

class CommitSyncerTest : public MetaOpsTest {
 protected:
  void MakeHandler(Nanos interval) {
    MetaHandlerOptions options;
    options.sync_interval = interval;
    handler_ = std::make_unique<MetaHandler>(engine_, node_, options);
  }
  void TearDown() override {
    if (handler_) Drain();
    MetaOpsTest::TearDown();
  }

  Status Mknod(std::string name) {
    MknodReq req{kRoot, kRootInode, std::move(name), NewEntry{}, {}};
    auto r = RunSimTask(world_, handler_->Mknod(std::move(req), ctx_));
    return r.has_value() ? r->status() : Internal("did not finish");
  }
  Status Remove(std::string name) {
    RemoveReq req{kRoot, kRootInode, std::move(name), {}};
    auto r = RunSimTask(world_, handler_->Unlink(std::move(req), ctx_));
    return r.has_value() ? r->status() : Internal("did not finish");
  }
  Status Change(InodeId id, AttrChange change) {
    SetAttrReq req{kRoot, id, change};
    auto r = RunSimTask(world_, handler_->SetAttr(std::move(req), ctx_));
    return r.has_value() ? r->status() : Internal("did not finish");
  }
  Status Sync() {
    auto r = RunSimTask(world_, handler_->Sync(Empty{}, ctx_));
    return r.has_value() ? r->status() : Internal("did not finish");
  }
  void Drain() { ASSERT_TRUE(RunSimTask(world_, Drained(handler_.get())).has_value()); }
  static Task<bool> Drained(MetaHandler* handler) {
    co_await handler->Drain();
    co_return true;
  }
  // Lets simulated time pass.
  void Wait(Nanos d) { ASSERT_TRUE(RunSimTask(world_, WaitFor(node_, d)).has_value()); }
  static Task<bool> WaitFor(SimNode& node, Nanos d) {
    co_await node.clock().Sleep(d);
    co_return true;
  }

  uint64_t Synced() const { return engine_.durable_commits(); }

  std::unique_ptr<MetaHandler> handler_;
  rpc::CallContext ctx_;
};

TEST_F(CommitSyncerTest, NamespaceChangesAreAnsweredBeforeTheirSync) {
  MakeHandler(kInterval);
  ASSERT_TRUE(Mknod("first").ok());  // also takes a batch of inode ids, which is synced
  uint64_t before = Synced();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Mknod("f" + std::to_string(i)).ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Remove("f" + std::to_string(i)).ok());
  EXPECT_EQ(Synced(), before);
  // fsync and fsyncdir: one synced commit, which carries every one before it.
  ASSERT_TRUE(Sync().ok());
  EXPECT_EQ(Synced(), before + 1);
}

TEST_F(CommitSyncerTest, WithoutAnIntervalEveryChangeIsSynced) {
  MakeHandler(Nanos(0));
  ASSERT_TRUE(Mknod("first").ok());
  uint64_t before = Synced();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Mknod("f" + std::to_string(i)).ok());
  EXPECT_EQ(Synced(), before + 20);
}

TEST_F(CommitSyncerTest, ANewSizeIsSyncedAtOnce) {
  MakeHandler(kInterval);
  ASSERT_TRUE(Mknod("f").ok());
  Result<Attr> f = Lookup(kRoot, kRootInode, "f");
  ASSERT_TRUE(f.ok());
  uint64_t before = Synced();
  ASSERT_TRUE(Change(f->id, AttrChange{.mode = 0600}).ok());
  EXPECT_EQ(Synced(), before);
  // The client removes the chunks past a new size once this returns.
  ASSERT_TRUE(Change(f->id, AttrChange{.size = 0}).ok());
  EXPECT_EQ(Synced(), before + 1);
}

TEST_F(CommitSyncerTest, AnOpenThatTruncatesIsSyncedAtOnce) {
  MakeHandler(kInterval);
  auto session = RunSimTask(world_, handler_->OpenSession(SessionReq{0, "test"}, ctx_));
  ASSERT_TRUE(session.has_value() && session->ok());
  ASSERT_TRUE(Mknod("f").ok());
  Result<Attr> f = Lookup(kRoot, kRootInode, "f");
  ASSERT_TRUE(f.ok());
  auto open = [&](uint32_t flags) {
    OpenReq req{kRoot, f->id, flags, (*session)->session, 0};
    auto r = RunSimTask(world_, handler_->Open(std::move(req), ctx_));
    return r.has_value() ? r->status() : Internal("did not finish");
  };
  uint64_t before = Synced();
  ASSERT_TRUE(open(O_WRONLY).ok());
  ASSERT_TRUE(open(O_RDONLY | O_TRUNC).ok());  // read-only: O_TRUNC does nothing
  EXPECT_EQ(Synced(), before);
  // The client removes the file's chunks once this returns.
  ASSERT_TRUE(open(O_WRONLY | O_TRUNC).ok());
  EXPECT_EQ(Synced(), before + 1);
}

TEST_F(CommitSyncerTest, TheLoopSyncsWithinTheIntervalAndOnlyWhenNeeded) {
  MakeHandler(kInterval);
  bool done = false;
  node_.Spawn(
      [](MetaHandler* h, bool* done) -> Task<void> {
        co_await h->SyncCommits();
        *done = true;
      }(handler_.get(), &done),
      "sync-loop");
  ASSERT_TRUE(Mknod("first").ok());
  Wait(2 * kInterval);
  uint64_t before = Synced();
  Wait(10 * kInterval);
  EXPECT_EQ(Synced(), before) << "nothing to sync, yet the loop synced";
  ASSERT_TRUE(Mknod("second").ok());
  EXPECT_EQ(Synced(), before);
  Wait(2 * kInterval);
  EXPECT_EQ(Synced(), before + 1);
  // A change answered just before the server stops is synced as it stops.
  ASSERT_TRUE(Mknod("third").ok());
  Drain();
  Wait(kInterval / 10);
  EXPECT_TRUE(done);
  EXPECT_EQ(Synced(), before + 2);
  handler_.reset();
}

// Records how many commits had asked for a sync when each file's chunks went.
class SyncCountingRemover : public ChunkRemover {
 public:
  explicit SyncCountingRemover(const kv::MemEngine& engine) : engine_(engine) {}
  Task<std::vector<Status>> RemoveChunks(const std::vector<DoomedFile>& files) override {
    for (size_t i = 0; i < files.size(); ++i)
      synced_at_removal.push_back(engine_.durable_commits());
    co_return std::vector<Status>(files.size());
  }
  std::vector<uint64_t> synced_at_removal;

 private:
  const kv::MemEngine& engine_;
};

TEST_F(CommitSyncerTest, ChunksGoOnlyAfterTheUnlinkIsSynced) {
  MakeHandler(kInterval);
  ASSERT_TRUE(Mknod("f").ok());
  ASSERT_TRUE(Remove("f").ok());
  uint64_t after_unlink = Synced();
  SyncCountingRemover remover(engine_);
  GcWorker gc(engine_, node_, remover);
  auto n = RunSimTask(world_, gc.CollectOnce());
  ASSERT_TRUE(n.has_value() && n->ok());
  ASSERT_EQ(**n, 1u);
  ASSERT_EQ(remover.synced_at_removal.size(), 1u);
  EXPECT_GT(remover.synced_at_removal[0], after_unlink);
}

}  // namespace
}  // namespace chainfs::meta
