#include "meta/ops/sessions.h"

#include <fmt/format.h>

#include "common/big_endian.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

Task<Result<bool>> AnyIn(kv::Transaction& txn, keys::Range range, bool snapshot) {
  kv::RangeOptions one{.limit = 1, .snapshot = snapshot};
  Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(range.begin, range.end, one);
  if (!rows.ok()) co_return rows.status();
  co_return !rows->empty();
}

}  // namespace

Task<Status> PutClientOp::Run(kv::Transaction& txn) {
  if (renew_) {
    Result<std::optional<std::string>> raw = co_await txn.Get(keys::Client(session_));
    if (!raw.ok()) co_return raw.status();
    if (!*raw) {
      co_return NotFound(fmt::format("client session {:016x} expired; register again", session_));
    }
  }
  txn.Set(keys::Client(session_), rpc::Encode(record_));
  co_return Status();
}

Task<Status> EndClientOp::Run(kv::Transaction& txn) {
  ended = false;
  Result<std::optional<std::string>> raw = co_await txn.Get(keys::Client(session_));
  if (!raw.ok()) co_return raw.status();
  if (!*raw) co_return Status();  // already ended
  if (only_if_expired_) {
    Result<ClientRecord> record = DecodeRecord<ClientRecord>(**raw);
    if (record.ok() && record->expiry_ns >= now_ns_) co_return Status();
  }
  keys::Range held = keys::HeldBy(session_);
  kv::RangeOptions all;
  Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(held.begin, held.end, all);
  if (!rows.ok()) co_return rows.status();
  for (const kv::KeyValue& row : *rows) {
    CO_ASSIGN_OR_RETURN(InodeId inode, keys::ParseHeldInode(session_, row.key));
    keys::Range locks = keys::SessionLocks(inode, session_);
    txn.ClearRange(locks.begin, locks.end);
    CO_RETURN_IF_ERROR(co_await CloseWriteSession(txn, inode, session_, now_ns_));
  }
  txn.ClearRange(held.begin, held.end);
  keys::Range answers = keys::Requests(session_);
  txn.ClearRange(answers.begin, answers.end);
  txn.Clear(keys::Client(session_));
  ended = true;
  co_return Status();
}

Task<Status> ListExpiredClientsOp::Run(kv::Transaction& txn) {
  expired.clear();
  keys::Range clients = keys::AllClients();
  kv::RangeOptions snapshot{.snapshot = true};
  Result<std::vector<kv::KeyValue>> rows =
      co_await txn.GetRange(clients.begin, clients.end, snapshot);
  if (!rows.ok()) co_return rows.status();
  for (const kv::KeyValue& row : *rows) {
    CO_ASSIGN_OR_RETURN(uint64_t session, keys::ParseClient(row.key));
    Result<ClientRecord> record = DecodeRecord<ClientRecord>(row.value);
    // An undecodable record cannot be renewed either: reap it.
    if (!record.ok() || record->expiry_ns < now_ns_) expired.push_back(session);
  }
  co_return Status();
}

Task<Status> ExpectClient(kv::Transaction& txn, uint64_t session) {
  Result<std::optional<std::string>> raw = co_await txn.SnapshotGet(keys::Client(session));
  if (!raw.ok()) co_return raw.status();
  if (!*raw) {
    co_return NotFound(fmt::format("client session {:016x} is unknown or expired", session));
  }
  co_return Status();
}

void OpenWriteSession(kv::Transaction& txn, InodeId inode, uint64_t session, uint64_t stamp) {
  std::string value;
  if (stamp != 0) AppendBigEndian(value, stamp);
  txn.Set(keys::Session(inode, session), value);
  txn.Set(keys::Held(session, inode), "");
}

uint64_t OpenStampOf(std::string_view record) {
  return record.size() == 8 ? ReadBigEndian(record) : 0;
}

Task<Status> CloseWriteSession(kv::Transaction& txn, InodeId inode, uint64_t session,
                               int64_t now_ns, uint64_t stamp) {
  if (stamp != 0) {
    Result<std::optional<std::string>> open = co_await txn.Get(keys::Session(inode, session));
    if (!open.ok()) co_return open.status();
    if (*open && OpenStampOf(**open) > stamp) co_return Status();
  }
  txn.Clear(keys::Session(inode, session));
  Result<std::optional<std::string>> orphan = co_await txn.Get(keys::Orphan(inode));
  if (!orphan.ok()) co_return orphan.status();
  if (!*orphan) co_return Status();
  CO_ASSIGN_OR_RETURN(bool others, co_await AnyIn(txn, keys::Sessions(inode), false));
  if (others) co_return Status();
  txn.Clear(keys::Orphan(inode));
  txn.Set(keys::GcQueue(Nanos(now_ns), inode), "");
  co_return Status();
}

Task<Status> ForgetIfReleased(kv::Transaction& txn, InodeId inode, uint64_t session) {
  Result<std::optional<std::string>> open = co_await txn.Get(keys::Session(inode, session));
  if (!open.ok()) co_return open.status();
  if (*open) co_return Status();
  CO_ASSIGN_OR_RETURN(bool locked, co_await AnyIn(txn, keys::SessionLocks(inode, session), false));
  if (!locked) txn.Clear(keys::Held(session, inode));
  co_return Status();
}

}  // namespace chainfs::meta
