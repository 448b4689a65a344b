#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "kv/postgres/pg_engine.h"
#include "runtime/task.h"

struct pg_conn;

namespace chainfs::kv {

// One libpq connection and the thread that runs its statements. Run() hands a job to that
// thread and parks the calling coroutine until it is done.
class PgEngine::Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();

  // Runs `job` on this connection's thread; the job may use conn().
  Task<void> Run(std::function<void()> job);
  // Queues `job` without waiting for it.
  void RunDetached(std::function<void()> job);
  pg_conn* conn() { return conn_; }

  // Statement helpers for jobs (on the connection's thread). Parameters and results are binary.
  struct Rows {
    std::vector<std::vector<std::optional<std::string>>> rows;
  };
  Result<Rows> Exec(const std::string& sql, const std::vector<std::string>& params);
  // Reconnects if the connection broke; kUnavailable if it cannot.
  Status EnsureConnected();

 private:
  explicit Connection(std::string conninfo, pg_conn* conn);
  void Loop();

  std::string conninfo_;
  pg_conn* conn_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

// Maps a failed statement to a status: kConflict for serialization failures and deadlocks.
Status PgError(pg_conn* conn, const void* result, std::string_view what);

}  // namespace chainfs::kv
