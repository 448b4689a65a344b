#include "kv/postgres/pg_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <cstring>
#include <map>

namespace chainfs::kv {

Status PgError(pg_conn* conn, const void* result, std::string_view what) {
  const PGresult* res = static_cast<const PGresult*>(result);
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (state && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0)) {
    return Status(StatusCode::kConflict, fmt::format("postgres {}: {}", what, message));
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    return Unavailable(fmt::format("postgres {}: connection lost: {}", what, message));
  }
  return IoError(fmt::format("postgres {}: {}", what, message));
}

namespace {

// Statements sent before their results are read, so results never pile up unread.
constexpr size_t kMaxPipeline = 128;

struct Params {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  explicit Params(const std::vector<std::string>& params) {
    for (const std::string& p : params) {
      values.push_back(p.data());
      lengths.push_back(static_cast<int>(p.size()));
      formats.push_back(1);
    }
  }
  int count() const { return static_cast<int>(values.size()); }
};

PgEngine::Connection::Rows TakeRows(PGresult* res) {
  PgEngine::Connection::Rows out;
  int rows = PQntuples(res), cols = PQnfields(res);
  out.rows.resize(rows);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(res, r, c)) {
        out.rows[r].emplace_back();
      } else {
        out.rows[r].emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
      }
    }
  }
  return out;
}

std::string_view Verb(const std::string& sql) {
  return std::string_view(sql).substr(0, sql.find(' '));
}

}  // namespace

// The connection's socket as an asio descriptor on the executor of the coroutine using it,
// for the length of one Exec(). libpq owns the file descriptor: it is released, never closed.
struct PgEngine::Connection::Socket {
  Socket(Executor ex, int fd) : sd(ex, fd) {}
  ~Socket() { (void)sd.release(); }
  asio::posix::stream_descriptor sd;
};

Result<std::unique_ptr<PgEngine::Connection>> PgEngine::Connection::Open(
    const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Unavailable(fmt::format("cannot connect to PostgreSQL ({}): {}", conninfo, message));
  }
  return std::unique_ptr<Connection>(new Connection(conn));
}

PgEngine::Connection::Connection(pg_conn* conn) : conn_(conn) { PQsetnonblocking(conn_, 1); }

PgEngine::Connection::~Connection() {
  socket_.reset();
  PQfinish(conn_);
}

Status PgEngine::Connection::ExecBlocking(const std::string& sql) {
  PGresult* res = PQexec(conn_, sql.c_str());  // PQexec blocks even in non-blocking mode
  ExecStatusType status = PQresultStatus(res);
  Status st;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) st = PgError(conn_, res, Verb(sql));
  PQclear(res);
  return st;
}

Status PgEngine::Connection::Reconnect() {
  socket_.reset();
  PQreset(conn_);
  pending_results_ = 0;
  prepared_.clear();  // a new server session
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable(fmt::format("cannot reconnect to PostgreSQL: {}", PQerrorMessage(conn_)));
  }
  PQsetnonblocking(conn_, 1);
  broken_ = false;
  return Status();
}

Task<Status> PgEngine::Connection::Wait(bool for_write) {
  auto what = for_write ? asio::posix::descriptor_base::wait_write
                        : asio::posix::descriptor_base::wait_read;
  auto [ec] =
      co_await socket_->sd.async_wait(what, asio::experimental::as_tuple(asio::use_awaitable));
  if (ec) {
    broken_ = true;
    co_return Unavailable(fmt::format("postgres: waiting for the server: {}", ec.message()));
  }
  co_return Status();
}

Task<Status> PgEngine::Connection::Flush() {
  while (true) {
    int r = PQflush(conn_);
    if (r == 0) co_return Status();
    if (r < 0) {
      co_return Broken("send");
    }
    // Read what the server sent meanwhile, so it never blocks writing to us.
    if (PQconsumeInput(conn_) != 1) {
      co_return Broken("receive");
    }
    CO_RETURN_IF_ERROR(co_await Wait(/*for_write=*/true));
  }
}

Status PgEngine::Connection::Broken(std::string_view what) {
  broken_ = true;
  return PgError(conn_, nullptr, what);
}

Task<Result<PGresult*>> PgEngine::Connection::NextResult() {
  while (PQisBusy(conn_)) {
    CO_RETURN_IF_ERROR(co_await Wait(/*for_write=*/false));
    if (PQconsumeInput(conn_) != 1) co_return Broken("receive");
  }
  co_return PQgetResult(conn_);
}

Task<Status> PgEngine::Connection::DrainPending() {
  while (pending_results_ > 0) {
    CO_RETURN_IF_ERROR(co_await Flush());
    Result<PGresult*> next = co_await NextResult();
    if (!next.ok()) co_return next.status();
    PGresult* res = *next;
    if (res == nullptr) {
      --pending_results_;
    } else {
      PQclear(res);
    }
  }
  co_return Status();
}

Task<Status> PgEngine::Connection::ExecPipeline(const std::vector<Statement>& statements,
                                                size_t first, size_t end, std::vector<Rows>& rows) {
  if (PQenterPipelineMode(conn_) != 1) {
    co_return Broken("pipeline");
  }
  // What each command sent answers: a statement, or (nullopt) the preparation of a text this
  // connection has not prepared yet, named `fresh`.
  std::vector<std::optional<size_t>> sent;
  std::map<std::string_view, std::string> fresh;
  for (size_t i = first; i < end; ++i) {
    const std::string& sql = statements[i].sql;
    Params p(statements[i].params);
    const std::string* name = Prepared(sql);
    if (name == nullptr) {
      auto [it, added] =
          fresh.try_emplace(sql, fmt::format("s{}", prepared_.size() + fresh.size()));
      name = &it->second;
      if (added) {
        if (PQsendPrepare(conn_, name->c_str(), sql.c_str(), p.count(), nullptr) != 1) {
          co_return Broken(Verb(sql));
        }
        sent.push_back(std::nullopt);
      }
    }
    if (PQsendQueryPrepared(conn_, name->c_str(), p.count(), p.values.data(), p.lengths.data(),
                            p.formats.data(), 1) != 1) {
      co_return Broken(Verb(sql));
    }
    sent.push_back(i);
  }
  if (PQpipelineSync(conn_) != 1) {
    co_return Broken("sync");
  }
  CO_RETURN_IF_ERROR(co_await Flush());
  // Every result up to the sync's, keeping the first failure. Each command's results end
  // with a null result.
  Status failed;
  for (size_t k = 0;;) {
    Result<PGresult*> next = co_await NextResult();
    if (!next.ok()) co_return next.status();
    PGresult* res = *next;
    if (res == nullptr) {
      if (++k > sent.size() || PQstatus(conn_) != CONNECTION_OK) {
        co_return Broken("pipeline");
      }
      continue;
    }
    ExecStatusType status = PQresultStatus(res);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(res);
      break;
    }
    std::optional<size_t> i = k < sent.size() ? sent[k] : std::nullopt;
    std::string_view what = i ? Verb(statements[*i].sql) : std::string_view("prepare");
    if (status == PGRES_TUPLES_OK && i) rows[*i] = TakeRows(res);
    if (status == PGRES_COMMAND_OK && !i && k < sent.size()) {
      // Prepared: the statement after it in `sent` runs it.
      const std::string& sql = statements[*sent[k + 1]].sql;
      prepared_.emplace(sql, fresh.at(sql));
    }
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && failed.ok()) {
      failed = status == PGRES_PIPELINE_ABORTED
                   ? IoError(fmt::format("postgres {}: skipped after an earlier failure", what))
                   : PgError(conn_, res, what);
    }
    PQclear(res);
  }
  if (PQexitPipelineMode(conn_) != 1) broken_ = true;
  co_return failed;
}

const std::string* PgEngine::Connection::Prepared(const std::string& sql) const {
  auto it = prepared_.find(sql);
  return it == prepared_.end() ? nullptr : &it->second;
}

Task<Result<std::vector<PgEngine::Connection::Rows>>> PgEngine::Connection::Exec(
    std::vector<Statement> statements, bool in_transaction) {
  // A wait cut short would leave the protocol mid-exchange; the connection finishes instead.
  co_await asio::this_coro::throw_if_cancelled(false);
  if (broken_ || PQstatus(conn_) != CONNECTION_OK) {
    if (in_transaction) co_return Unavailable("postgres: the connection broke mid-transaction");
    CO_RETURN_IF_ERROR(Reconnect());
  }
  // The descriptor lives only as long as this call: the executor's io_context may be gone by
  // the next one (a connection outlives the runtimes that use it).
  Executor ex = co_await asio::this_coro::executor;
  socket_ = std::make_unique<Socket>(ex, PQsocket(conn_));
  struct Unbind {
    Connection* c;
    ~Unbind() { c->socket_.reset(); }
  } unbind{this};
  CO_RETURN_IF_ERROR(co_await DrainPending());
  std::vector<Rows> rows(statements.size());
  for (size_t first = 0; first < statements.size(); first += kMaxPipeline) {
    size_t end = std::min(statements.size(), first + kMaxPipeline);
    CO_RETURN_IF_ERROR(co_await ExecPipeline(statements, first, end, rows));
  }
  co_return rows;
}

void PgEngine::Connection::AbortInBackground() {
  // With answers pending the transaction never ran a statement: nothing to end.
  if (broken_ || pending_results_ > 0) return;
  if (PQpipelineStatus(conn_) != PQ_PIPELINE_OFF) {
    broken_ = true;  // left mid-exchange
    return;
  }
  PGTransactionStatusType status = PQtransactionStatus(conn_);
  if (status == PQTRANS_IDLE) return;
  if (status != PQTRANS_INTRANS && status != PQTRANS_INERROR) {
    broken_ = true;
    return;
  }
  if (PQsendQuery(conn_, "ROLLBACK") != 1) {
    broken_ = true;
    return;
  }
  ++pending_results_;
  (void)PQflush(conn_);  // whatever remains goes out with the next Exec
}

}  // namespace chainfs::kv
