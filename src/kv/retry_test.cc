#include "kv/retry.h"

#include <gtest/gtest.h>

#include "kv/mem/mem_engine.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::kv {
namespace {

// Commits through the wrapped engine, then claims not to know whether it did, `failures` times.
class CommitUnknownEngine : public Engine {
 public:
  CommitUnknownEngine(Engine& inner, int failures) : inner_(inner), failures_(failures) {}
  std::string_view name() const override { return "commit-unknown"; }
  std::unique_ptr<Transaction> Begin() override;

  Engine& inner_;
  int failures_;
};

class CommitUnknownTxn : public Transaction {
 public:
  CommitUnknownTxn(CommitUnknownEngine& e, std::unique_ptr<Transaction> inner)
      : e_(e), inner_(std::move(inner)) {}
  Task<Result<std::optional<std::string>>> Get(std::string k) override { return inner_->Get(k); }
  Task<Result<std::optional<std::string>>> SnapshotGet(std::string k) override {
    return inner_->SnapshotGet(k);
  }
  Task<Result<std::vector<KeyValue>>> GetRange(std::string b, std::string e,
                                               RangeOptions o) override {
    return inner_->GetRange(b, e, o);
  }
  void Set(std::string_view k, std::string_view v) override { inner_->Set(k, v); }
  void Clear(std::string_view k) override { inner_->Clear(k); }
  void ClearRange(std::string_view b, std::string_view e) override { inner_->ClearRange(b, e); }
  void AtomicAdd(std::string_view k, int64_t d) override { inner_->AtomicAdd(k, d); }
  void AtomicMax(std::string_view k, uint64_t v) override { inner_->AtomicMax(k, v); }
  void AtomicAdvance(std::string_view k, uint64_t v) override { inner_->AtomicAdvance(k, v); }
  Task<Status> Commit() override {
    Status st = co_await inner_->Commit();
    if (st.ok() && e_.failures_ > 0) {
      --e_.failures_;
      co_return Status(StatusCode::kCommitUnknown, "connection lost during commit");
    }
    co_return st;
  }

 private:
  CommitUnknownEngine& e_;
  std::unique_ptr<Transaction> inner_;
};

std::unique_ptr<Transaction> CommitUnknownEngine::Begin() {
  return std::make_unique<CommitUnknownTxn>(*this, inner_.Begin());
}

class SetKey : public TxnBody {
 public:
  Task<Status> Run(Transaction& txn) override {
    ++runs;
    txn.Set("k", "v");
    co_return Status();
  }
  int runs = 0;
};

TEST(RetryTest, CommitUnknownIsRetriedOnlyWhenIdempotent) {
  SimWorld world(1);
  SimClock clock(world);
  DeterministicRandom random(1);
  MemEngine mem;
  CommitUnknownEngine engine(mem, 2);
  SetKey body;
  Status st = *RunSimTask(world, RunTransaction(engine, clock, random, body, {.idempotent = true}));
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(body.runs, 3);
  engine.failures_ = 1;
  st = *RunSimTask(world, RunTransaction(engine, clock, random, body, {}));
  EXPECT_EQ(st.code(), StatusCode::kCommitUnknown);
}

class AlwaysConflicts : public TxnBody {
 public:
  Task<Status> Run(Transaction&) override {
    ++runs;
    co_return Status(StatusCode::kConflict, "forced");
  }
  int runs = 0;
};

TEST(RetryTest, RetriesAreBounded) {
  SimWorld world(1);
  SimClock clock(world);
  DeterministicRandom random(1);
  MemEngine mem;
  AlwaysConflicts body;
  Status st = *RunSimTask(world, RunTransaction(mem, clock, random, body, {.max_attempts = 5}));
  EXPECT_EQ(st.code(), StatusCode::kConflict);
  EXPECT_EQ(body.runs, 5);
  EXPECT_NE(st.message().find("gave up after 5 attempts"), std::string_view::npos);
}

}  // namespace
}  // namespace chainfs::kv
