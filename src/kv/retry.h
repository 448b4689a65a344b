#pragma once

#include "kv/kv.h"
#include "runtime/clock.h"
#include "runtime/random.h"

namespace chainfs::kv {

// The body of a retried transaction. Run() may be called several times, each on a fresh
// transaction, so it must not act outside the transaction until the commit has succeeded.
// One class per operation (3FS style) keeps coroutine state out of lambdas.
class TxnBody {
 public:
  virtual ~TxnBody() = default;
  virtual Task<Status> Run(Transaction& txn) = 0;
  // True for bodies that never write: they run in Engine::BeginReadOnly() transactions.
  virtual bool read_only() const { return false; }
};

struct RetryOptions {
  int max_attempts = 20;
  Nanos initial_backoff{1'000'000};
  Nanos max_backoff{200'000'000};
  // Retry kCommitUnknown too; only for bodies that are safe to apply twice.
  bool idempotent = false;
  // Commit with Transaction::RelaxDurability().
  bool relaxed_durability = false;
};

// Runs `body` in a new transaction and commits, retrying on kConflict (and kCommitUnknown when
// idempotent) with jittered exponential backoff, at most max_attempts times. Returns the
// body's own error, the commit's, or kConflict after the last attempt.
Task<Status> RunTransaction(Engine& engine, Clock& clock, Random& random, TxnBody& body,
                            RetryOptions options = {});

}  // namespace chainfs::kv
