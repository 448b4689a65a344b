// Two metadata servers over one PostgreSQL store, hammered with conflicting operations from
// many concurrent clients; the invariant checker passes afterwards.

#include <gtest/gtest.h>

#include <cstdlib>

#include "meta/check/checker.h"
#include "meta/server/meta_test_cluster.h"
#include "runtime/random.h"

namespace chainfs::meta {
namespace {

const Caller kRoot{0, 0, {}};

Task<Status> ClearStore(kv::Engine& e) {
  auto txn = e.Begin();
  txn->ClearRange("", "\xff\xff\xff\xff");
  co_return co_await txn->Commit();
}

struct Tally {
  int ok = 0;
  int done = 0;
  std::map<StatusCode, int> errors;
};

void Record(Tally* t, const Status& st) {
  if (st.ok()) {
    ++t->ok;
  } else {
    ++t->errors[st.code()];
  }
}

Task<void> CountResult(Task<Result<AttrRsp>> call, Tally* t) {
  Result<AttrRsp> r = co_await std::move(call);
  if (r.ok()) {
    ++t->ok;
  } else {
    ++t->errors[r.status().code()];
  }
  ++t->done;
}

template <typename Rsp>
Task<void> CountEmpty(Task<Result<Rsp>> call, Tally* t) {
  Result<Rsp> r = co_await std::move(call);
  if (r.ok()) {
    ++t->ok;
  } else {
    ++t->errors[r.status().code()];
  }
  ++t->done;
}

Task<void> WaitAll(Runtime& rt, Tally* t, int n) {
  while (t->done < n) co_await rt.clock().Sleep(Nanos(1'000'000));
}

class SharedStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* dsn = std::getenv("CHAINFS_TEST_PG");
    ASSERT_NE(dsn, nullptr) << "CHAINFS_TEST_PG is not set: run through ctest, which starts "
                               "PostgreSQL";
    kv_.engine = "postgres";
    kv_.postgres = dsn;
    {
      auto engine = kv::OpenEngine(kv_);
      ASSERT_TRUE(engine.ok()) << engine.status().ToString();
      RealRuntime rt(1);
      ASSERT_TRUE(rt.RunSync(0, ClearStore(**engine)).ok());
    }
    for (int i = 0; i < 2; ++i) {
      auto server = MetaServer::Start(TestServerConfig(kv_));
      ASSERT_TRUE(server.ok()) << server.status().ToString();
      servers_.push_back(std::move(*server));
      stubs_.push_back(client_.Stub(servers_.back()->address()));
    }
  }

  void TearDown() override {
    stubs_.clear();
    servers_.clear();
    auto engine = kv::OpenEngine(kv_);
    ASSERT_TRUE(engine.ok());
    RealRuntime rt(1);
    Result<CheckReport> report = rt.RunSync(0, CheckMetadata(**engine));
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    for (const std::string& p : report->problems) ADD_FAILURE() << p;
    EXPECT_GT(report->inodes, 0u);
  }

  MetaService::Client& Stub(int i) { return stubs_[i % stubs_.size()]; }

  InodeId Mkdir(InodeId parent, std::string name) {
    MknodReq req{kRoot, parent, std::move(name), NewEntry{FileType::kDirectory, 0755}};
    Result<AttrRsp> r = client_.Run(Stub(0).Mknod(std::move(req)));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->attr.id : InodeId();
  }

  kv::KvConfig kv_;
  MetaTestClient client_;
  std::vector<std::unique_ptr<MetaServer>> servers_;
  std::vector<MetaService::Client> stubs_;
};

TEST_F(SharedStoreTest, ConcurrentCreatesOfOneNameHaveOneWinner) {
  constexpr int kClients = 24;
  for (int round = 0; round < 3; ++round) {
    InodeId dir = Mkdir(kRootInode, "r" + std::to_string(round));
    Tally t;
    for (int i = 0; i < kClients; ++i) {
      MknodReq req{kRoot, dir, "same", NewEntry{FileType::kRegular, 0644}};
      client_.runtime().Spawn(CountResult(Stub(i).Mknod(std::move(req)), &t), "create");
    }
    client_.Run(WaitAll(client_.runtime(), &t, kClients));
    EXPECT_EQ(t.ok, 1);
    EXPECT_EQ(t.errors[StatusCode::kAlreadyExists], kClients - 1);
  }
}

TEST_F(SharedStoreTest, RenamesThatWouldFormACycleNeverBothCommit) {
  for (int round = 0; round < 10; ++round) {
    std::string a = "a" + std::to_string(round), b = "b" + std::to_string(round);
    InodeId da = Mkdir(kRootInode, a);
    InodeId db = Mkdir(kRootInode, b);
    // a -> b/a and b -> a/b at once, through different servers.
    Tally t;
    RenameReq first{kRoot, kRootInode, a, db, a, 0};
    RenameReq second{kRoot, kRootInode, b, da, b, 0};
    client_.runtime().Spawn(CountEmpty(Stub(0).Rename(std::move(first)), &t), "rename");
    client_.runtime().Spawn(CountEmpty(Stub(1).Rename(std::move(second)), &t), "rename");
    client_.Run(WaitAll(client_.runtime(), &t, 2));
    EXPECT_LE(t.ok, 1) << "round " << round;
  }
}

TEST_F(SharedStoreTest, LinkCountsStayRightUnderConcurrentLinkAndUnlink) {
  MknodReq req{kRoot, kRootInode, "target", NewEntry{}};
  Result<AttrRsp> target = client_.Run(Stub(0).Mknod(std::move(req)));
  ASSERT_TRUE(target.ok());
  constexpr int kLinks = 20;
  Tally linked;
  for (int i = 0; i < kLinks; ++i) {
    LinkReq link{kRoot, target->attr.id, kRootInode, "l" + std::to_string(i)};
    client_.runtime().Spawn(CountResult(Stub(i).Link(std::move(link)), &linked), "link");
  }
  client_.Run(WaitAll(client_.runtime(), &linked, kLinks));
  EXPECT_EQ(linked.ok, kLinks);
  Tally unlinked;
  for (int i = 0; i < kLinks; i += 2) {
    RemoveReq unlink{kRoot, kRootInode, "l" + std::to_string(i)};
    client_.runtime().Spawn(CountEmpty(Stub(i).Unlink(std::move(unlink)), &unlinked), "unlink");
  }
  client_.Run(WaitAll(client_.runtime(), &unlinked, kLinks / 2));
  EXPECT_EQ(unlinked.ok, kLinks / 2);
  Result<AttrRsp> attr = client_.Run(Stub(1).GetAttr(InodeReq{target->attr.id}));
  ASSERT_TRUE(attr.ok());
  EXPECT_EQ(attr->attr.record.nlink, 1u + kLinks / 2);
}

// Random operations over a small tree from many clients through both servers.
Task<void> RandomClient(MetaService::Client stub, uint64_t seed, int ops, Tally* t) {
  DeterministicRandom rnd(seed);
  for (int i = 0; i < ops; ++i) {
    std::string n1 = "n" + std::to_string(rnd.Next() % 6);
    std::string n2 = "n" + std::to_string(rnd.Next() % 6);
    InodeId parent = kRootInode;
    // One level of subdirectories: look one up by name, fall back to the root.
    LookupReq lookup{kRoot, kRootInode, "n" + std::to_string(rnd.Next() % 6)};
    Result<AttrRsp> sub = co_await stub.Lookup(std::move(lookup));
    if (sub.ok() && sub->attr.record.type == FileType::kDirectory && rnd.OneIn(0.5)) {
      parent = sub->attr.id;
    }
    Status st;
    switch (rnd.Next() % 6) {
      case 0: {
        MknodReq req{kRoot, parent, n1, NewEntry{FileType::kRegular, 0644}};
        Result<AttrRsp> r = co_await stub.Mknod(std::move(req));
        st = r.status();
        break;
      }
      case 1: {
        MknodReq req{kRoot, parent, n1, NewEntry{FileType::kDirectory, 0755}};
        Result<AttrRsp> r = co_await stub.Mknod(std::move(req));
        st = r.status();
        break;
      }
      case 2: {
        RemoveReq req{kRoot, parent, n1};
        Result<UnlinkRsp> r = co_await stub.Unlink(std::move(req));
        st = r.status();
        break;
      }
      case 3: {
        RemoveReq req{kRoot, parent, n1};
        Result<Empty> r = co_await stub.Rmdir(std::move(req));
        st = r.status();
        break;
      }
      case 4: {
        RenameReq req{kRoot, parent, n1, kRootInode, n2, 0};
        Result<Empty> r = co_await stub.Rename(std::move(req));
        st = r.status();
        break;
      }
      default: {
        if (!sub.ok() || sub->attr.record.type == FileType::kDirectory) break;
        LinkReq req{kRoot, sub->attr.id, parent, n2};
        Result<AttrRsp> r = co_await stub.Link(std::move(req));
        st = r.status();
        break;
      }
    }
    Record(t, st);
  }
  ++t->done;
}

TEST_F(SharedStoreTest, RandomOperationsFromManyClientsKeepTheInvariants) {
  constexpr int kClients = 8;
  constexpr int kOps = 300;
  Tally t;
  for (int i = 0; i < kClients; ++i) {
    client_.runtime().Spawn(RandomClient(Stub(i), 1000 + i, kOps, &t), "random");
  }
  client_.Run(WaitAll(client_.runtime(), &t, kClients));
  EXPECT_GT(t.ok, kClients * kOps / 5);
  // Only the answers a file system gives: nothing failed for the system's own reasons.
  for (StatusCode bad :
       {StatusCode::kInternal, StatusCode::kCorruption, StatusCode::kUnavailable,
        StatusCode::kDeadlineExceeded, StatusCode::kConflict, StatusCode::kCommitUnknown}) {
    EXPECT_EQ(t.errors[bad], 0) << StatusCodeName(bad);
  }
  // TearDown runs the checker.
}

}  // namespace
}  // namespace chainfs::meta
