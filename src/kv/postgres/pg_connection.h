#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kv/postgres/pg_engine.h"
#include "runtime/task.h"

struct pg_conn;
struct pg_result;

namespace chainfs::kv {

// One libpq connection in non-blocking mode, driven by the coroutine that holds it: statements
// go out pipelined and the coroutine waits for the socket on its own executor, so a round trip
// costs no thread hand-off. Used by one transaction at a time; it may move between executors
// between transactions.
class PgEngine::Connection {
 public:
  // Connects (blocking: start-up only).
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();

  struct Rows {
    std::vector<std::vector<std::optional<std::string>>> rows;
  };
  struct Statement {
    std::string sql;
    std::vector<std::string> params;  // binary, as are results
  };

  // Blocking, for set-up before any transaction runs.
  Status ExecBlocking(const std::string& sql);
  // Sends the statements in pipelines of at most kMaxPipeline and returns the rows of each
  // (empty for statements that return none); the first failure stops the rest and is returned.
  // Reconnects first if the connection broke, unless `in_transaction` (the transaction died with
  // the connection: kUnavailable).
  Task<Result<std::vector<Rows>>> Exec(std::vector<Statement> statements, bool in_transaction);
  // Ends whatever transaction is open without waiting: ROLLBACK goes out now and its answer is
  // read by the next Exec. A connection left mid-exchange is reset instead.
  void AbortInBackground();

 private:
  struct Socket;
  explicit Connection(pg_conn* conn);
  Status Reconnect();
  Task<Status> Wait(bool for_write);
  Task<Status> Flush();
  Task<Status> DrainPending();
  // Marks the connection for a reset before its next use; the error names `what`.
  Status Broken(std::string_view what);
  // The next result once it has arrived (null at the end of a statement's results).
  Task<Result<pg_result*>> NextResult();
  // Each statement text is prepared once per connection, on first use, so the server parses
  // and plans it once instead of on every call.
  Task<Status> ExecPipeline(const std::vector<Statement>& statements, size_t first, size_t end,
                            std::vector<Rows>& rows);
  // The server-side name of `sql` if this connection has prepared it.
  const std::string* Prepared(const std::string& sql) const;

  pg_conn* conn_;
  std::unique_ptr<Socket> socket_;
  std::map<std::string, std::string, std::less<>> prepared_;  // statement text -> name
  int pending_results_ = 0;  // queries sent by AbortInBackground, answers not yet read
  bool broken_ = false;      // left mid-exchange: reset before the next use
};

// Maps a failed statement to a status: kConflict for serialization failures and deadlocks.
Status PgError(pg_conn* conn, const void* result, std::string_view what);

}  // namespace chainfs::kv
