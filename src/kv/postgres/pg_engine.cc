#include "kv/postgres/pg_engine.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>

#include "kv/postgres/pg_connection.h"
#include "kv/versioned.h"
#include "runtime/wait_slot.h"

namespace chainfs::kv {

namespace {
constexpr const char* kCreateTable =
    "CREATE TABLE IF NOT EXISTS kv (k bytea PRIMARY KEY, v bytea NOT NULL)";
constexpr const char* kUpsert =
    "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v";
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
      Result<Connection::Rows> created = c->Exec(kCreateTable, {});
      if (!created.ok()) return created.status().WithContext("creating table kv");
    }
    engine->idle_.push_back(c.get());
    engine->connections_.push_back(std::move(c));
  }
  return engine;
}

PgEngine::PgEngine(PgOptions options) : options_(std::move(options)) {}

PgEngine::~PgEngine() {
  // Connection threads may still be rolling back and releasing; they need mu_ alive.
  connections_.clear();
}

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
  explicit PgTransaction(PgEngine& engine) : engine_(engine) {}
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
  Task<Status> Commit() override;

 private:
  // Acquires a connection, begins, and sends buffered writes; runs `then` in the same job.
  Task<Status> Run(std::function<Status(PgEngine::Connection&)> then);
  static Status Flush(PgEngine::Connection& c, std::vector<Mutation>& pending);

  PgEngine& engine_;
  PgEngine::Connection* conn_ = nullptr;
  bool begun_ = false;
  bool finished_ = false;
  Status failed_;  // after an error PostgreSQL refuses the rest of the transaction
  std::vector<Mutation> pending_;
};

PgTransaction::~PgTransaction() {
  if (!conn_) return;
  PgEngine::Connection* c = conn_;
  PgEngine* engine = &engine_;
  // Whatever is left open (a failed statement or commit included) is rolled back on the
  // connection's own thread, which then hands the connection on.
  auto job = [c, engine] {
    if (PQtransactionStatus(c->conn()) != PQTRANS_IDLE) (void)c->Exec("ROLLBACK", {});
    engine->Release(c);
  };
  c->RunDetached(std::move(job));
}

Status PgTransaction::Flush(PgEngine::Connection& c, std::vector<Mutation>& pending) {
  for (const Mutation& m : pending) {
    Result<PgEngine::Connection::Rows> r = PgEngine::Connection::Rows{};
    switch (m.kind) {
      case Mutation::Kind::kSet:
        r = c.Exec(kUpsert, {m.key, m.param});
        break;
      case Mutation::Kind::kClear:
        r = c.Exec("DELETE FROM kv WHERE k = $1", {m.key});
        break;
      case Mutation::Kind::kClearRange:
        r = c.Exec("DELETE FROM kv WHERE k >= $1 AND k < $2", {m.key, m.param});
        break;
      case Mutation::Kind::kAdd:
      case Mutation::Kind::kMax: {
        Result<PgEngine::Connection::Rows> cur = c.Exec("SELECT v FROM kv WHERE k = $1", {m.key});
        if (!cur.ok()) return cur.status();
        std::optional<std::string> current;
        if (!cur->rows.empty()) current = cur->rows[0][0];
        r = c.Exec(kUpsert, {m.key, ApplyAtomic(m.kind, current, m.param)});
        break;
      }
    }
    if (!r.ok()) return r.status();
  }
  pending.clear();
  return Status();
}

Task<Status> PgTransaction::Run(std::function<Status(PgEngine::Connection&)> then) {
  if (!failed_.ok()) co_return failed_;
  if (finished_) co_return Internal("transaction already committed");
  if (!conn_) {
    Result<PgEngine::Connection*> c = co_await engine_.Acquire();
    if (!c.ok()) co_return c.status();
    conn_ = *c;
  }
  Status st;
  bool& begun = begun_;
  std::vector<Mutation>& pending = pending_;
  co_await conn_->Run([&] {
    if (!begun) {
      st = conn_->EnsureConnected();
      if (st.ok()) st = conn_->Exec("BEGIN ISOLATION LEVEL SERIALIZABLE", {}).status();
      if (!st.ok()) return;
      begun = true;
    }
    st = Flush(*conn_, pending);
    if (st.ok()) st = then(*conn_);
  });
  if (!st.ok()) failed_ = st;
  co_return st;
}

Task<Result<std::optional<std::string>>> PgTransaction::Get(std::string key) {
  std::optional<std::string> value;
  Status st = co_await Run([&](PgEngine::Connection& c) {
    ASSIGN_OR_RETURN(PgEngine::Connection::Rows rows,
                     c.Exec("SELECT v FROM kv WHERE k = $1", {key}));
    if (!rows.rows.empty()) value = rows.rows[0][0];
    return Status();
  });
  if (!st.ok()) co_return st;
  co_return value;
}

Task<Result<std::vector<KeyValue>>> PgTransaction::GetRange(std::string begin, std::string end,
                                                            RangeOptions options) {
  std::vector<KeyValue> out;
  if (begin >= end) co_return out;
  std::string sql = fmt::format("SELECT k, v FROM kv WHERE k >= $1 AND k < $2 ORDER BY k {}",
                                options.reverse ? "DESC" : "ASC");
  if (options.limit > 0) sql += fmt::format(" LIMIT {}", options.limit);
  Status st = co_await Run([&](PgEngine::Connection& c) {
    ASSIGN_OR_RETURN(PgEngine::Connection::Rows rows, c.Exec(sql, {begin, end}));
    for (auto& row : rows.rows) out.push_back({std::move(*row[0]), std::move(*row[1])});
    return Status();
  });
  if (!st.ok()) co_return st;
  co_return out;
}

Task<Status> PgTransaction::Commit() {
  if (!failed_.ok()) co_return failed_;
  if (finished_) co_return Internal("transaction committed twice");
  if (!conn_ && pending_.empty()) {
    finished_ = true;
    co_return Status();
  }
  Status st = co_await Run([](PgEngine::Connection& c) {
    Result<PgEngine::Connection::Rows> r = c.Exec("COMMIT", {});
    if (r.ok()) return Status();
    // Without an answer to COMMIT nobody knows whether it happened.
    if (r.status().code() == StatusCode::kUnavailable) {
      return Status(StatusCode::kCommitUnknown, std::string(r.status().message()));
    }
    return r.status();
  });
  finished_ = true;
  co_return st;
}

std::unique_ptr<Transaction> PgEngine::Begin() { return std::make_unique<PgTransaction>(*this); }

}  // namespace chainfs::kv
