#pragma once

// The test fixture of the metadata operations: one simulated node over a mem store, with the
// root created, and helpers that run one operation each.
#include <gtest/gtest.h>

#include "kv/mem/mem_engine.h"
#include "meta/check/checker.h"
#include "meta/ops/attr_ops.h"
#include "meta/ops/create_ops.h"
#include "meta/ops/read_ops.h"
#include "meta/ops/remove_ops.h"
#include "meta/ops/rename_op.h"
#include "meta/ops/xattr_ops.h"
#include "meta/schema/inode_allocator.h"
#include "meta/schema/keys.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::meta {

inline const Caller kRoot{0, 0, {}};
inline const Caller kAlice{1000, 1000, {}};
inline const Caller kBob{1001, 1001, {}};

class MetaOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EnsureRootOp root(1, Layout{});
    ASSERT_TRUE(Exec(root).ok());
    ASSERT_TRUE(root.created);
  }
  void TearDown() override { world_.Shutdown(); }

  Status Exec(kv::TxnBody& op) {
    auto r = RunSimTask(world_, kv::RunTransaction(engine_, node_.clock(), node_.random(), op));
    return r.has_value() ? *r : Internal("did not finish");
  }

  InodeId NewId() {
    auto id = RunSimTask(world_, alloc_.Next());
    return **id;
  }

  Result<Attr> Create(const Caller& c, InodeId parent, std::string name, NewEntry e) {
    CreateOp op(c, parent, std::move(name), std::move(e), NewId(), 100);
    Status st = Exec(op);
    if (!st.ok()) return st;
    return op.result;
  }

  Result<Attr> Mkdir(const Caller& c, InodeId parent, std::string name, uint32_t mode = 0755) {
    return Create(c, parent, std::move(name), NewEntry{FileType::kDirectory, mode});
  }

  Result<Attr> Lookup(const Caller& c, InodeId parent, std::string name) {
    LookupOp op(c, parent, std::move(name));
    Status st = Exec(op);
    if (!st.ok()) return st;
    return op.result;
  }

  Status Unlink(const Caller& c, InodeId parent, std::string name) {
    UnlinkOp op(c, parent, std::move(name), 200);
    return Exec(op);
  }

  Status Rmdir(const Caller& c, InodeId parent, std::string name) {
    RmdirOp op(c, parent, std::move(name), 200);
    return Exec(op);
  }

  // Keys of one prefix range, read in a fresh transaction.
  size_t CountKeys(const keys::Range& range) {
    auto txn = engine_.Begin();
    auto rows = RunSimTask(world_, txn->GetRange(range.begin, range.end, {}));
    return (*rows)->size();
  }

  Status Rename(InodeId sp, std::string sn, InodeId dp, std::string dn,
                RenameMode mode = RenameMode::kReplace, const Caller& c = kRoot) {
    RenameOp op(c, sp, std::move(sn), dp, std::move(dn), mode, 400);
    return Exec(op);
  }

  Result<Attr> GetAttr(InodeId id) {
    GetAttrOp op(id);
    Status st = Exec(op);
    if (!st.ok()) return st;
    return op.result;
  }

  // The invariant checker over the whole store.
  void ExpectConsistent() {
    auto report = RunSimTask(world_, CheckMetadata(engine_));
    ASSERT_TRUE(report.has_value());
    ASSERT_TRUE(report->ok()) << report->status().ToString();
    for (const std::string& p : (*report)->problems) ADD_FAILURE() << p;
  }

  SimWorld world_{21};
  SimNetwork net_{world_, {}};
  SimNode node_{world_, net_, "meta"};
  kv::MemEngine engine_;
  InodeAllocator alloc_{engine_, node_, 100};
};

}  // namespace chainfs::meta
