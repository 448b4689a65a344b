#include <fcntl.h>
#include <gtest/gtest.h>

#include "meta/gc/gc_worker.h"
#include "meta/ops/lock_ops.h"
#include "meta/ops/open_ops.h"
#include "meta/ops/ops_fixture.h"
#include "meta/ops/sessions.h"

namespace chainfs::meta {
namespace {

constexpr uint64_t kSession = 0xabc;
constexpr uint64_t kOther = 0xdef;

class SessionTest : public MetaOpsTest {
 protected:
  void SetUp() override {
    MetaOpsTest::SetUp();
    ASSERT_TRUE(Register(kSession).ok());
    ASSERT_TRUE(Register(kOther).ok());
  }

  int64_t Now() { return node_.clock().WallNow().count(); }

  Status Register(uint64_t session, Nanos lease = Nanos(10'000'000'000)) {
    PutClientOp op(session, ClientRecord{"test", Now() + lease.count()}, /*renew=*/false);
    return Exec(op);
  }

  Result<Attr> Open(InodeId id, uint32_t flags, uint64_t session = 0, const Caller& c = kRoot) {
    OpenOp op(c, id, flags, session, Now());
    Status st = Exec(op);
    if (!st.ok()) return st;
    return op.result;
  }

  Result<Attr> Report(InodeId id, uint64_t session, LengthReport r, bool close) {
    ReportLengthOp op(kRoot, id, session, r, close, Now());
    Status st = Exec(op);
    if (!st.ok()) return st;
    return op.result;
  }

  Status Lock(InodeId id, LockKind kind, LockOwner owner, LockType type, uint64_t start = 0,
              uint64_t end = kLockToEnd) {
    SetLockOp op(id, LockRequest{kind, owner, LockRange{start, end, type, 1}});
    return Exec(op);
  }

  InodeId NewFile(std::string name) {
    Result<Attr> f = Create(kRoot, kRootInode, std::move(name), NewEntry{});
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    return f->id;
  }

  size_t Collect() {
    GcWorker gc(engine_, node_, remover_);
    auto n = RunSimTask(world_, gc.CollectOnce());
    return n.has_value() && n->ok() ? **n : 0;
  }

  size_t Reap() {
    GcWorker gc(engine_, node_, remover_);
    auto n = RunSimTask(world_, gc.ReapSessionsOnce());
    return n.has_value() && n->ok() ? **n : 0;
  }

  RecordingChunkRemover remover_;
};

TEST_F(SessionTest, WritingNeedsARegisteredSession) {
  InodeId f = NewFile("f");
  EXPECT_EQ(Open(f, O_WRONLY).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open(f, O_RDWR, 0x999).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Open(f, O_RDWR, kSession).ok());
  EXPECT_EQ(CountKeys(keys::Sessions(f)), 1u);
  EXPECT_TRUE(Open(f, O_RDONLY).ok());
}

TEST_F(SessionTest, OpenChecksAccessModeAndType) {
  InodeId f = NewFile("f");
  ASSERT_TRUE(Mkdir(kRoot, kRootInode, "d").ok());
  InodeId d = Lookup(kRoot, kRootInode, "d")->id;
  EXPECT_EQ(Open(d, O_WRONLY, kSession).status().code(), StatusCode::kIsDirectory);
  EXPECT_TRUE(Open(d, O_RDONLY).ok());
  EXPECT_EQ(Open(f, O_ACCMODE).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open(f, O_RDONLY | O_CREAT).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Open(f, O_WRONLY, kSession, kAlice).status().code(),
            StatusCode::kPermissionDenied);  // 0644 owned by root
  EXPECT_TRUE(Open(f, O_RDONLY, 0, kAlice).ok());
  EXPECT_EQ(Open(InodeId(4242), O_RDONLY).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(Create(kRoot, kRootInode, "l", NewEntry{FileType::kSymlink, 0, 0, "f"}).ok());
  EXPECT_EQ(Open(Lookup(kRoot, kRootInode, "l")->id, O_RDONLY).status().code(), StatusCode::kLoop);
}

TEST_F(SessionTest, LengthGrowsByReportsAndTruncateWins) {
  InodeId f = NewFile("f");
  Result<Attr> opened = Open(f, O_RDWR, kSession);
  ASSERT_TRUE(opened.ok());
  uint64_t tv = opened->record.truncate_version;
  ASSERT_TRUE(Report(f, kSession, {4096, tv, true}, false).ok());
  EXPECT_EQ(GetAttr(f)->record.size, 4096u);
  ASSERT_TRUE(Report(f, kSession, {100, tv, true}, false).ok());  // never shrinks
  EXPECT_EQ(GetAttr(f)->record.size, 4096u);
  // O_TRUNC from another writer: the first writer's older report no longer extends the file.
  Result<Attr> truncated = Open(f, O_WRONLY | O_TRUNC, kOther);
  ASSERT_TRUE(truncated.ok());
  EXPECT_EQ(GetAttr(f)->record.size, 0u);
  ASSERT_TRUE(Report(f, kSession, {8192, tv, true}, true).ok());
  EXPECT_EQ(GetAttr(f)->record.size, 0u);
  ASSERT_TRUE(Report(f, kOther, {10, truncated->record.truncate_version, true}, true).ok());
  EXPECT_EQ(GetAttr(f)->record.size, 10u);
  EXPECT_EQ(CountKeys(keys::Sessions(f)), 0u);
  StatfsOp statfs;
  ASSERT_TRUE(Exec(statfs).ok());
  EXPECT_EQ(statfs.bytes_used, 10u);
  EXPECT_EQ(statfs.inodes_used, 2u);  // root and f
  ExpectConsistent();
}

TEST_F(SessionTest, AWriteDropsSetuidForNonRoot) {
  Result<Attr> f = Create(kAlice, kRootInode, "f", NewEntry{FileType::kRegular, 04755});
  // Root's directory: alice may not create there.
  EXPECT_EQ(f.status().code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(Mkdir(kRoot, kRootInode, "pub", 0777).ok());
  InodeId pub = Lookup(kRoot, kRootInode, "pub")->id;
  f = Create(kAlice, pub, "f", NewEntry{FileType::kRegular, 04755});
  ASSERT_TRUE(f.ok());
  ReportLengthOp op(kAlice, f->id, 0, {1, 0, true}, false, Now());
  ASSERT_TRUE(Exec(op).ok());
  EXPECT_EQ(GetAttr(f->id)->record.mode, 0755u);
}

TEST_F(SessionTest, UnlinkedWhileOpenWaitsForTheLastClose) {
  InodeId f = NewFile("f");
  ASSERT_TRUE(Open(f, O_RDWR, kSession).ok());
  ASSERT_TRUE(Open(f, O_RDONLY, kOther).ok());
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "f").ok());
  EXPECT_EQ(CountKeys(keys::AllOrphans()), 1u);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 0u);
  EXPECT_EQ(Collect(), 0u);
  ExpectConsistent();
  // Still readable through the open handle: the inode is there.
  EXPECT_TRUE(GetAttr(f).ok());
  ASSERT_TRUE(Report(f, kSession, {5, 0, true}, true).ok());
  EXPECT_EQ(CountKeys(keys::AllOrphans()), 1u);  // kOther still has it open
  ASSERT_TRUE(Report(f, kOther, {0, 0, false}, true).ok());
  EXPECT_EQ(CountKeys(keys::AllOrphans()), 0u);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 1u);
  ExpectConsistent();
  EXPECT_EQ(Collect(), 1u);
  EXPECT_EQ(remover_.removed, std::vector<InodeId>{f});
  EXPECT_EQ(GetAttr(f).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 0u);
  EXPECT_EQ(CountKeys(keys::HeldBy(kSession)), 0u);
  ExpectConsistent();
}

TEST_F(SessionTest, ClosingManyFilesAtOnceEndsEachSession) {
  InodeId kept = NewFile("kept");
  InodeId gone = NewFile("gone");
  InodeId other = NewFile("other");
  for (InodeId f : {kept, gone, other}) ASSERT_TRUE(Open(f, O_RDWR, kSession).ok());
  ASSERT_TRUE(Open(other, O_RDWR, kOther).ok());
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "gone").ok());
  EXPECT_EQ(CountKeys(keys::AllOrphans()), 1u);
  CloseFilesOp mismatched(kSession, {kept}, {}, Now());
  EXPECT_EQ(Exec(mismatched).code(), StatusCode::kInvalidArgument);
  CloseFilesOp close(kSession, {kept, gone, other, InodeId(999999)}, {0, 0, 0, 0}, Now());
  ASSERT_TRUE(Exec(close).ok());
  // The unlinked file goes to the GC queue; the other session still writes `other`.
  EXPECT_EQ(CountKeys(keys::AllOrphans()), 0u);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 1u);
  EXPECT_EQ(CountKeys(keys::Sessions(kept)), 0u);
  EXPECT_EQ(CountKeys(keys::Sessions(other)), 1u);
  EXPECT_EQ(CountKeys(keys::HeldBy(kSession)), 0u);
  ExpectConsistent();
  EXPECT_EQ(Collect(), 1u);
  EXPECT_EQ(GetAttr(gone).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(GetAttr(kept).ok());
  ExpectConsistent();
}

// A close that reaches the store after a later open of the same file (the client queued it,
// then opened again) leaves the newer open's session in place.
TEST_F(SessionTest, ACloseOlderThanTheLastOpenKeepsTheSession) {
  InodeId f = NewFile("f");
  OpenOp first(kRoot, f, O_RDWR, kSession, Now(), /*stamp=*/1);
  ASSERT_TRUE(Exec(first).ok());
  OpenOp second(kRoot, f, O_RDWR, kSession, Now(), /*stamp=*/2);
  ASSERT_TRUE(Exec(second).ok());
  CloseFilesOp late(kSession, {f}, {1}, Now());
  ASSERT_TRUE(Exec(late).ok());
  EXPECT_EQ(CountKeys(keys::Sessions(f)), 1u);
  ReportLengthOp stale(kRoot, f, kSession, {0, 0, false}, true, Now(), /*stamp=*/1);
  ASSERT_TRUE(Exec(stale).ok());
  EXPECT_EQ(CountKeys(keys::Sessions(f)), 1u);
  // The close of the newest open ends it.
  CloseFilesOp last(kSession, {f}, {2}, Now());
  ASSERT_TRUE(Exec(last).ok());
  EXPECT_EQ(CountKeys(keys::Sessions(f)), 0u);
  EXPECT_EQ(CountKeys(keys::HeldBy(kSession)), 0u);
  ExpectConsistent();
}

TEST_F(SessionTest, FailedChunkRemovalKeepsTheFileQueued) {
  InodeId f = NewFile("f");
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "f").ok());
  remover_.fail_next = 1;
  EXPECT_EQ(Collect(), 0u);
  EXPECT_TRUE(GetAttr(f).ok());
  EXPECT_EQ(Collect(), 1u);
  EXPECT_EQ(GetAttr(f).status().code(), StatusCode::kNotFound);
  ExpectConsistent();
}

TEST_F(SessionTest, ExpiredSessionReleasesFilesAndLocks) {
  constexpr uint64_t kShort = 0x5;
  ASSERT_TRUE(Register(kShort, Nanos(1'000'000'000)).ok());
  InodeId f = NewFile("f");
  InodeId g = NewFile("g");
  ASSERT_TRUE(Open(f, O_WRONLY, kShort).ok());
  ASSERT_TRUE(Lock(g, LockKind::kFlock, {kShort, 1}, LockType::kWrite).ok());
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "f").ok());
  EXPECT_EQ(Lock(g, LockKind::kFlock, {kOther, 1}, LockType::kRead).code(),
            StatusCode::kWouldBlock);
  EXPECT_EQ(Reap(), 0u);  // not yet expired
  world_.RunFor(Nanos(2'000'000'000));
  EXPECT_EQ(Reap(), 1u);
  EXPECT_EQ(CountKeys(keys::AllOrphans()), 0u);
  EXPECT_EQ(CountKeys(keys::AllGcQueue()), 1u);
  EXPECT_TRUE(Lock(g, LockKind::kFlock, {kOther, 1}, LockType::kRead).ok());
  PutClientOp renew(kShort, ClientRecord{"test", Now() + 1'000'000'000}, /*renew=*/true);
  EXPECT_EQ(Exec(renew).code(), StatusCode::kNotFound);
  EXPECT_EQ(Open(g, O_RDWR, kShort).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Collect(), 1u);
  ExpectConsistent();
}

TEST_F(SessionTest, RenewedSessionIsNotReaped) {
  constexpr uint64_t kShort = 0x6;
  ASSERT_TRUE(Register(kShort, Nanos(1'000'000'000)).ok());
  world_.RunFor(Nanos(500'000'000));
  PutClientOp renew(kShort, ClientRecord{"test", Now() + 5'000'000'000}, /*renew=*/true);
  ASSERT_TRUE(Exec(renew).ok());
  world_.RunFor(Nanos(1'000'000'000));
  EXPECT_EQ(Reap(), 0u);
  EndClientOp end(kShort, Now(), /*only_if_expired=*/false);
  ASSERT_TRUE(Exec(end).ok());
  EXPECT_TRUE(end.ended);
  EXPECT_EQ(CountKeys(keys::AllClients()), 2u);  // kSession and kOther
}

TEST_F(SessionTest, FlockSharedAndExclusive) {
  InodeId f = NewFile("f");
  LockOwner a{kSession, 1}, b{kOther, 1}, a2{kSession, 2};
  EXPECT_TRUE(Lock(f, LockKind::kFlock, a, LockType::kRead).ok());
  EXPECT_TRUE(Lock(f, LockKind::kFlock, b, LockType::kRead).ok());
  EXPECT_EQ(Lock(f, LockKind::kFlock, a2, LockType::kWrite).code(), StatusCode::kWouldBlock);
  EXPECT_EQ(Lock(f, LockKind::kFlock, a, LockType::kWrite).code(), StatusCode::kWouldBlock);
  EXPECT_TRUE(Lock(f, LockKind::kFlock, b, LockType::kUnlock).ok());
  EXPECT_TRUE(Lock(f, LockKind::kFlock, a, LockType::kWrite).ok());  // upgrade
  // flock and fcntl locks do not see each other.
  EXPECT_TRUE(Lock(f, LockKind::kPosix, b, LockType::kWrite, 0, 10).ok());
  EXPECT_TRUE(Lock(f, LockKind::kFlock, a, LockType::kUnlock).ok());
  EXPECT_EQ(Lock(f, LockKind::kFlock, a, LockType::kWrite, 0, 0).code(), StatusCode::kOk);
}

TEST_F(SessionTest, PosixRangesConflictOnlyWhereTheyOverlap) {
  InodeId f = NewFile("f");
  LockOwner a{kSession, 7}, b{kOther, 7};
  ASSERT_TRUE(Lock(f, LockKind::kPosix, a, LockType::kWrite, 0, 99).ok());
  EXPECT_TRUE(Lock(f, LockKind::kPosix, b, LockType::kWrite, 100, 199).ok());
  EXPECT_EQ(Lock(f, LockKind::kPosix, b, LockType::kRead, 50, 50).code(), StatusCode::kWouldBlock);
  // Unlocking the middle of a's range splits it.
  ASSERT_TRUE(Lock(f, LockKind::kPosix, a, LockType::kUnlock, 40, 59).ok());
  EXPECT_TRUE(Lock(f, LockKind::kPosix, b, LockType::kRead, 50, 50).ok());
  GetLockOp probe(f, LockRequest{LockKind::kPosix, b, LockRange{30, 45, LockType::kRead, 2}});
  ASSERT_TRUE(Exec(probe).ok());
  ASSERT_TRUE(probe.conflict.has_value());
  EXPECT_EQ(probe.conflict->owner, a);
  EXPECT_EQ(probe.conflict->range.start, 0u);
  EXPECT_EQ(probe.conflict->range.end, 39u);
  GetLockOp free(f, LockRequest{LockKind::kPosix, b, LockRange{300, 400, LockType::kWrite, 2}});
  ASSERT_TRUE(Exec(free).ok());
  EXPECT_FALSE(free.conflict.has_value());
  EXPECT_EQ(Lock(f, LockKind::kPosix, a, LockType::kWrite, 9, 3).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Lock(InodeId(999), LockKind::kPosix, a, LockType::kWrite).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Lock(f, LockKind::kPosix, {0x777, 1}, LockType::kWrite).code(), StatusCode::kNotFound);
}

TEST(ApplyLockTest, SplitsMergesAndReplaces) {
  std::vector<LockRange> held;
  held = ApplyLock(held, {0, 9, LockType::kRead, 1});
  held = ApplyLock(held, {10, 19, LockType::kRead, 1});
  ASSERT_EQ(held.size(), 1u);  // touching ranges of one type merge
  EXPECT_EQ(held[0].end, 19u);
  held = ApplyLock(held, {5, 14, LockType::kWrite, 1});
  ASSERT_EQ(held.size(), 3u);
  EXPECT_EQ(held[0].end, 4u);
  EXPECT_EQ(held[1].type, LockType::kWrite);
  EXPECT_EQ(held[2].start, 15u);
  held = ApplyLock(held, {0, kLockToEnd, LockType::kUnlock, 1});
  EXPECT_TRUE(held.empty());
  held = ApplyLock(held, {100, kLockToEnd, LockType::kWrite, 1});
  held = ApplyLock(held, {200, kLockToEnd, LockType::kWrite, 1});
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].start, 100u);
}

TEST_F(SessionTest, DevicesAndLayoutsAtCreation) {
  EXPECT_EQ(Create(kRoot, kRootInode, "r", NewEntry{FileType::kRegular, 0644, 5}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      Create(kRoot, kRootInode, "null", NewEntry{FileType::kCharDevice, 0666, (1 << 8) | 3}).ok());
  EXPECT_EQ(Create(kRoot, kRootInode, "big", NewEntry{FileType::kBlockDevice, 0600, 1ULL << 63})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      Create(kRoot, kRootInode, "bad", NewEntry{static_cast<FileType>(42), 0600}).status().code(),
      StatusCode::kInvalidArgument);
  CreateOp placed(kRoot, kRootInode, "placed", NewEntry{}, NewId(), 100,
                  CreateOptions{.first_chain = 6, .seed = 99, .chains = 4});
  ASSERT_TRUE(Exec(placed).ok());
  ASSERT_TRUE(placed.result.record.layout.has_value());
  EXPECT_EQ(placed.result.record.layout->first_chain, 2u);
  EXPECT_EQ(placed.result.record.layout->stripe, 4u);
  EXPECT_EQ(placed.result.record.layout->seed, 99u);
  CreateOp opened(kRoot, kRootInode, "opened", NewEntry{}, NewId(), 100,
                  CreateOptions{.open_session = kSession});
  ASSERT_TRUE(Exec(opened).ok());
  EXPECT_EQ(CountKeys(keys::Sessions(opened.result.id)), 1u);
  ExpectConsistent();
}

}  // namespace
}  // namespace chainfs::meta
