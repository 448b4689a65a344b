#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "kv/retry.h"
#include "meta/schema/records.h"

// Client sessions and what they hold. A client registers a session with a lease and renews it;
// opening a file for writing records a write session (SESS + inode + session) and taking a lock
// records the lock under the session. When the lease runs out, or the client ends the session,
// everything it held is released: its write sessions end, its locks go, the answers kept for
// its retries (REQS) go, and files it kept alive after their last unlink (ORPH) move to the GC
// queue.
namespace chainfs::meta {

struct ClientRecord {
  std::string name;  // for operators: host and process
  int64_t expiry_ns = 0;
  CHAINFS_MESSAGE(ClientRecord, name, expiry_ns)
};

// Registers (or renews) client session `session` until `expiry_ns`. Renewing a session that
// is gone (it expired and was reaped) is kNotFound: the client lost its locks and must
// register again.
class PutClientOp : public kv::TxnBody {
 public:
  PutClientOp(uint64_t session, ClientRecord record, bool renew)
      : session_(session), record_(std::move(record)), renew_(renew) {}
  Task<Status> Run(kv::Transaction& txn) override;

 private:
  uint64_t session_;
  ClientRecord record_;
  bool renew_;
};

// Ends client session `session` and releases what it holds. With `only_if_expired_by`, does
// nothing unless the lease ran out before that time (the reaper's check, made again inside the
// transaction so a renewal that raced it wins).
class EndClientOp : public kv::TxnBody {
 public:
  EndClientOp(uint64_t session, int64_t now_ns, bool only_if_expired)
      : session_(session), now_ns_(now_ns), only_if_expired_(only_if_expired) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool ended = false;

 private:
  uint64_t session_;
  int64_t now_ns_;
  bool only_if_expired_;
};

// The sessions whose lease ran out before `now_ns` (a snapshot read).
class ListExpiredClientsOp : public kv::TxnBody {
 public:
  explicit ListExpiredClientsOp(int64_t now_ns) : now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  std::vector<uint64_t> expired;

 private:
  int64_t now_ns_;
};

// kNotFound unless client session `session` is registered (a snapshot read: an expiry racing
// the caller is settled by the reaper's own transaction).
Task<Status> ExpectClient(kv::Transaction& txn, uint64_t session);

// Records that `session` has `inode` open, as of the client's open stamp: a number the client
// raises with every open it sends, so that a close racing a later open cannot end it.
void OpenWriteSession(kv::Transaction& txn, InodeId inode, uint64_t session, uint64_t stamp = 0);
// The open stamp a session record holds (0 for one written without a stamp).
uint64_t OpenStampOf(std::string_view record);

// Ends `session`'s write session on `inode` unless an open with a stamp above `stamp` (when not
// 0) renewed it: when no write session is left and the file has no names (ORPH), it moves to
// the GC queue.
Task<Status> CloseWriteSession(kv::Transaction& txn, InodeId inode, uint64_t session,
                               int64_t now_ns, uint64_t stamp = 0);

// Drops the HELD index entry of (session, inode) unless the session still has a write
// session or locks there.
Task<Status> ForgetIfReleased(kv::Transaction& txn, InodeId inode, uint64_t session);

}  // namespace chainfs::meta
