// Thousands of random operations from several servers at once, then the invariant checker.

#include "meta/check/checker.h"

#include <gtest/gtest.h>

#include "kv/mem/mem_engine.h"
#include "meta/ops/attr_ops.h"
#include "meta/ops/create_ops.h"
#include "meta/ops/remove_ops.h"
#include "meta/ops/rename_op.h"
#include "meta/schema/inode_allocator.h"
#include "meta/schema/keys.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::meta {
namespace {

struct Shared {
  std::vector<InodeId> dirs{kRootInode};
  std::vector<InodeId> files;
  int done = 0;
  std::vector<std::string> unexpected;
};

const std::vector<std::string> kNames = {"a", "b", "c", "d", "e", "f", "", "x/y", ".."};

// One server's client: random operations on a small name space, so they collide often.
class Worker {
 public:
  Worker(kv::Engine& e, SimNode& node, Shared& shared)
      : engine_(e), node_(node), shared_(shared), alloc_(e, node, 50) {}

  Task<void> Run(int ops) {
    for (int i = 0; i < ops; ++i) co_await One();
    ++shared_.done;
  }

 private:
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[node_.random().Uniform(v.size())];
  }

  Task<Status> Exec(kv::TxnBody& op) {
    co_return co_await kv::RunTransaction(engine_, node_.clock(), node_.random(), op,
                                          {.max_attempts = 100});
  }

  Task<void> One() {
    Caller caller = node_.random().OneIn(0.2) ? Caller{1000, 1000, {}} : Caller{};
    int64_t now = node_.clock().WallNow().count();
    InodeId dir = Pick(shared_.dirs);
    std::string name = Pick(kNames);
    Status st;
    switch (node_.random().Uniform(7)) {
      case 0:
      case 1: {
        Result<InodeId> id = co_await alloc_.Next();
        if (!id.ok()) break;
        bool is_dir = node_.random().OneIn(0.4);
        NewEntry entry{is_dir ? FileType::kDirectory : FileType::kRegular, 0777};
        CreateOp op(caller, dir, name, entry, *id, now);
        st = co_await Exec(op);
        if (st.ok()) (is_dir ? shared_.dirs : shared_.files).push_back(*id);
        break;
      }
      case 2: {
        UnlinkOp op(caller, dir, name, now);
        st = co_await Exec(op);
        break;
      }
      case 3: {
        RmdirOp op(caller, dir, name, now);
        st = co_await Exec(op);
        break;
      }
      case 4:
      case 5: {
        RenameMode mode = static_cast<RenameMode>(node_.random().Uniform(3));
        RenameOp op(caller, dir, name, Pick(shared_.dirs), Pick(kNames), mode, now);
        st = co_await Exec(op);
        break;
      }
      default: {
        if (shared_.files.empty()) break;
        LinkOp op(caller, Pick(shared_.files), dir, name, now);
        st = co_await Exec(op);
        break;
      }
    }
    StatusCode c = st.code();
    if (c == StatusCode::kInternal || c == StatusCode::kCorruption || c == StatusCode::kIoError ||
        c == StatusCode::kConflict) {
      shared_.unexpected.push_back(st.ToString());
    }
  }

  kv::Engine& engine_;
  SimNode& node_;
  Shared& shared_;
  InodeAllocator alloc_;
};

class CheckerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EnsureRootOp root(1, Layout{});
    auto st = RunSimTask(world_, kv::RunTransaction(engine_, a_.clock(), a_.random(), root));
    ASSERT_TRUE(st.has_value() && st->ok());
  }
  void TearDown() override { world_.Shutdown(); }

  CheckReport Check() {
    auto r = RunSimTask(world_, CheckMetadata(engine_));
    CHECK(r.has_value() && r->ok());
    return **r;
  }

  SimWorld world_{77};
  SimNetwork net_{world_, {}};
  SimNode a_{world_, net_, "meta-a"}, b_{world_, net_, "meta-b"};
  kv::MemEngine engine_;
};

TEST_F(CheckerTest, RandomOperationsFromTwoServersKeepEveryInvariant) {
  Shared shared;
  Worker wa(engine_, a_, shared), wb(engine_, b_, shared);
  constexpr int kWorkersPerServer = 3, kOps = 400;
  for (int i = 0; i < kWorkersPerServer; ++i) {
    a_.Spawn(wa.Run(kOps), "ops");
    b_.Spawn(wb.Run(kOps), "ops");
  }
  world_.RunUntil([&] { return shared.done == 2 * kWorkersPerServer; }, Nanos(36000s));
  ASSERT_EQ(shared.done, 2 * kWorkersPerServer);
  EXPECT_TRUE(shared.unexpected.empty()) << shared.unexpected.front();
  CheckReport report = Check();
  EXPECT_GT(report.inodes, 10u);
  RecordProperty("inodes", static_cast<int>(report.inodes));
  RecordProperty("entries", static_cast<int>(report.entries));
  for (const std::string& p : report.problems) ADD_FAILURE() << p;
}

TEST_F(CheckerTest, FindsACorruptedStore) {
  EXPECT_TRUE(Check().ok());
  Shared shared;
  Worker w(engine_, a_, shared);
  a_.Spawn(w.Run(200), "ops");
  world_.RunUntil([&] { return shared.done == 1; }, Nanos(36000s));
  ASSERT_TRUE(Check().ok());
  ASSERT_FALSE(shared.files.empty() && shared.dirs.size() == 1);
  // Remove one inode behind the metadata service's back.
  auto txn = engine_.Begin();
  keys::Range all = keys::AllDentries();
  auto rows = RunSimTask(world_, txn->GetRange(all.begin, all.end, {.limit = 1}));
  ASSERT_TRUE(rows.has_value() && rows->ok() && !(*rows)->empty());
  DentryRecord d = *DecodeRecord<DentryRecord>((**rows)[0].value);
  txn->Clear(keys::Inode(d.child));
  ASSERT_TRUE(RunSimTask(world_, txn->Commit())->ok());
  txn.reset();
  CheckReport report = Check();
  ASSERT_FALSE(report.ok());
  EXPECT_NE(report.problems.front().find("missing inode"), std::string::npos)
      << report.problems.front();
}

}  // namespace
}  // namespace chainfs::meta
