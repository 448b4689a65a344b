#include "kv/postgres/pg_engine.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>

#include "common/big_endian.h"
#include "kv/postgres/pg_connection.h"
#include "kv/versioned.h"
#include "runtime/wait_slot.h"

namespace chainfs::kv {

namespace {
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS kv (k bytea PRIMARY KEY, v bytea NOT NULL)";
constexpr const char* kUpsert =
    "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
// Atomic add and max on 8-byte little-endian unsigned integers, computed by the server so an
// atomic mutation is one statement and reads nothing the transaction could conflict on.
// `op` 1 adds modulo 2^64, 2 keeps the larger, 3 keeps the larger of the argument and one
// past the current value; a missing or malformed current value is 0.
constexpr const char* kCreateAtomic = R"(
CREATE OR REPLACE FUNCTION chainfs_atomic(cur bytea, arg bytea, op int) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE a numeric := 0; b numeric := 0; r numeric; o bytea := '\x0000000000000000'; i int;
BEGIN
  IF cur IS NOT NULL AND length(cur) = 8 THEN
    FOR i IN REVERSE 7..0 LOOP a := a * 256 + get_byte(cur, i); END LOOP;
  END IF;
  FOR i IN REVERSE 7..0 LOOP b := b * 256 + get_byte(arg, i); END LOOP;
  IF op = 1 THEN r := mod(a + b, 18446744073709551616);
  ELSIF op = 3 THEN r := greatest(mod(a + 1, 18446744073709551616), b);
  ELSE r := greatest(a, b); END IF;
  FOR i IN 0..7 LOOP o := set_byte(o, i, mod(r, 256)::int); r := div(r, 256); END LOOP;
  RETURN o;
END $$)";
constexpr const char* kAtomicAdd =
    "INSERT INTO kv (k, v) VALUES ($1, chainfs_atomic(NULL, $2, 1)) "
    "ON CONFLICT (k) DO UPDATE SET v = chainfs_atomic(kv.v, $2, 1)";
constexpr const char* kAtomicMax =
    "INSERT INTO kv (k, v) VALUES ($1, chainfs_atomic(NULL, $2, 2)) "
    "ON CONFLICT (k) DO UPDATE SET v = chainfs_atomic(kv.v, $2, 2)";
constexpr const char* kAtomicAdvance =
    "INSERT INTO kv (k, v) VALUES ($1, chainfs_atomic(NULL, $2, 3)) "
    "ON CONFLICT (k) DO UPDATE SET v = chainfs_atomic(kv.v, $2, 3)";
constexpr const char* kBegin = "BEGIN ISOLATION LEVEL SERIALIZABLE";
constexpr const char* kBeginReadOnly = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

using Statement = PgEngine::Connection::Statement;

Statement ToStatement(const Mutation& m) {
  switch (m.kind) {
    case Mutation::Kind::kSet:
      return {kUpsert, {m.key, m.param}};
    case Mutation::Kind::kClear:
      return {"DELETE FROM kv WHERE k = $1", {m.key}};
    case Mutation::Kind::kClearRange:
      return {"DELETE FROM kv WHERE k >= $1 AND k < $2", {m.key, m.param}};
    case Mutation::Kind::kAdd:
      return {kAtomicAdd, {m.key, m.param}};
    case Mutation::Kind::kMax:
      return {kAtomicMax, {m.key, m.param}};
    case Mutation::Kind::kAdvance:
      return {kAtomicAdvance, {m.key, m.param}};
  }
  return {};
}

// Several servers may start at once; CREATE OR REPLACE FUNCTION then races on the catalog.
Status CreateSchema(PgEngine::Connection& c) {
  Status st;
  for (int attempt = 0; attempt < 5; ++attempt) {
    st = c.ExecBlocking(kCreateTable);
    if (st.ok()) st = c.ExecBlocking(kCreateAtomic);
    if (st.ok()) return st;
  }
  return st;
}

}  // namespace

struct PgEngine::Waiter {
  Executor executor;
  WaitSlot slot;
  Connection* given = nullptr;
};

Result<std::unique_ptr<PgEngine>> PgEngine::Open(PgOptions options) {
  std::unique_ptr<PgEngine> engine(new PgEngine(options));
  for (int i = 0; i < std::max(1, options.connections); ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Connection> c, Connection::Open(options.conninfo));
    if (i == 0) {
      Status created = CreateSchema(*c);
      if (!created.ok()) return created.WithContext("creating table kv");
    }
    engine->idle_.push_back(c.get());
    engine->connections_.push_back(std::move(c));
  }
  return engine;
}

PgEngine::PgEngine(PgOptions options) : options_(std::move(options)) {}

PgEngine::~PgEngine() = default;

Task<Result<PgEngine::Connection*>> PgEngine::Acquire() {
  auto waiter = std::make_shared<Waiter>();
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      co_return c;
    }
    waiter->executor = co_await asio::this_coro::executor;
    waiters_.push_back(waiter);
  }
  while (!waiter->given) {
    if (co_await waiter->slot.Park() == Timer::WaitResult::kAborted) {
      std::lock_guard lock(mu_);
      if (!waiter->given) {
        std::erase(waiters_, waiter);
        co_return Status(StatusCode::kCancelled, "cancelled waiting for a PostgreSQL connection");
      }
    }
  }
  co_return waiter->given;
}

void PgEngine::Release(Connection* c) {
  std::lock_guard lock(mu_);
  if (waiters_.empty()) {
    idle_.push_back(c);
    return;
  }
  std::shared_ptr<Waiter> w = std::move(waiters_.front());
  waiters_.pop_front();
  w->given = c;
  asio::post(w->executor, [w] { w->slot.Wake(Timer::WaitResult::kWoken); });
}

// Statements run as soon as a read needs them; writes are buffered (the interface's writes do
// not wait) and sent before the next read and at commit.
class PgTransaction : public Transaction {
 public:
  PgTransaction(PgEngine& engine, bool read_only) : engine_(engine), read_only_(read_only) {}
  ~PgTransaction() override;

  Task<Result<std::optional<std::string>>> Get(std::string key) override;
  Task<Result<std::optional<std::string>>> SnapshotGet(std::string key) override {
    return Get(std::move(key));  // PostgreSQL has no read without a predicate lock
  }
  Task<Result<std::vector<KeyValue>>> GetRange(std::string begin, std::string end,
                                               RangeOptions options) override;
  void Set(std::string_view key, std::string_view value) override {
    pending_.push_back({Mutation::Kind::kSet, std::string(key), std::string(value)});
  }
  void Clear(std::string_view key) override {
    pending_.push_back({Mutation::Kind::kClear, std::string(key), {}});
  }
  void ClearRange(std::string_view begin, std::string_view end) override {
    if (begin < end) {
      pending_.push_back({Mutation::Kind::kClearRange, std::string(begin), std::string(end)});
    }
  }
  void AtomicAdd(std::string_view key, int64_t delta) override {
    pending_.push_back({Mutation::Kind::kAdd, std::string(key), EncodeInt64(delta)});
  }
  void AtomicMax(std::string_view key, uint64_t value) override {
    pending_.push_back(
        {Mutation::Kind::kMax, std::string(key), EncodeInt64(static_cast<int64_t>(value))});
  }
  void AtomicAdvance(std::string_view key, uint64_t value) override {
    pending_.push_back(
        {Mutation::Kind::kAdvance, std::string(key), EncodeInt64(static_cast<int64_t>(value))});
  }
  void RelaxDurability() override { durable_ = false; }
  Task<Status> Commit() override;
  Task<Result<std::vector<std::optional<std::string>>>> GetMany(
      std::vector<std::string> keys) override;
  Task<Result<std::vector<std::optional<std::string>>>> SnapshotGetMany(
      std::vector<std::string> keys) override {
    return GetMany(std::move(keys));  // as SnapshotGet: every read takes its predicate lock
  }

 private:
  // Acquires a connection and sends, in one pipeline, BEGIN (the first time), the buffered
  // writes and `then`; returns the rows of each statement of `then`.
  Task<Result<std::vector<PgEngine::Connection::Rows>>> Run(std::vector<Statement> then);

  PgEngine& engine_;
  PgEngine::Connection* conn_ = nullptr;
  bool read_only_;
  bool begun_ = false;
  bool wrote_ = false;
  bool finished_ = false;
  bool durable_ = true;
  Status failed_;  // after an error PostgreSQL refuses the rest of the transaction
  std::vector<Mutation> pending_;
};

PgTransaction::~PgTransaction() {
  if (!conn_) return;
  // Whatever is left open (reads only, or a failure) is rolled back without waiting.
  conn_->AbortInBackground();
  engine_.Release(conn_);
}

Task<Result<std::vector<PgEngine::Connection::Rows>>> PgTransaction::Run(
    std::vector<Statement> then) {
  if (!failed_.ok()) co_return failed_;
  if (finished_) co_return Internal("transaction already committed");
  if (read_only_ && !pending_.empty()) {
    failed_ = Internal("a read-only transaction wrote");
    co_return failed_;
  }
  if (!conn_) {
    Result<PgEngine::Connection*> c = co_await engine_.Acquire();
    if (!c.ok()) co_return c.status();
    conn_ = *c;
  }
  std::vector<Statement> batch;
  if (!begun_) batch.push_back({read_only_ ? kBeginReadOnly : kBegin, {}});
  for (const Mutation& m : pending_) batch.push_back(ToStatement(m));
  wrote_ = wrote_ || !pending_.empty();
  pending_.clear();
  size_t first = batch.size();
  for (Statement& st : then) batch.push_back(std::move(st));
  Result<std::vector<PgEngine::Connection::Rows>> rows =
      co_await conn_->Exec(std::move(batch), begun_);
  begun_ = true;
  if (!rows.ok()) {
    failed_ = rows.status();
    co_return failed_;
  }
  rows->erase(rows->begin(), rows->begin() + static_cast<std::ptrdiff_t>(first));
  co_return rows;
}

Task<Result<std::optional<std::string>>> PgTransaction::Get(std::string key) {
  std::vector<std::string> one;
  one.push_back(std::move(key));
  Result<std::vector<std::optional<std::string>>> values = co_await GetMany(std::move(one));
  if (!values.ok()) co_return values.status();
  co_return std::move((*values)[0]);
}

Task<Result<std::vector<std::optional<std::string>>>> PgTransaction::GetMany(
    std::vector<std::string> keys) {
  std::vector<Statement> reads;
  for (std::string& key : keys)
    reads.push_back({"SELECT v FROM kv WHERE k = $1", {std::move(key)}});
  Result<std::vector<PgEngine::Connection::Rows>> rows = co_await Run(std::move(reads));
  if (!rows.ok()) co_return rows.status();
  std::vector<std::optional<std::string>> values;
  for (PgEngine::Connection::Rows& r : *rows) {
    values.push_back(r.rows.empty() ? std::nullopt : std::move(r.rows[0][0]));
  }
  co_return values;
}

Task<Result<std::vector<KeyValue>>> PgTransaction::GetRange(std::string begin, std::string end,
                                                            RangeOptions options) {
  std::vector<KeyValue> out;
  if (begin >= end) co_return out;
  std::string sql = fmt::format("SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k {}",
                                options.reverse ? "DESC" : "ASC");
  std::vector<std::string> params{std::move(begin), std::move(end)};
  if (options.limit > 0) {
    // A parameter, not a literal: one prepared statement serves every limit.
    sql += " LIMIT $3";
    params.emplace_back();
    AppendBigEndian(params.back(), options.limit);  // a binary int8
  }
  std::vector<Statement> read;
  read.push_back({std::move(sql), std::move(params)});
  Result<std::vector<PgEngine::Connection::Rows>> rows = co_await Run(std::move(read));
  if (!rows.ok()) co_return rows.status();
  for (auto& row : (*rows)[0].rows) out.push_back({std::move(*row[0]), std::move(*row[1])});
  co_return out;
}

// A transaction that wrote nothing ends without a round trip: its reads all came from one
// snapshot, and the destructor rolls it back on the connection's thread.
Task<Status> PgTransaction::Commit() {
  if (!failed_.ok()) co_return failed_;
  if (finished_) co_return Internal("transaction committed twice");
  if (pending_.empty() && !wrote_) {
    finished_ = true;
    co_return Status();
  }
  if (read_only_) co_return Internal("a read-only transaction wrote");
  std::vector<Statement> commit;
  // The server then answers before its WAL record is flushed.
  if (!durable_) commit.push_back({"SET LOCAL synchronous_commit TO OFF", {}});
  commit.push_back({"COMMIT", {}});
  Result<std::vector<PgEngine::Connection::Rows>> r = co_await Run(std::move(commit));
  finished_ = true;
  if (r.ok()) co_return Status();
  // Without an answer to COMMIT nobody knows whether it happened.
  if (r.status().code() == StatusCode::kUnavailable) {
    co_return Status(StatusCode::kCommitUnknown, std::string(r.status().message()));
  }
  co_return r.status();
}

std::unique_ptr<Transaction> PgEngine::Begin() {
  return std::make_unique<PgTransaction>(*this, /*read_only=*/false);
}

std::unique_ptr<Transaction> PgEngine::BeginReadOnly() {
  return std::make_unique<PgTransaction>(*this, /*read_only=*/true);
}

}  // namespace chainfs::kv
