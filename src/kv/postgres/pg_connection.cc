#include "kv/postgres/pg_connection.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>

#include <cstring>

#include "runtime/wait_slot.h"

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

Result<std::unique_ptr<PgEngine::Connection>> PgEngine::Connection::Open(
    const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    return Unavailable(fmt::format("cannot connect to PostgreSQL ({}): {}", conninfo, message));
  }
  return std::unique_ptr<Connection>(new Connection(conninfo, conn));
}

PgEngine::Connection::Connection(std::string conninfo, pg_conn* conn)
    : conninfo_(std::move(conninfo)), conn_(conn) {
  thread_ = std::thread([this] { Loop(); });
}

PgEngine::Connection::~Connection() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  PQfinish(conn_);
}

void PgEngine::Connection::Loop() {
  while (true) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

namespace {
struct JobDone {
  WaitSlot slot;
  bool finished = false;
};
}  // namespace

Task<void> PgEngine::Connection::Run(std::function<void()> job) {
  // The job refers to the caller's frame, so the caller waits for it even when cancelled.
  co_await asio::this_coro::throw_if_cancelled(false);
  auto done = std::make_shared<JobDone>();
  Executor ex = co_await asio::this_coro::executor;
  {
    std::lock_guard lock(mu_);
    jobs_.push_back([job = std::move(job), done, ex]() mutable {
      job();
      asio::post(ex, [done] {
        done->finished = true;
        done->slot.Wake(Timer::WaitResult::kWoken);
      });
    });
  }
  cv_.notify_one();
  while (!done->finished) co_await done->slot.Park();
}

void PgEngine::Connection::RunDetached(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
}

Status PgEngine::Connection::EnsureConnected() {
  if (PQstatus(conn_) == CONNECTION_OK) return Status();
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return Unavailable(fmt::format("cannot reconnect to PostgreSQL: {}", PQerrorMessage(conn_)));
  }
  return Status();
}

Result<PgEngine::Connection::Rows> PgEngine::Connection::Exec(
    const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const std::string& p : params) {
    values.push_back(p.data());
    lengths.push_back(static_cast<int>(p.size()));
    formats.push_back(1);
  }
  PGresult* res = PQexecParams(conn_, sql.c_str(), static_cast<int>(params.size()), nullptr,
                               values.data(), lengths.data(), formats.data(), /*binary=*/1);
  ExecStatusType status = PQresultStatus(res);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    Status st = PgError(conn_, res, sql.substr(0, sql.find(' ')));
    PQclear(res);
    return st;
  }
  Rows out;
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
  PQclear(res);
  return out;
}

}  // namespace chainfs::kv
