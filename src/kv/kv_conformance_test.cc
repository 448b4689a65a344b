// One suite, every engine: the semantics of kv/kv.h. Concurrency runs in the simulation, so
// interleavings come from a seed and replay exactly.

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <functional>

#include <cstdlib>
#include <filesystem>

#include "kv/mem/mem_engine.h"
#include "kv/postgres/pg_engine.h"
#include "kv/retry.h"
#include "kv/rocksdb/rocksdb_engine.h"
#include "runtime/real/real_runtime.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::kv {
namespace {

struct EngineCase {
  std::string name;
  // Builds the engine, keeping any files under `dir`.
  std::function<std::unique_ptr<Engine>(const std::string& dir)> make;
  // Engines that complete on threads of their own run on the real runtime; the others in the
  // simulation, where interleavings replay from a seed.
  bool real_runtime = false;
};

void PrintTo(const EngineCase& c, std::ostream* os) { *os << c.name; }

class KvConformanceTest : public ::testing::TestWithParam<EngineCase> {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/chainfs_kv_" + GetParam().name + "_" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    if (GetParam().real_runtime) real_ = std::make_unique<RealRuntime>(1);
    engine_ = GetParam().make(dir_);
    ASSERT_NE(engine_, nullptr);
  }
  void TearDown() override {
    world_.Shutdown();
    real_.reset();
    engine_.reset();
    std::filesystem::remove_all(dir_);
  }

  Runtime& rt() { return real_ ? real_->worker(0) : static_cast<Runtime&>(node_); }

  template <typename T>
  T Run(Task<T> task) {
    if (real_) return real_->RunSync(0, std::move(task));
    auto r = RunSimTask(world_, std::move(task), Nanos(3600s));
    CHECK_MSG(r.has_value(), "task did not finish");
    return std::move(*r);
  }

  std::string dir_;
  SimWorld world_{11};
  SimNetwork net_{world_, {}};
  SimNode node_{world_, net_, "n"};
  std::unique_ptr<RealRuntime> real_;
  std::unique_ptr<Engine> engine_;
};

// Conflicts exactly as FoundationDB decides them: only a read of something written since.
// PostgreSQL may also refuse blind writes and snapshot reads, which callers retry.
class KvPreciseConflictTest : public KvConformanceTest {};

Task<Status> SetAll(Engine& e, std::vector<KeyValue> kvs) {
  auto txn = e.Begin();
  for (const KeyValue& kv : kvs) txn->Set(kv.key, kv.value);
  co_return co_await txn->Commit();
}

Task<Result<std::optional<std::string>>> GetOne(Engine& e, std::string key) {
  auto txn = e.Begin();
  co_return co_await txn->Get(key);
}

Task<Result<std::vector<KeyValue>>> Range(Engine& e, std::string b, std::string end,
                                          RangeOptions o) {
  auto txn = e.Begin();
  co_return co_await txn->GetRange(b, end, o);
}

std::vector<std::string> Keys(const std::vector<KeyValue>& kvs) {
  std::vector<std::string> out;
  for (const auto& kv : kvs) out.push_back(kv.key);
  return out;
}

TEST_P(KvConformanceTest, SetGetClear) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"a", "1"}, {"b", "2"}})).ok());
  EXPECT_EQ(**Run(GetOne(*engine_, "a")), "1");
  EXPECT_FALSE(Run(GetOne(*engine_, "zz"))->has_value());
  auto txn = engine_->Begin();
  txn->Clear("a");
  ASSERT_TRUE(Run(txn->Commit()).ok());
  txn.reset();
  EXPECT_FALSE(Run(GetOne(*engine_, "a"))->has_value());
  EXPECT_EQ(**Run(GetOne(*engine_, "b")), "2");
}

TEST_P(KvConformanceTest, RangesForwardReverseAndLimited) {
  ASSERT_TRUE(
      Run(SetAll(*engine_, {{"k1", "a"}, {"k2", "b"}, {"k3", "c"}, {"k4", "d"}, {"l", "x"}})).ok());
  auto all = Run(Range(*engine_, "k", "l", {}));
  EXPECT_EQ(Keys(*all), (std::vector<std::string>{"k1", "k2", "k3", "k4"}));
  auto rev = Run(Range(*engine_, "k", "l", {.limit = 3, .reverse = true}));
  EXPECT_EQ(Keys(*rev), (std::vector<std::string>{"k4", "k3", "k2"}));
  auto lim = Run(Range(*engine_, "k2", "l", {.limit = 2}));
  EXPECT_EQ(Keys(*lim), (std::vector<std::string>{"k2", "k3"}));
  auto none = Run(Range(*engine_, "m", "n", {}));
  EXPECT_TRUE(none->empty());
  auto txn = engine_->Begin();
  txn->ClearRange("k2", "k4");
  ASSERT_TRUE(Run(txn->Commit()).ok());
  txn.reset();
  EXPECT_EQ(Keys(*Run(Range(*engine_, "k", "l", {}))), (std::vector<std::string>{"k1", "k4"}));
}

Task<Status> ReadYourWrites(Engine& e) {
  auto txn = e.Begin();
  txn->Set("b", "new");
  txn->ClearRange("c", "e");
  txn->Set("d", "inside-cleared");
  txn->AtomicAdd("n", 5);
  txn->AtomicAdd("n", -2);
  auto b = co_await txn->Get("b");
  if (!b.ok() || *b != std::optional<std::string>("new")) co_return Internal("b not read back");
  auto n = co_await txn->Get("n");
  if (!n.ok() || !*n || *DecodeInt64(**n) != 13) co_return Internal("atomic add not applied");
  auto r = co_await txn->GetRange("a", "z", {});
  if (!r.ok()) co_return r.status();
  std::vector<std::string> keys = Keys(*r);
  std::vector<std::string> want{"a", "b", "d", "e", "n"};
  if (keys != want) co_return Internal(fmt::format("range saw {}", fmt::join(keys, ",")));
  RangeOptions last_two{.limit = 2, .reverse = true};
  auto rl = co_await txn->GetRange("a", "z", last_two);
  if (Keys(*rl) != std::vector<std::string>{"n", "e"})
    co_return Internal("reverse limited overlay");
  co_return co_await txn->Commit();
}

TEST_P(KvConformanceTest, ReadYourWritesMergesLocalChanges) {
  ASSERT_TRUE(Run(SetAll(*engine_,
                         {{"a", "1"}, {"b", "2"}, {"c", "3"}, {"e", "5"}, {"n", EncodeInt64(10)}}))
                  .ok());
  Status st = Run(ReadYourWrites(*engine_));
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(**Run(GetOne(*engine_, "d")), "inside-cleared");
  EXPECT_FALSE(Run(GetOne(*engine_, "c"))->has_value());
}

TEST_P(KvConformanceTest, ReadsSeeTheSnapshotOfTheirStart) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "old"}})).ok());
  auto reader = engine_->Begin();
  // As in FoundationDB, the snapshot is fixed no later than the first read.
  EXPECT_EQ(**Run(reader->Get("x")), "old");
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "new"}, {"y", "new"}})).ok());
  EXPECT_EQ(**Run(reader->Get("x")), "old");
  EXPECT_FALSE(Run(reader->Get("y"))->has_value());
  EXPECT_TRUE(Run(reader->GetRange("a", "z", {}))->size() == 1);
  EXPECT_TRUE(Run(reader->Commit()).ok());  // read-only commits always succeed
}

TEST_P(KvConformanceTest, ReadOnlyTransactionsKeepTheirSnapshotAndRefuseWrites) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "old"}})).ok());
  auto reader = engine_->BeginReadOnly();
  EXPECT_EQ(**Run(reader->Get("x")), "old");
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "new"}})).ok());
  EXPECT_EQ(**Run(reader->Get("x")), "old");
  EXPECT_EQ(Run(reader->GetRange("a", "z", {}))->size(), 1u);
  EXPECT_TRUE(Run(reader->Commit()).ok());
  auto writer = engine_->BeginReadOnly();
  EXPECT_EQ(**Run(writer->Get("x")), "new");
  writer->Set("x", "sneaky");
  EXPECT_FALSE(Run(writer->Commit()).ok());
  EXPECT_EQ(**Run(GetOne(*engine_, "x")), "new");
}

TEST_P(KvConformanceTest, GetManyReadsEveryKeyInOrder) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"a", "1"}, {"c", "3"}})).ok());
  auto t1 = engine_->Begin();
  t1->Set("b", "local");  // read-your-writes covers it
  std::vector<std::string> keys{"a", "b", "missing", "c"};
  auto values = Run(t1->GetMany(keys));
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  ASSERT_EQ(values->size(), 4u);
  EXPECT_EQ((*values)[0], "1");
  EXPECT_EQ((*values)[1], "local");
  EXPECT_FALSE((*values)[2].has_value());
  EXPECT_EQ((*values)[3], "3");
  EXPECT_TRUE(Run(t1->Commit()).ok());
}

// What a transaction sees of each key: stored, its own set, clear, cleared range or atomic
// over the stored value, or nothing; batched or one by one, the same.
TEST_P(KvConformanceTest, SnapshotGetManySeesWhatSnapshotGetSees) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"a", "1"}, {"c", "3"}, {"d", "4"}, {"e", "5"}})).ok());
  auto t1 = engine_->Begin();
  t1->Set("b", "local");
  t1->Clear("c");
  t1->ClearRange("d", "e");
  t1->AtomicAdd("n", 7);
  std::vector<std::string> keys{"a", "b", "c", "d", "e", "missing", "n"};
  auto values = Run(t1->SnapshotGetMany(keys));
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  ASSERT_EQ(values->size(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    auto one = Run(t1->SnapshotGet(keys[i]));
    ASSERT_TRUE(one.ok());
    EXPECT_EQ((*values)[i], *one) << keys[i];
  }
  EXPECT_EQ((*values)[0], "1");
  EXPECT_EQ((*values)[1], "local");
  EXPECT_FALSE((*values)[2].has_value());
  EXPECT_FALSE((*values)[3].has_value());
  EXPECT_EQ((*values)[4], "5");
  EXPECT_FALSE((*values)[5].has_value());
  auto n = kv::DecodeInt64(*(*values)[6]);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 7);
  auto none = Run(t1->SnapshotGetMany({}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_TRUE(Run(t1->Commit()).ok());
}

// Reads "a" and "c" in one batch (GetMany, or SnapshotGetMany with `snapshot`), writes "b",
// lets another transaction change "c", then commits.
Task<Status> CommitAfterBatchReadKeyChanged(Engine& engine, bool snapshot) {
  std::vector<KeyValue> initial{{"a", "1"}, {"c", "3"}};
  std::vector<KeyValue> change{{"c", "changed"}};
  CO_RETURN_IF_ERROR(co_await SetAll(engine, std::move(initial)));
  auto t1 = engine.Begin();
  std::vector<std::string> keys{"a", "c"};
  Task<Result<std::vector<std::optional<std::string>>>> read =
      snapshot ? t1->SnapshotGetMany(keys) : t1->GetMany(keys);
  auto values = co_await std::move(read);
  if (!values.ok()) co_return values.status();
  t1->Set("b", "2");
  CO_RETURN_IF_ERROR(co_await SetAll(engine, std::move(change)));
  co_return co_await t1->Commit();
}

TEST_P(KvPreciseConflictTest, SnapshotGetManyAddsNoReadConflict) {
  EXPECT_TRUE(Run(CommitAfterBatchReadKeyChanged(*engine_, /*snapshot=*/true)).ok());
}

TEST_P(KvPreciseConflictTest, GetManyAddsAReadConflictPerKey) {
  EXPECT_EQ(Run(CommitAfterBatchReadKeyChanged(*engine_, /*snapshot=*/false)).code(),
            StatusCode::kConflict);
}

TEST_P(KvConformanceTest, ReadThenWrittenByOtherConflicts) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "0"}})).ok());
  auto t1 = engine_->Begin();
  ASSERT_TRUE(Run(t1->Get("x")).ok());
  t1->Set("x", "1");
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "2"}})).ok());
  EXPECT_EQ(Run(t1->Commit()).code(), StatusCode::kConflict);
}

TEST_P(KvPreciseConflictTest, BlindWritesAndAtomicAddsDoNotConflict) {
  auto t1 = engine_->Begin();
  auto t2 = engine_->Begin();
  t1->Set("k", "one");
  t2->Set("k", "two");
  t1->AtomicAdd("c", 1);
  t2->AtomicAdd("c", 1);
  EXPECT_TRUE(Run(t1->Commit()).ok());
  EXPECT_TRUE(Run(t2->Commit()).ok());
  t1.reset();
  t2.reset();
  EXPECT_EQ(**Run(GetOne(*engine_, "k")), "two");
  EXPECT_EQ(*DecodeInt64(**Run(GetOne(*engine_, "c"))), 2);
  auto t3 = engine_->Begin();
  t3->AtomicMax("m", 7);
  t3->AtomicMax("m", 3);
  ASSERT_TRUE(Run(t3->Commit()).ok());
  t3.reset();
  EXPECT_EQ(*DecodeInt64(**Run(GetOne(*engine_, "m"))), 7);
}

TEST_P(KvConformanceTest, AtomicAdvanceMovesOnEveryCommitEvenPastALargerValue) {
  auto t1 = engine_->Begin();
  t1->AtomicAdvance("s", 100);
  ASSERT_TRUE(Run(t1->Commit()).ok());
  t1.reset();
  EXPECT_EQ(*DecodeInt64(**Run(GetOne(*engine_, "s"))), 100);
  // Two writers that both ask for 50, committed after 100 was stored: each still moves it.
  auto t2 = engine_->Begin();
  auto t3 = engine_->Begin();
  t2->AtomicAdvance("s", 50);
  t3->AtomicAdvance("s", 50);
  EXPECT_TRUE(Run(t2->Commit()).ok());
  EXPECT_TRUE(Run(t3->Commit()).ok());
  t2.reset();
  t3.reset();
  EXPECT_EQ(*DecodeInt64(**Run(GetOne(*engine_, "s"))), 102);
  // Twice in one transaction, read back before the commit, then a larger value wins.
  auto t4 = engine_->Begin();
  t4->AtomicAdvance("s", 0);
  t4->AtomicAdvance("s", 0);
  EXPECT_EQ(*DecodeInt64(**Run(t4->Get("s"))), 104);
  t4->AtomicAdvance("s", 1000);
  ASSERT_TRUE(Run(t4->Commit()).ok());
  t4.reset();
  EXPECT_EQ(*DecodeInt64(**Run(GetOne(*engine_, "s"))), 1000);
}

TEST_P(KvConformanceTest, WriteSkewIsPrevented) {
  // Invariant: at most one of x and y is "on". Each transaction checks both, then sets one.
  ASSERT_TRUE(Run(SetAll(*engine_, {{"x", "off"}, {"y", "off"}})).ok());
  auto t1 = engine_->Begin();
  auto t2 = engine_->Begin();
  for (auto* t : {t1.get(), t2.get()}) {
    ASSERT_EQ(**Run(t->Get("x")), "off");
    ASSERT_EQ(**Run(t->Get("y")), "off");
  }
  t1->Set("x", "on");
  t2->Set("y", "on");
  Status s1 = Run(t1->Commit());
  Status s2 = Run(t2->Commit());
  EXPECT_TRUE(s1.ok());
  EXPECT_EQ(s2.code(), StatusCode::kConflict);
}

TEST_P(KvConformanceTest, PhantomInReadRangeIsPrevented) {
  // Invariant: at most two entries under dir/. Each transaction counts them, then adds one.
  ASSERT_TRUE(Run(SetAll(*engine_, {{"dir/a", "1"}})).ok());
  auto t1 = engine_->Begin();
  auto t2 = engine_->Begin();
  ASSERT_EQ(Run(t1->GetRange("dir/", "dir0", {}))->size(), 1u);
  ASSERT_EQ(Run(t2->GetRange("dir/", "dir0", {}))->size(), 1u);
  t1->Set("dir/b", "2");
  t2->Set("dir/c", "3");
  EXPECT_TRUE(Run(t1->Commit()).ok());
  EXPECT_EQ(Run(t2->Commit()).code(), StatusCode::kConflict);
}

TEST_P(KvPreciseConflictTest, LimitedRangeConflictsOnlyWithWhatItCovered) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"r/1", ""}, {"r/2", ""}, {"r/3", ""}, {"r/4", ""}})).ok());
  auto t1 = engine_->Begin();
  ASSERT_EQ(Keys(*Run(t1->GetRange("r/", "r0", {.limit = 2}))),
            (std::vector<std::string>{"r/1", "r/2"}));
  t1->Set("out", "x");
  ASSERT_TRUE(Run(SetAll(*engine_, {{"r/9", ""}})).ok());  // beyond what t1 read
  EXPECT_TRUE(Run(t1->Commit()).ok());
  auto t2 = engine_->Begin();
  ASSERT_EQ(Run(t2->GetRange("r/", "r0", {.limit = 2}))->size(), 2u);
  t2->Set("out", "y");
  ASSERT_TRUE(Run(SetAll(*engine_, {{"r/15", ""}})).ok());  // inside it
  EXPECT_EQ(Run(t2->Commit()).code(), StatusCode::kConflict);
}

TEST_P(KvPreciseConflictTest, SnapshotReadsAddNoConflict) {
  ASSERT_TRUE(Run(SetAll(*engine_, {{"s", "0"}})).ok());
  auto t1 = engine_->Begin();
  ASSERT_TRUE(Run(t1->SnapshotGet("s")).ok());
  ASSERT_TRUE(Run(t1->GetRange("a", "z", {.snapshot = true})).ok());
  t1->Set("t", "1");
  ASSERT_TRUE(Run(SetAll(*engine_, {{"s", "1"}})).ok());
  EXPECT_TRUE(Run(t1->Commit()).ok());
}

TEST_P(KvConformanceTest, LargeValuesAndManyKeys) {
  std::string big(1 << 20, 'v');
  big[12345] = 'x';
  ASSERT_TRUE(Run(SetAll(*engine_, {{"big", big}})).ok());
  EXPECT_EQ(**Run(GetOne(*engine_, "big")), big);
  std::vector<KeyValue> many;
  for (int i = 0; i < 10000; ++i) many.push_back({fmt::format("many/{:06}", i), std::to_string(i)});
  ASSERT_TRUE(Run(SetAll(*engine_, many)).ok());
  auto all = Run(Range(*engine_, "many/", "many0", {}));
  ASSERT_EQ(all->size(), 10000u);
  EXPECT_EQ((*all)[9999].value, "9999");
  auto page = Run(Range(*engine_, "many/005000", "many0", {.limit = 100}));
  ASSERT_EQ(page->size(), 100u);
  EXPECT_EQ(page->front().key, "many/005000");
}

// Reads a counter, waits a random while (so others interleave), writes it plus one; with
// `relaxed`, commits with relaxed durability.
class Increment : public TxnBody {
 public:
  Increment(Clock& clock, Random& random, bool relaxed)
      : clock_(clock), random_(random), relaxed_(relaxed) {}
  Task<Status> Run(Transaction& txn) override {
    auto v = co_await txn.Get("counter");
    if (!v.ok()) co_return v.status();
    int64_t n = *v ? std::stoll(**v) : 0;
    co_await clock_.Sleep(Nanos(random_.Uniform(2'000'000)));
    txn.Set("counter", std::to_string(n + 1));
    if (relaxed_) txn.RelaxDurability();
    co_return Status();
  }

 private:
  Clock& clock_;
  Random& random_;
  bool relaxed_;
};

Task<void> IncrementOnce(Engine& e, Runtime& rt, bool relaxed, int* ok, int* done) {
  Increment body(rt.clock(), rt.random(), relaxed);
  RetryOptions opts{.max_attempts = 1000};
  Status st = co_await RunTransaction(e, rt.clock(), rt.random(), body, opts);
  if (st.ok()) ++*ok;
  if (!st.ok()) ADD_FAILURE() << st.ToString();
  ++*done;
}

// With `mixed`, every other client commits with relaxed durability.
Task<int> IncrementConcurrently(Engine& e, Runtime& rt, int clients, bool mixed = false) {
  int ok = 0, done = 0;
  for (int i = 0; i < clients; ++i) {
    rt.Spawn(IncrementOnce(e, rt, mixed && i % 2 == 1, &ok, &done), "inc");
  }
  while (done < clients) co_await rt.clock().Sleep(Nanos(1ms));
  co_return ok;
}

TEST_P(KvConformanceTest, ConcurrentIncrementsLoseNoUpdate) {
  constexpr int kClients = 50;
  EXPECT_EQ(Run(IncrementConcurrently(*engine_, rt(), kClients)), kClients);
  EXPECT_EQ(**Run(GetOne(*engine_, "counter")), std::to_string(kClients));
}

// Commits that skip the sync are decided and applied in the same order as the others.
TEST_P(KvConformanceTest, RelaxedCommitsInterleavedWithDurableOnesLoseNoUpdate) {
  constexpr int kClients = 50;
  EXPECT_EQ(Run(IncrementConcurrently(*engine_, rt(), kClients, /*mixed=*/true)), kClients);
  EXPECT_EQ(**Run(GetOne(*engine_, "counter")), std::to_string(kClients));
}

std::unique_ptr<Engine> MakeMem(const std::string&) { return std::make_unique<MemEngine>(); }

std::unique_ptr<Engine> MakeRocks(const std::string& dir) {
  auto e = RocksDbEngine::Open({.path = dir});
  CHECK_MSG(e.ok(), e.status().ToString().c_str());
  return std::move(*e);
}

Task<Status> ClearEverything(Engine& e) {
  auto txn = e.Begin();
  txn->ClearRange("", "\xff\xff\xff\xff");
  co_return co_await txn->Commit();
}

// The server comes from ctest's PostgreSQL fixture (tests/pg/pg_server.sh); these tests are
// never skipped: without it they fail and say why.
std::unique_ptr<Engine> MakePostgres(const std::string&) {
  const char* dsn = std::getenv("CHAINFS_TEST_PG");
  if (dsn == nullptr) {
    ADD_FAILURE() << "CHAINFS_TEST_PG is not set: run through ctest, which starts PostgreSQL";
    return nullptr;
  }
  auto e = PgEngine::Open({.conninfo = dsn, .connections = 8});
  if (!e.ok()) {
    ADD_FAILURE() << e.status().ToString();
    return nullptr;
  }
  RealRuntime rt(1);
  Status st = rt.RunSync(0, ClearEverything(**e));
  if (!st.ok()) ADD_FAILURE() << st.ToString();
  return std::move(*e);
}

const EngineCase kMem{"mem", MakeMem, false};
const EngineCase kRocks{"rocksdb", MakeRocks, true};
const EngineCase kPostgres{"postgres", MakePostgres, true};

auto CaseName = [](const auto& info) { return info.param.name; };

INSTANTIATE_TEST_SUITE_P(Engines, KvConformanceTest, ::testing::Values(kMem, kRocks, kPostgres),
                         CaseName);
INSTANTIATE_TEST_SUITE_P(Engines, KvPreciseConflictTest, ::testing::Values(kMem, kRocks), CaseName);

TEST(MemEngineTest, OldVersionsAreCollected) {
  MemEngine e;
  SimWorld world(1);
  for (int i = 0; i < 100; ++i) {
    auto t = e.Begin();
    t->Set("k", std::to_string(i));
    ASSERT_TRUE(RunSimTask(world, t->Commit())->ok());
  }
  EXPECT_LE(e.versions_kept(), 2u);
  auto t = e.Begin();
  t->Clear("k");
  ASSERT_TRUE(RunSimTask(world, t->Commit())->ok());
  t.reset();
  auto t2 = e.Begin();  // moves the horizon past the clear
  t2.reset();
  EXPECT_EQ(e.versions_kept(), 0u);
}

}  // namespace
}  // namespace chainfs::kv
