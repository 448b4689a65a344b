#include "meta/ops/lock_ops.h"

#include <fmt/format.h>

#include <algorithm>

#include "meta/ops/sessions.h"
#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

struct HeldLock {
  LockOwner owner;
  LockKind kind;
  LockSet set;
};

// Key layout after the inode: session, owner (8 bytes each), kind (1 byte).
Result<HeldLock> ParseLock(const kv::KeyValue& row) {
  std::string_view k(row.key);
  size_t base = keys::kLock.size() + 8;
  if (k.size() != base + 17) return Status(StatusCode::kCorruption, "malformed lock key");
  HeldLock h;
  h.owner.session = ReadBigEndian(k.substr(base));
  h.owner.owner = ReadBigEndian(k.substr(base + 8));
  h.kind = static_cast<LockKind>(k[base + 16]);
  ASSIGN_OR_RETURN(h.set, DecodeRecord<LockSet>(row.value));
  return h;
}

bool Overlap(const LockRange& a, const LockRange& b) {
  return a.start <= b.end && b.start <= a.end;
}

bool Conflicts(const LockRange& held, const LockRange& wanted) {
  return Overlap(held, wanted) &&
         (held.type == LockType::kWrite || wanted.type == LockType::kWrite);
}

Status ValidateRequest(const LockRequest& r) {
  if (r.kind != LockKind::kFlock && r.kind != LockKind::kPosix) {
    return InvalidArgument(fmt::format("unknown lock kind {}", static_cast<int>(r.kind)));
  }
  if (r.range.type > LockType::kWrite) {
    return InvalidArgument(fmt::format("unknown lock type {}", static_cast<int>(r.range.type)));
  }
  if (r.range.start > r.range.end) {
    return InvalidArgument(
        fmt::format("lock range starts at {} after its end {}", r.range.start, r.range.end));
  }
  if (r.owner.session == 0) return InvalidArgument("a lock needs a client session");
  return Status();
}

LockRange Normalized(const LockRequest& r) {
  LockRange range = r.range;
  if (r.kind == LockKind::kFlock) {
    range.start = 0;
    range.end = kLockToEnd;
  }
  return range;
}

// Every lock on the inode (read with a conflict: a lock taken meanwhile must abort us), and
// the first one of another owner that blocks `wanted`.
Task<Result<std::optional<LockConflict>>> FindConflict(kv::Transaction& txn, InodeId id,
                                                       const LockRequest& request,
                                                       const LockRange& wanted) {
  keys::Range locks = keys::Locks(id);
  kv::RangeOptions all;
  Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(locks.begin, locks.end, all);
  if (!rows.ok()) co_return rows.status();
  for (const kv::KeyValue& row : *rows) {
    CO_ASSIGN_OR_RETURN(HeldLock h, ParseLock(row));
    if (h.kind != request.kind || h.owner == request.owner) continue;
    for (const LockRange& r : h.set.ranges) {
      if (Conflicts(r, wanted)) co_return std::optional<LockConflict>(LockConflict{h.owner, r});
    }
  }
  co_return std::optional<LockConflict>();
}

Task<Result<LockSet>> LoadOwn(kv::Transaction& txn, const std::string& key) {
  Result<std::optional<std::string>> raw = co_await txn.Get(key);
  if (!raw.ok()) co_return raw.status();
  if (!*raw) co_return LockSet{};
  co_return DecodeRecord<LockSet>(**raw);
}

}  // namespace

std::vector<LockRange> ApplyLock(std::vector<LockRange> held, const LockRange& request) {
  std::vector<LockRange> out;
  for (const LockRange& r : held) {
    if (!Overlap(r, request)) {
      out.push_back(r);
      continue;
    }
    if (r.start < request.start) out.push_back({r.start, request.start - 1, r.type, r.pid});
    if (r.end > request.end) out.push_back({request.end + 1, r.end, r.type, r.pid});
  }
  if (request.type != LockType::kUnlock) out.push_back(request);
  std::sort(out.begin(), out.end(),
            [](const LockRange& a, const LockRange& b) { return a.start < b.start; });
  // Merge neighbours of one type that touch.
  std::vector<LockRange> merged;
  for (const LockRange& r : out) {
    if (!merged.empty() && merged.back().type == r.type && merged.back().end != kLockToEnd &&
        merged.back().end + 1 == r.start) {
      merged.back().end = r.end;
      merged.back().pid = r.pid;
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

Task<Status> SetLockOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateRequest(request_));
  CO_RETURN_IF_ERROR(co_await ExpectClient(txn, request_.owner.session));
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/true);
  if (!inode.ok()) co_return inode.status();
  LockRange wanted = Normalized(request_);
  if (wanted.type != LockType::kUnlock) {
    Result<std::optional<LockConflict>> conflict =
        co_await FindConflict(txn, id_, request_, wanted);
    if (!conflict.ok()) co_return conflict.status();
    if (*conflict) {
      co_return Status(StatusCode::kWouldBlock,
                       fmt::format("inode {} bytes {}..{} are locked by session {:016x}", id_,
                                   (*conflict)->range.start, (*conflict)->range.end,
                                   (*conflict)->owner.session));
    }
  }
  std::string key = keys::Lock(id_, request_.owner.session, request_.owner.owner,
                               static_cast<uint8_t>(request_.kind));
  Result<LockSet> own = co_await LoadOwn(txn, key);
  if (!own.ok()) co_return own.status();
  LockSet next{ApplyLock(std::move(own->ranges), wanted)};
  if (next.ranges.empty()) {
    txn.Clear(key);
    CO_RETURN_IF_ERROR(co_await ForgetIfReleased(txn, id_, request_.owner.session));
  } else {
    txn.Set(key, rpc::Encode(next));
    txn.Set(keys::Held(request_.owner.session, id_), "");
  }
  co_return Status();
}

Task<Status> GetLockOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateRequest(request_));
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/true);
  if (!inode.ok()) co_return inode.status();
  LockRange wanted = Normalized(request_);
  if (wanted.type == LockType::kUnlock) co_return Status();
  Result<std::optional<LockConflict>> found = co_await FindConflict(txn, id_, request_, wanted);
  if (!found.ok()) co_return found.status();
  conflict = *found;
  co_return Status();
}

}  // namespace chainfs::meta
