#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/xattr.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "client/close_queue.h"
#include "client/meta_client.h"
#include "common/errno.h"
#include "meta/check/checker.h"
#include "meta/schema/keys.h"
#include "meta/server/meta_test_cluster.h"

namespace chainfs::meta {
namespace {

const Caller kRoot{0, 0, {}};
const Caller kAlice{1000, 1000, {}};

StatusCode CodeOf(const Result<auto>& r) { return r.status().code(); }

// One server on RocksDB in a temporary directory.
class MetaServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("chainfs-meta-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    kv_.engine = "rocksdb";
    kv_.rocksdb_path = dir_.string();
    MetaServerConfig config = TestServerConfig(kv_);
    config.gc_interval_ms = 10;
    auto server = MetaServer::Start(config);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    stub_ = std::make_unique<MetaService::Client>(client_.Stub(server_->address()));
  }
  void TearDown() override {
    stub_.reset();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Stops the server and runs the checker over its store.
  void StopAndCheck() {
    server_.reset();
    auto engine = kv::OpenEngine(kv_);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    RealRuntime rt(1);
    Result<CheckReport> report = rt.RunSync(0, CheckMetadata(**engine));
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    for (const std::string& p : report->problems) ADD_FAILURE() << p;
  }

  Result<AttrRsp> Mknod(const Caller& c, InodeId parent, std::string name, NewEntry e) {
    MknodReq req{c, parent, std::move(name), std::move(e)};
    return client_.Run(stub_->Mknod(std::move(req)));
  }
  Result<AttrRsp> Lookup(const Caller& c, InodeId parent, std::string name) {
    LookupReq req{c, parent, std::move(name)};
    return client_.Run(stub_->Lookup(std::move(req)));
  }
  Result<AttrRsp> GetAttr(InodeId id) { return client_.Run(stub_->GetAttr(InodeReq{id})); }
  uint64_t OpenSession() {
    Result<SessionRsp> s = client_.Run(stub_->OpenSession(SessionReq{0, "test"}));
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? s->session : 0;
  }

  std::filesystem::path dir_;
  kv::KvConfig kv_;
  std::unique_ptr<MetaServer> server_;
  MetaTestClient client_;
  std::unique_ptr<MetaService::Client> stub_;
};

TEST_F(MetaServerTest, NamespaceOperationsOverRpc) {
  auto dir = Mknod(kRoot, kRootInode, "data", NewEntry{FileType::kDirectory, 0755});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  InodeId d = dir->attr.id;
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(Mknod(kRoot, d, "f" + std::to_string(100 + i), NewEntry{}).ok());
  }
  // Paged readdir sees every entry once, in order.
  std::vector<std::string> names;
  std::string after;
  for (bool more = true; more;) {
    ReaddirReq req{kRoot, d, after, 10};
    Result<ReaddirRsp> page = client_.Run(stub_->Readdir(std::move(req)));
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const DirEntry& e : page->entries) names.push_back(e.name);
    if (!page->entries.empty()) after = page->entries.back().name;
    more = page->more;
  }
  ASSERT_EQ(names.size(), 25u);
  EXPECT_EQ(names.front(), "f100");
  EXPECT_EQ(names.back(), "f124");
  // Layouts come from the configured chain table: stripe capped at its 8 chains.
  auto f = Lookup(kRoot, d, "f100");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(f->attr.record.layout.has_value());
  EXPECT_EQ(f->attr.record.layout->stripe, 8u);
  EXPECT_LT(f->attr.record.layout->first_chain, 8u);
  EXPECT_EQ(GetAttr(d)->attr.record.size, 25u);

  auto link = Mknod(kRoot, d, "ln", NewEntry{FileType::kSymlink, 0, 0, "f100"});
  ASSERT_TRUE(link.ok());
  Result<ReadlinkRsp> target = client_.Run(stub_->Readlink(InodeReq{link->attr.id}));
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->target, "f100");
  LinkReq hard{kRoot, f->attr.id, kRootInode, "hard"};
  ASSERT_TRUE(client_.Run(stub_->Link(std::move(hard))).ok());
  EXPECT_EQ(GetAttr(f->attr.id)->attr.record.nlink, 2u);

  RenameReq no_replace{kRoot, d, "f101", d, "f102", RENAME_NOREPLACE};
  EXPECT_EQ(CodeOf(client_.Run(stub_->Rename(std::move(no_replace)))), StatusCode::kAlreadyExists);
  InodeId f101 = Lookup(kRoot, d, "f101")->attr.id;
  RenameReq exchange{kRoot, d, "f101", kRootInode, "hard", RENAME_EXCHANGE};
  ASSERT_TRUE(client_.Run(stub_->Rename(std::move(exchange))).ok());
  EXPECT_EQ(Lookup(kRoot, kRootInode, "hard")->attr.id, f101);
  EXPECT_EQ(Lookup(kRoot, d, "f101")->attr.id, f->attr.id);
  RenameReq into_self{kRoot, kRootInode, "data", d, "sub", 0};
  EXPECT_EQ(CodeOf(client_.Run(stub_->Rename(std::move(into_self)))), StatusCode::kInvalidArgument);

  SetAttrReq chmod{kRoot, f->attr.id, AttrChange{.mode = 0600}};
  auto changed = client_.Run(stub_->SetAttr(std::move(chmod)));
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->attr.record.mode, 0600u);
  SetAttrReq by_alice{kAlice, f->attr.id, AttrChange{.mode = 0777}};
  Result<AttrRsp> refused = client_.Run(stub_->SetAttr(std::move(by_alice)));
  EXPECT_EQ(ErrnoOf(refused.status().code()), EPERM);

  SetXattrReq set{kRoot, d, "user.tag", "v1", XATTR_CREATE};
  ASSERT_TRUE(client_.Run(stub_->SetXattr(std::move(set))).ok());
  XattrNameReq get{kRoot, d, "user.tag"};
  EXPECT_EQ(client_.Run(stub_->GetXattr(std::move(get)))->value, "v1");
  XattrNameReq list{kRoot, d, ""};
  EXPECT_EQ(client_.Run(stub_->ListXattr(std::move(list)))->names,
            std::vector<std::string>{"user.tag"});
  RemoveXattrReq remove{kRoot, d, "user.tag"};
  ASSERT_TRUE(client_.Run(stub_->RemoveXattr(std::move(remove))).ok());

  RemoveReq rmdir_full{kRoot, kRootInode, "data"};
  EXPECT_EQ(ErrnoOf(client_.Run(stub_->Rmdir(std::move(rmdir_full))).status().code()), ENOTEMPTY);
  StopAndCheck();
}

TEST_F(MetaServerTest, FilesOpenCloseLocksAndCollection) {
  uint64_t session = OpenSession();
  CreateReq create{kRoot, kRootInode, "f", 0644, O_CREAT | O_RDWR, session};
  Result<OpenRsp> created = client_.Run(stub_->Create(std::move(create)));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(created->created);
  InodeId f = created->attr.id;
  CreateReq again{kRoot, kRootInode, "f", 0644, O_CREAT | O_RDWR, session};
  Result<OpenRsp> reopened = client_.Run(stub_->Create(std::move(again)));
  ASSERT_TRUE(reopened.ok());
  EXPECT_FALSE(reopened->created);
  CreateReq exclusive{kRoot, kRootInode, "f", 0644, O_CREAT | O_EXCL | O_RDWR, session};
  EXPECT_EQ(CodeOf(client_.Run(stub_->Create(std::move(exclusive)))), StatusCode::kAlreadyExists);
  ReportLengthReq fsync{kRoot, f, session, LengthReport{1 << 20, 0, true}, false};
  ASSERT_TRUE(client_.Run(stub_->ReportLength(std::move(fsync))).ok());
  EXPECT_EQ(GetAttr(f)->attr.record.size, 1u << 20);
  Result<StatfsRsp> fs = client_.Run(stub_->Statfs(Empty{}));
  ASSERT_TRUE(fs.ok());
  EXPECT_EQ(fs->used_bytes, 1u << 20);
  EXPECT_EQ(fs->used_inodes, 2u);
  EXPECT_GT(fs->total_bytes, fs->used_bytes);

  uint64_t other = OpenSession();
  LockReq mine{f,
               LockRequest{LockKind::kPosix, {session, 1}, LockRange{0, 99, LockType::kWrite, 7}}};
  ASSERT_TRUE(client_.Run(stub_->SetLock(std::move(mine))).ok());
  LockReq theirs{f,
                 LockRequest{LockKind::kPosix, {other, 1}, LockRange{50, 60, LockType::kRead, 8}}};
  Result<Empty> blocked = client_.Run(stub_->SetLock(theirs));
  EXPECT_EQ(ErrnoOf(blocked.status().code()), EAGAIN);
  Result<GetLockRsp> probe = client_.Run(stub_->GetLock(theirs));
  ASSERT_TRUE(probe.ok() && probe->conflict.has_value());
  EXPECT_EQ(probe->conflict->range.pid, 7u);

  // An exclusive create sent twice with one stamp (its first answer lost) succeeds both times;
  // with another stamp it is someone else's file.
  CreateReq first{kRoot, kRootInode, "g", 0644, O_CREAT | O_EXCL | O_RDWR, session, 77};
  ASSERT_TRUE(client_.Run(stub_->Create(std::move(first))).ok());
  CreateReq resent{kRoot, kRootInode, "g", 0644, O_CREAT | O_EXCL | O_RDWR, session, 77};
  Result<OpenRsp> again_ok = client_.Run(stub_->Create(std::move(resent)));
  ASSERT_TRUE(again_ok.ok()) << again_ok.status().ToString();
  EXPECT_TRUE(again_ok->created);
  CreateReq later{kRoot, kRootInode, "g", 0644, O_CREAT | O_EXCL | O_RDWR, session, 78};
  EXPECT_EQ(CodeOf(client_.Run(stub_->Create(std::move(later)))), StatusCode::kAlreadyExists);
  RemoveReq drop_g{kRoot, kRootInode, "g"};
  ASSERT_TRUE(client_.Run(stub_->Unlink(std::move(drop_g))).ok());

  // Unlinked while open: still there until the writers are gone, then collected. The other
  // session writes too, so the file outlives the first session's end.
  OpenReq other_writes{kRoot, f, O_RDWR, other};
  ASSERT_TRUE(client_.Run(stub_->Open(std::move(other_writes))).ok());
  RemoveReq unlink{kRoot, kRootInode, "f"};
  ASSERT_TRUE(client_.Run(stub_->Unlink(std::move(unlink))).ok());
  EXPECT_TRUE(GetAttr(f).ok());
  // Ending a session releases its lock and its write session at once.
  ASSERT_TRUE(client_.Run(stub_->EndSession(SessionReq{session, ""})).ok());
  Result<Empty> granted = client_.Run(stub_->SetLock(theirs));
  EXPECT_TRUE(granted.ok()) << granted.status().ToString();
  SessionReq renew{session, ""};
  EXPECT_EQ(CodeOf(client_.Run(stub_->RenewSession(std::move(renew)))), StatusCode::kNotFound);
  EXPECT_TRUE(GetAttr(f).ok());
  ASSERT_TRUE(client_.Run(stub_->EndSession(SessionReq{other, ""})).ok());
  // The GC worker runs every 10 ms; wait for it (bounded).
  Result<AttrRsp> gone = GetAttr(f);
  for (int i = 0; i < 500 && gone.ok(); ++i) {
    client_.Run(client_.runtime().clock().Sleep(Nanos(10'000'000)));
    gone = GetAttr(f);
  }
  EXPECT_EQ(CodeOf(gone), StatusCode::kNotFound);
  StopAndCheck();
}

// The client's close queue against a real server: one batch ends the sessions it names, except
// where the file was opened again since the close (a newer stamp).
Task<size_t> CloseThroughTheQueue(Runtime& rt, rpc::ClientPool& pool, Address server,
                                  uint64_t session, InodeId reopened, InodeId closed) {
  client::MetaClient meta(rt, pool, {server});
  client::CloseQueue closes(rt, meta, Nanos(20'000'000));
  closes.Add(session, reopened, 1);
  closes.Add(session, closed, 2);
  co_await closes.Drain();
  co_return closes.queued();
}

Task<void> LockWaiter(MetaService::Client stub, LockReq req, std::optional<Status>* result) {
  Result<Empty> r = co_await stub.SetLock(std::move(req));
  *result = r.status();
}

// The holder lets go while another's request waits on the server: that request is granted.
Task<std::optional<Status>> ReleaseWhileWaiting(Runtime& rt, MetaService::Client stub,
                                                LockReq wanted, LockReq release) {
  std::optional<Status> result;
  rt.Spawn(LockWaiter(stub, wanted, &result), "lock waiter");
  co_await rt.clock().Sleep(Nanos(100'000'000));
  if (result.has_value()) co_return result;  // answered before the release: the test fails
  Result<Empty> released = co_await stub.SetLock(std::move(release));
  if (!released.ok()) co_return released.status();
  while (!result.has_value()) co_await rt.clock().Sleep(Nanos(1'000'000));
  co_return result;
}

TEST_F(MetaServerTest, AWaitingLockIsGrantedWhenTheHolderLetsGo) {
  uint64_t holder = OpenSession();
  uint64_t waiter = OpenSession();
  Result<AttrRsp> f = Mknod(kRoot, kRootInode, "locked", NewEntry{});
  ASSERT_TRUE(f.ok());
  InodeId id = f->attr.id;
  LockRange whole{0, UINT64_MAX, LockType::kWrite, 1};
  LockReq take{id, LockRequest{LockKind::kFlock, {holder, 1}, whole}};
  ASSERT_TRUE(client_.Run(stub_->SetLock(take)).ok());
  // Without waiting, or when the wait runs out, the answer is EAGAIN.
  LockReq wanted{id, LockRequest{LockKind::kFlock, {waiter, 1}, whole}};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->SetLock(wanted)))), EAGAIN);
  wanted.wait_ms = 100;
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->SetLock(wanted)))), EAGAIN);
  // A generous wait: granted once the holder lets go, in the same call.
  wanted.wait_ms = kMaxLockWaitMs;
  LockReq release = take;
  release.request.range.type = LockType::kUnlock;
  std::optional<Status> granted = client_.Run(
      ReleaseWhileWaiting(client_.runtime(), client_.Stub(server_->address()), wanted, release));
  ASSERT_TRUE(granted.has_value());
  EXPECT_TRUE(granted->ok()) << granted->ToString();
  // Now the holder is the one refused.
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->SetLock(take)))), EAGAIN);
  StopAndCheck();
}

Task<void> SpawnLockWaiter(Runtime& rt, MetaService::Client stub, LockReq req,
                           std::optional<Status>* result) {
  rt.Spawn(LockWaiter(stub, std::move(req), result), "lock waiter");
  co_return;
}

// A server stopping while a lock request waits on it ends the wait (the client asks again
// elsewhere) instead of crashing or holding the stop for the whole wait.
TEST_F(MetaServerTest, StoppingEndsAWaitingLockRequest) {
  uint64_t holder = OpenSession();
  uint64_t waiter = OpenSession();
  Result<AttrRsp> f = Mknod(kRoot, kRootInode, "locked", NewEntry{});
  ASSERT_TRUE(f.ok());
  LockRange whole{0, UINT64_MAX, LockType::kWrite, 1};
  LockReq take{f->attr.id, LockRequest{LockKind::kFlock, {holder, 1}, whole}};
  ASSERT_TRUE(client_.Run(stub_->SetLock(take)).ok());
  LockReq wanted{f->attr.id, LockRequest{LockKind::kFlock, {waiter, 1}, whole}, kMaxLockWaitMs};
  std::optional<Status> result;
  client_.Run(
      SpawnLockWaiter(client_.runtime(), client_.Stub(server_->address()), wanted, &result));
  client_.Run(client_.runtime().clock().Sleep(Nanos(100'000'000)));
  EXPECT_FALSE(result.has_value());
  stub_.reset();
  server_.reset();
  for (int i = 0; i < 10'000 && !result.has_value(); ++i) {
    client_.Run(client_.runtime().clock().Sleep(Nanos(1'000'000)));
  }
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->ok());
}

// Each mutation a client sends once more after losing its answer: the same tag gets the first
// answer, and nothing is done twice.
TEST_F(MetaServerTest, TaggedMutationsSentAgainAreAnsweredNotRedone) {
  uint64_t session = OpenSession();
  uint64_t seq = 0;
  auto twice = [&](auto method, auto req) {
    req.tag = RequestTag{session, ++seq};
    auto first = client_.Run(((*stub_).*method)(req, rpc::CallOptions{}));
    auto again = client_.Run(((*stub_).*method)(req, rpc::CallOptions{}));
    EXPECT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_TRUE(again.ok()) << again.status().ToString();
    return std::make_pair(first, again);
  };
  auto [dir, dir_again] =
      twice(&MetaService::Client::Mknod,
            MknodReq{kRoot, kRootInode, "d", NewEntry{FileType::kDirectory, 0755}});
  ASSERT_TRUE(dir.ok() && dir_again.ok());
  EXPECT_EQ(dir->attr.id, dir_again->attr.id);
  InodeId d = dir->attr.id;
  auto [file, file_again] = twice(&MetaService::Client::Mknod, MknodReq{kRoot, d, "f", NewEntry{}});
  ASSERT_TRUE(file.ok() && file_again.ok());
  auto [link, link_again] =
      twice(&MetaService::Client::Link, LinkReq{kRoot, file->attr.id, d, "g"});
  ASSERT_TRUE(link.ok() && link_again.ok());
  EXPECT_EQ(link_again->attr.record.nlink, 2u);
  twice(&MetaService::Client::SetXattr, SetXattrReq{kRoot, d, "user.a", "1", XATTR_CREATE});
  twice(&MetaService::Client::RemoveXattr, RemoveXattrReq{kRoot, d, "user.a"});
  twice(&MetaService::Client::Rename, RenameReq{kRoot, d, "g", d, "h", RENAME_NOREPLACE});
  auto [unlinked, unlinked_again] = twice(&MetaService::Client::Unlink, RemoveReq{kRoot, d, "f"});
  ASSERT_TRUE(unlinked.ok() && unlinked_again.ok());
  // The directory's new time is known to the run that made it, not to the stored answer.
  EXPECT_GT(unlinked->dir_time_ns, 0);
  EXPECT_EQ(unlinked_again->dir_time_ns, 0);
  twice(&MetaService::Client::Unlink, RemoveReq{kRoot, d, "h"});
  twice(&MetaService::Client::Rmdir, RemoveReq{kRoot, kRootInode, "d"});
  EXPECT_EQ(CodeOf(Lookup(kRoot, kRootInode, "d")), StatusCode::kNotFound);
  StopAndCheck();
}

// Many mutations through the client's MetaClient: every one is tagged, and the answers the
// server keeps stay few.
Task<size_t> ManyTaggedMutations(Runtime& rt, rpc::ClientPool& pool, Address server,
                                 uint64_t session, int count) {
  client::MetaClient meta(rt, pool, {server});
  meta.set_session(session);
  for (int i = 0; i < count; ++i) {
    MknodReq make{kRoot, kRootInode, "t" + std::to_string(i), NewEntry{}};
    Result<AttrRsp> made = co_await meta.Call(&MetaService::Client::Mknod, make);
    RemoveReq remove{kRoot, kRootInode, "t" + std::to_string(i)};
    Result<UnlinkRsp> removed = co_await meta.Call(&MetaService::Client::Unlink, remove);
    if (!made.ok() || !removed.ok()) co_return SIZE_MAX;
  }
  co_return meta.in_flight();
}

TEST_F(MetaServerTest, AnswersKeptForRetriesStayFew) {
  uint64_t session = OpenSession();
  size_t in_flight = client_.Run(
      ManyTaggedMutations(client_.runtime(), client_.pool(), server_->address(), session, 700));
  EXPECT_EQ(in_flight, 0u);
  server_.reset();
  auto engine = kv::OpenEngine(kv_);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  RealRuntime rt(1);
  keys::Range kept = keys::Requests(session);
  auto txn = (*engine)->Begin();
  Result<std::vector<kv::KeyValue>> rows = rt.RunSync(0, txn->GetRange(kept.begin, kept.end, {}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // 1,400 requests; those more than a batch (256) behind the newest are let go.
  EXPECT_GT(rows->size(), 0u);
  EXPECT_LE(rows->size(), 2u * 256u);
}

TEST_F(MetaServerTest, QueuedClosesEndSessionsButNotNewerOpens) {
  uint64_t session = OpenSession();
  CreateReq make_a{kRoot, kRootInode, "a", 0644, O_CREAT | O_RDWR, session, 1};
  Result<OpenRsp> a = client_.Run(stub_->Create(std::move(make_a)));
  CreateReq make_b{kRoot, kRootInode, "b", 0644, O_CREAT | O_RDWR, session, 2};
  Result<OpenRsp> b = client_.Run(stub_->Create(std::move(make_b)));
  ASSERT_TRUE(a.ok() && b.ok());
  OpenReq again{kRoot, a->attr.id, O_RDWR, session, 3};
  ASSERT_TRUE(client_.Run(stub_->Open(std::move(again))).ok());
  for (const char* name : {"a", "b"}) {
    RemoveReq unlink{kRoot, kRootInode, name};
    ASSERT_TRUE(client_.Run(stub_->Unlink(std::move(unlink))).ok());
  }
  size_t left = client_.Run(CloseThroughTheQueue(
      client_.runtime(), client_.pool(), server_->address(), session, a->attr.id, b->attr.id));
  EXPECT_EQ(left, 0u);
  // b's last session ended: the GC worker (every 10 ms) collects it; a is still open.
  Result<AttrRsp> gone = GetAttr(b->attr.id);
  for (int i = 0; i < 500 && gone.ok(); ++i) {
    client_.Run(client_.runtime().clock().Sleep(Nanos(10'000'000)));
    gone = GetAttr(b->attr.id);
  }
  EXPECT_EQ(CodeOf(gone), StatusCode::kNotFound);
  EXPECT_TRUE(GetAttr(a->attr.id).ok());
  CloseFilesReq last{session, {a->attr.id}, {3}};
  ASSERT_TRUE(client_.Run(stub_->CloseFiles(std::move(last))).ok());
  gone = GetAttr(a->attr.id);
  for (int i = 0; i < 500 && gone.ok(); ++i) {
    client_.Run(client_.runtime().clock().Sleep(Nanos(10'000'000)));
    gone = GetAttr(a->attr.id);
  }
  EXPECT_EQ(CodeOf(gone), StatusCode::kNotFound);
  CloseFilesReq bad{session, {a->attr.id}, {}};
  EXPECT_EQ(CodeOf(client_.Run(stub_->CloseFiles(std::move(bad)))), StatusCode::kInvalidArgument);
  CloseFilesReq no_session{0, {}, {}};
  EXPECT_EQ(CodeOf(client_.Run(stub_->CloseFiles(std::move(no_session)))),
            StatusCode::kInvalidArgument);
  StopAndCheck();
}

TEST_F(MetaServerTest, BadInputGetsTheRightErrno) {
  auto e = [&](const Caller& c, InodeId parent, std::string name) {
    return ErrnoOf(CodeOf(Mknod(c, parent, std::move(name), NewEntry{})));
  };
  EXPECT_EQ(e(kRoot, kRootInode, ""), EINVAL);
  EXPECT_EQ(e(kRoot, kRootInode, "."), EINVAL);
  EXPECT_EQ(e(kRoot, kRootInode, ".."), EINVAL);
  EXPECT_EQ(e(kRoot, kRootInode, "a/b"), EINVAL);
  EXPECT_EQ(e(kRoot, kRootInode, std::string("a\0b", 3)), EINVAL);
  EXPECT_EQ(e(kRoot, kRootInode, std::string(256, 'x')), ENAMETOOLONG);
  EXPECT_EQ(e(kRoot, InodeId(987654), "x"), ENOENT);
  EXPECT_EQ(e(kAlice, kRootInode, "x"), EACCES);
  EXPECT_EQ(ErrnoOf(CodeOf(Lookup(kRoot, kRootInode, std::string(300, 'y')))), ENAMETOOLONG);
  EXPECT_EQ(ErrnoOf(CodeOf(GetAttr(InodeId(0)))), ENOENT);
  EXPECT_EQ(ErrnoOf(CodeOf(Mknod(kRoot, kRootInode, "m", NewEntry{FileType::kRegular, 010644}))),
            EINVAL);
  EXPECT_EQ(ErrnoOf(CodeOf(Mknod(kRoot, kRootInode, "s",
                                 NewEntry{FileType::kSymlink, 0, 0, std::string(4096, 'p')}))),
            ENAMETOOLONG);
  ASSERT_TRUE(Mknod(kRoot, kRootInode, "file", NewEntry{}).ok());
  InodeId file = Lookup(kRoot, kRootInode, "file")->attr.id;
  EXPECT_EQ(ErrnoOf(CodeOf(Mknod(kRoot, file, "x", NewEntry{}))), ENOTDIR);
  OpenReq bad_mode{kRoot, file, O_ACCMODE, 0};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->Open(std::move(bad_mode))))), EINVAL);
  OpenReq bad_flags{kRoot, file, 0x40000000, 0};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->Open(std::move(bad_flags))))), EINVAL);
  RenameReq bad_rename{kRoot, kRootInode, "file", kRootInode, "x", 0x80};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->Rename(std::move(bad_rename))))), EINVAL);
  SetXattrReq bad_xattr{kRoot, file, "user.a", "v", 3};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->SetXattr(std::move(bad_xattr))))), EINVAL);
  LockReq bad_lock{file, LockRequest{LockKind::kPosix, {1, 1}, LockRange{10, 5}}};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->SetLock(std::move(bad_lock))))), EINVAL);
  SessionReq chosen{42, ""};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->OpenSession(std::move(chosen))))), EINVAL);
  SessionReq long_name{0, std::string(10000, 'n')};
  EXPECT_EQ(ErrnoOf(CodeOf(client_.Run(stub_->OpenSession(std::move(long_name))))), EINVAL);
  StopAndCheck();
}

}  // namespace
}  // namespace chainfs::meta
