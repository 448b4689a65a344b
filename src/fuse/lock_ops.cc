// FUSE callbacks for fcntl (POSIX) and flock locks. Blocking requests wait in the client,
// which asks again after growing pauses and gives up when the kernel interrupts the call.
#include <fcntl.h>
#include <sys/file.h>

#include "fuse/fuse_context.h"

namespace chainfs::fuse {
namespace {

bool Interrupted(void* req) { return fuse_req_interrupted(static_cast<fuse_req_t>(req)) != 0; }

// kUnlock for an unknown type, which the client then refuses.
LockType TypeOf(short type) {
  switch (type) {
    case F_RDLCK:
      return LockType::kRead;
    case F_WRLCK:
      return LockType::kWrite;
    default:
      return LockType::kUnlock;
  }
}

// The kernel hands over absolute ranges: l_whence is SEEK_SET and l_len 0 means to the end.
LockRange RangeOf(const struct flock* lock) {
  LockRange r;
  r.start = static_cast<uint64_t>(lock->l_start);
  r.end = lock->l_len == 0 ? UINT64_MAX : static_cast<uint64_t>(lock->l_start + lock->l_len - 1);
  r.type = TypeOf(lock->l_type);
  r.pid = static_cast<uint32_t>(lock->l_pid);
  return r;
}

void GetLk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock) {
  LockRange conflict;
  int rc =
      StateOf(req).client->GetLock(ino, LockKind::kPosix, fi->lock_owner, RangeOf(lock), &conflict);
  if (rc != 0) return ReplyErr(req, rc);
  struct flock out = *lock;
  if (conflict.type == LockType::kUnlock) {
    out.l_type = F_UNLCK;
  } else {
    out.l_type = conflict.type == LockType::kRead ? F_RDLCK : F_WRLCK;
    out.l_whence = SEEK_SET;
    out.l_start = static_cast<off_t>(conflict.start);
    out.l_len =
        conflict.end == UINT64_MAX ? 0 : static_cast<off_t>(conflict.end - conflict.start + 1);
    out.l_pid = static_cast<pid_t>(conflict.pid);
  }
  fuse_reply_lock(req, &out);
}

void SetLk(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, struct flock* lock, int sleep) {
  MountState& m = StateOf(req);
  LockRange range = RangeOf(lock);
  if (lock->l_type != F_UNLCK && range.type == LockType::kUnlock) return ReplyErr(req, EINVAL);
  if (range.type != LockType::kUnlock) {
    std::lock_guard guard(m.mu);
    m.posix_owners.insert({ino, fi->lock_owner});
  }
  ReplyErr(req, m.client->SetLock(ino, LockKind::kPosix, fi->lock_owner, range, sleep != 0,
                                  Interrupted, req));
}

void Flock(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi, int op) {
  LockRange range;
  switch (op & ~LOCK_NB) {
    case LOCK_SH:
      range.type = LockType::kRead;
      break;
    case LOCK_EX:
      range.type = LockType::kWrite;
      break;
    case LOCK_UN:
      range.type = LockType::kUnlock;
      break;
    default:
      return ReplyErr(req, EINVAL);
  }
  bool wait = !(op & LOCK_NB) && range.type != LockType::kUnlock;
  ReplyErr(req, StateOf(req).client->SetLock(ino, LockKind::kFlock, fi->lock_owner, range, wait,
                                             Interrupted, req));
}

}  // namespace

void AddLockOps(fuse_lowlevel_ops& ops) {
  ops.getlk = GetLk;
  ops.setlk = SetLk;
  ops.flock = Flock;
}

}  // namespace chainfs::fuse
