#pragma once

#define FUSE_USE_VERSION 312
#include <fuse3/fuse_lowlevel.h>

#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "chainfs/client.h"
#include "fuse/dir_attrs.h"
#include "fuse/dir_listings.h"
#include "fuse/kept_pages.h"
#include "fuse/statahead.h"
#include "fuse/xattr_free.h"

// What every FUSE callback shares: the client, the lock owners this mount has used (so a close
// releases POSIX locks only where some were taken), and which files' cached pages an open may
// keep, and the directory attributes, whole listings, absent extended attributes and fetched
// entries it may answer itself. Private to src/fuse.
namespace chainfs::fuse {

struct MountState {
  Client* client = nullptr;
  double attr_timeout = 1.0;
  double entry_timeout = 1.0;
  std::string mountpoint;
  void (*on_mounted)(const std::string&) = nullptr;  // once the kernel's INIT is answered
  std::mutex mu;
  std::set<std::pair<fuse_ino_t, uint64_t>> posix_owners;  // (inode, lock owner)
  KeptPages kept_pages;
  DirAttrs dir_attrs;
  DirListings dir_listings;
  XattrFree xattr_free;
  Statahead statahead;
};

inline MountState& StateOf(fuse_req_t req) {
  return *static_cast<MountState*>(fuse_req_userdata(req));
}

// The caller of `req`, with its supplementary groups.
Credentials CallerOf(fuse_req_t req);
struct stat ToStat(const FileAttr& attr);
// The entry the kernel caches for `attr`, with the mount's timeouts.
fuse_entry_param EntryOf(fuse_req_t req, const FileAttr& attr);
// Replies with the entry (or the error) of a call that made or found one.
void ReplyEntry(fuse_req_t req, int rc, const FileAttr& attr);
void ReplyErr(fuse_req_t req, int rc);
// The getxattr/listxattr protocol: size 0 asks for the length, otherwise the bytes (ERANGE
// when they do not fit).
void ReplySized(fuse_req_t req, const std::string& bytes, size_t size);

// The operation tables' parts, filled in by each file.
void AddEntryOps(fuse_lowlevel_ops& ops);
void AddFileOps(fuse_lowlevel_ops& ops);
void AddDirOps(fuse_lowlevel_ops& ops);
void AddLockOps(fuse_lowlevel_ops& ops);
// Installed last: replaces the blocking callbacks of the requests ServedOnWorker.
void AddWorkerOps(fuse_lowlevel_ops& ops);

}  // namespace chainfs::fuse
