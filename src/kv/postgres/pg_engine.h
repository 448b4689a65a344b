#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kv/kv.h"

namespace chainfs::kv {

struct PgOptions {
  // A libpq connection string, e.g. "host=/run/chainfs-pg user=postgres dbname=chainfs".
  std::string conninfo;
  // Connections; a transaction holds one while it lives.
  int connections = 8;
};

// The shared store: a table kv(k bytea primary key, v bytea) under SERIALIZABLE isolation, so
// several metadata servers and mgmtd standbys can share one database. PostgreSQL decides
// conflicts (its predicate locks cover ranges); SQLSTATE 40001 and 40P01 become kConflict, a
// connection lost during COMMIT becomes kCommitUnknown.
//
// Differences from the FoundationDB model, which callers tolerate by retrying kConflict:
// snapshot reads take predicate locks like other reads, and two transactions that write the
// same key may conflict. Atomic adds rewrite their row (server-side, without a read), so
// concurrent adds to one key serialize: spread hot counters over several keys.
// The SQL is the portable subset (bytea keys, ordered range scans, ON CONFLICT) so the same
// backend runs on engines that speak PostgreSQL's protocol.
//
// Statements are pipelined: a transaction's first read goes out with its BEGIN, its writes are
// buffered and go out with the next read or with COMMIT, so a typical metadata operation costs
// one round trip per read plus one for the commit. libpq runs in non-blocking mode on the
// calling coroutine's executor. A transaction that wrote nothing ends without a round trip.
// Thread-safe.
class PgEngine : public Engine {
 public:
  // kUnavailable naming the server when it cannot connect or create the table.
  static Result<std::unique_ptr<PgEngine>> Open(PgOptions options);
  ~PgEngine() override;
  std::unique_ptr<Transaction> Begin() override;
  // REPEATABLE READ READ ONLY: one snapshot, no predicate locks, so readers never make
  // writers fail.
  std::unique_ptr<Transaction> BeginReadOnly() override;
  std::string_view name() const override { return "postgres"; }

  class Connection;

 private:
  friend class PgTransaction;
  explicit PgEngine(PgOptions options);
  Task<Result<Connection*>> Acquire();
  void Release(Connection* c);

  struct Waiter;
  PgOptions options_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::mutex mu_;
  std::vector<Connection*> idle_;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace chainfs::kv
