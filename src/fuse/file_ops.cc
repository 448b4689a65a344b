// FUSE callbacks on open files: open, create, write, flush, release, fsync, fallocate and
// copy_file_range (read is in worker_ops.cc).
#include <fcntl.h>
#include <sys/stat.h>

#include <vector>

#include "fuse/fuse_context.h"

namespace chainfs::fuse {
namespace {

// The open(2) flags the client acts on; the kernel adds its own (such as __FMODE_EXEC).
constexpr int kOpenFlags = O_ACCMODE | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
                           O_DIRECT | O_NOATIME | O_LARGEFILE;

void Opened(fuse_file_info* fi, uint64_t fh) {
  fi->fh = fh;
  // Bytes another client wrote since the last open must be read again (close-to-open).
  fi->keep_cache = 0;
  fi->direct_io = (fi->flags & O_DIRECT) != 0;
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  uint64_t fh = 0;
  int rc = StateOf(req).client->Open(CallerOf(req), ino, fi->flags & kOpenFlags, &fh, nullptr);
  if (rc != 0) return ReplyErr(req, rc);
  Opened(fi, fh);
  if (fuse_reply_open(req, fi) != 0) (void)StateOf(req).client->Close(fh);
}

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  uint64_t fh = 0;
  FileAttr attr;
  int flags = (fi->flags & kOpenFlags) | (fi->flags & (O_CREAT | O_EXCL));
  int rc = StateOf(req).client->Create(CallerOf(req), parent, name, mode, flags, &fh, &attr);
  if (rc != 0) return ReplyErr(req, rc);
  Opened(fi, fh);
  fuse_entry_param e = EntryOf(req, attr);
  if (fuse_reply_create(req, &e, fi) != 0) (void)StateOf(req).client->Close(fh);
}

void Write(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off,
           fuse_file_info* fi) {
  ssize_t n = StateOf(req).client->Pwrite(fi->fh, buf, size, static_cast<uint64_t>(off));
  if (n < 0) return ReplyErr(req, static_cast<int>(n));
  fuse_reply_write(req, static_cast<size_t>(n));
}

void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  MountState& m = StateOf(req);
  int rc = m.client->Flush(fi->fh);
  // close(2) drops the POSIX locks of the closing process on this file.
  bool had_locks = false;
  {
    std::lock_guard lock(m.mu);
    had_locks = m.posix_owners.erase({ino, fi->lock_owner}) > 0;
  }
  if (had_locks) {
    LockRange all;
    all.type = LockType::kUnlock;
    (void)m.client->SetLock(ino, LockKind::kPosix, fi->lock_owner, all, false);
  }
  ReplyErr(req, rc);
}

void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  MountState& m = StateOf(req);
  if (fi->flock_release) {
    LockRange all;
    all.type = LockType::kUnlock;
    (void)m.client->SetLock(ino, LockKind::kFlock, fi->lock_owner, all, false);
  }
  ReplyErr(req, m.client->Close(fi->fh));
}

void Fsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info* fi) {
  ReplyErr(req, StateOf(req).client->Fsync(fi->fh));
}

void Fallocate(fuse_req_t req, fuse_ino_t, int mode, off_t offset, off_t length,
               fuse_file_info* fi) {
  if (offset < 0 || length <= 0) return ReplyErr(req, EINVAL);
  ReplyErr(req, StateOf(req).client->Fallocate(fi->fh, mode, static_cast<uint64_t>(offset),
                                               static_cast<uint64_t>(length)));
}

void CopyFileRange(fuse_req_t req, fuse_ino_t, off_t off_in, fuse_file_info* fi_in, fuse_ino_t,
                   off_t off_out, fuse_file_info* fi_out, size_t len, int flags) {
  if (flags != 0) return ReplyErr(req, EINVAL);
  ssize_t n = StateOf(req).client->CopyFileRange(fi_in->fh, static_cast<uint64_t>(off_in),
                                                 fi_out->fh, static_cast<uint64_t>(off_out), len);
  if (n < 0) return ReplyErr(req, static_cast<int>(n));
  fuse_reply_write(req, static_cast<size_t>(n));
}

}  // namespace

void AddFileOps(fuse_lowlevel_ops& ops) {
  ops.open = Open;
  ops.create = Create;
  ops.write = Write;
  ops.flush = Flush;
  ops.release = Release;
  ops.fsync = Fsync;
  ops.fallocate = Fallocate;
  ops.copy_file_range = CopyFileRange;
}

}  // namespace chainfs::fuse
