#pragma once

#include <cstdint>

#include "kv/retry.h"
#include "meta/schema/records.h"

// Mutations that are safe to send again. A client tags each mutation with its session and a
// sequence number; the metadata server stores the answer under that tag in the same
// transaction as the change, so a copy of the request that arrives after the answer was lost
// (the server restarted, the connection broke, the client tried another server) gets the
// stored answer instead of doing the change twice (a second mkdir would find its own
// directory: EEXIST; a second unlink, no entry: ENOENT).
namespace chainfs::meta {

struct RequestTag {
  uint64_t session = 0;  // 0: untagged, run as is
  uint64_t seq = 0;      // the client's number for this request; retries carry the same
  // The answers of requests [forget_from, forget_below) may go: the client has none of them in
  // flight any more. (A range, not everything below, so that no clear walks what earlier
  // clears removed.)
  uint64_t forget_from = 0;
  uint64_t forget_below = 0;
  CHAINFS_MESSAGE(RequestTag, session, seq, forget_from, forget_below)
};

// Runs `op` at most once per tag. `result`, when given, is the op's answer: stored with the
// tag after a run, filled from the store on a replay. Answers are kept only for registered
// client sessions, and go when the session ends or the client says it is done with them; an
// untagged request, or one from an unregistered session, runs as is.
class IdempotentOp : public kv::TxnBody {
 public:
  IdempotentOp(kv::TxnBody& op, const RequestTag& tag, Attr* result = nullptr)
      : op_(op), tag_(tag), result_(result) {}
  Task<Status> Run(kv::Transaction& txn) override;
  // The last run found the answer stored: `op` did not run.
  bool replayed = false;

 private:
  kv::TxnBody& op_;
  RequestTag tag_;
  Attr* result_;
};

}  // namespace chainfs::meta
