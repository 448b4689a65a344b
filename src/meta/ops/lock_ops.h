#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "kv/retry.h"
#include "meta/schema/records.h"

// flock(2) and POSIX byte-range (fcntl) locks. The two kinds never interact, as on Linux. An
// owner is a client session plus the lock owner the kernel names (the open file description for
// flock, the process's files table for fcntl), so locks go when their session dies.
namespace chainfs::meta {

enum class LockKind : uint8_t { kFlock = 1, kPosix = 2 };
enum class LockType : uint8_t { kUnlock = 0, kRead = 1, kWrite = 2 };

inline constexpr uint64_t kLockToEnd = UINT64_MAX;

// Bytes [start, end] (inclusive; end kLockToEnd means to the end of any file).
struct LockRange {
  uint64_t start = 0;
  uint64_t end = kLockToEnd;
  LockType type = LockType::kRead;
  uint32_t pid = 0;
  CHAINFS_MESSAGE(LockRange, start, end, type, pid)
};

// What one owner holds on one inode: disjoint ranges in order (flock: one whole-file range).
struct LockSet {
  std::vector<LockRange> ranges;
  CHAINFS_MESSAGE(LockSet, ranges)
};

struct LockOwner {
  uint64_t session = 0;
  uint64_t owner = 0;
  CHAINFS_MESSAGE(LockOwner, session, owner)
};

struct LockRequest {
  LockKind kind = LockKind::kPosix;
  LockOwner owner;
  LockRange range;  // type kUnlock releases; flock ignores start and end
  CHAINFS_MESSAGE(LockRequest, kind, owner, range)
};

struct LockConflict {
  LockOwner owner;
  LockRange range;
  CHAINFS_MESSAGE(LockConflict, owner, range)
};

// Sets or releases a lock without waiting: kWouldBlock when another owner holds a conflicting
// lock (the client waits and asks again). Upgrades, downgrades, splits and merges an owner's
// own ranges as fcntl(F_SETLK) does. Errors: kInvalidArgument (start after end, unknown kind
// or type), kNotFound (inode, or a client session that is not registered).
class SetLockOp : public kv::TxnBody {
 public:
  SetLockOp(InodeId id, LockRequest request) : id_(id), request_(request) {}
  Task<Status> Run(kv::Transaction& txn) override;

 private:
  InodeId id_;
  LockRequest request_;
};

// fcntl(F_GETLK): the first lock that would block `request`, if any.
class GetLockOp : public kv::TxnBody {
 public:
  GetLockOp(InodeId id, LockRequest request) : id_(id), request_(request) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  std::optional<LockConflict> conflict;

 private:
  InodeId id_;
  LockRequest request_;
};

// The ranges an owner holds after applying `request` (type kUnlock removes) to `held`.
std::vector<LockRange> ApplyLock(std::vector<LockRange> held, const LockRange& request);

}  // namespace chainfs::meta
