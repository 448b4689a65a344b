// FUSE callbacks on open files: write, fsync, fallocate and copy_file_range (open, create,
// read, flush and release are in worker_ops.cc).
#include <cerrno>

#include "fuse/fuse_context.h"

namespace chainfs::fuse {
namespace {

void Write(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off,
           fuse_file_info* fi) {
  ssize_t n = StateOf(req).client->Pwrite(fi->fh, buf, size, static_cast<uint64_t>(off));
  if (n < 0) return ReplyErr(req, static_cast<int>(n));
  fuse_reply_write(req, static_cast<size_t>(n));
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
  ops.write = Write;
  ops.fsync = Fsync;
  ops.fallocate = Fallocate;
  ops.copy_file_range = CopyFileRange;
}

}  // namespace chainfs::fuse
