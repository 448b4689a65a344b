// FUSE callbacks on names and attributes: setattr, mknod, mkdir, symlink, link, rmdir,
// rename, readlink, statfs and xattrs (lookup, getattr and unlink are in worker_ops.cc).
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "fuse/fuse_context.h"

namespace chainfs::fuse {

namespace {

// A process's supplementary groups, as read from /proc (libfuse reads the status file twice:
// six system calls, which cost more than a whole lookup on a virtual machine). Kept for a
// second per process; the kernel checks permissions itself with the groups of the moment
// (default_permissions), the metadata servers check again with these.
class GroupCache {
 public:
  std::vector<uint32_t> Of(fuse_req_t req, const fuse_ctx& ctx) {
    auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu_);
      auto it = known_.find(ctx.pid);
      if (it != known_.end() && it->second.uid == ctx.uid && it->second.gid == ctx.gid &&
          now < it->second.until) {
        return it->second.groups;
      }
    }
    gid_t list[64];
    int n = fuse_req_getgroups(req, 64, list);
    Known k{ctx.uid, ctx.gid, {}, now + std::chrono::seconds(1)};
    for (int i = 0; i < n && i < 64; ++i) k.groups.push_back(list[i]);
    std::lock_guard lock(mu_);
    if (known_.size() >= 4096) known_.clear();
    known_[ctx.pid] = k;
    return k.groups;
  }

 private:
  struct Known {
    uid_t uid;
    gid_t gid;
    std::vector<uint32_t> groups;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex mu_;
  std::unordered_map<pid_t, Known> known_;
};

}  // namespace

Credentials CallerOf(fuse_req_t req) {
  static GroupCache groups;
  const fuse_ctx* ctx = fuse_req_ctx(req);
  Credentials who;
  who.uid = ctx->uid;
  who.gid = ctx->gid;
  who.umask = ctx->umask;
  who.groups = groups.Of(req, *ctx);
  return who;
}

struct stat ToStat(const FileAttr& a) {
  struct stat st {};
  st.st_ino = a.ino;
  st.st_mode = a.mode;
  st.st_nlink = a.nlink;
  st.st_uid = a.uid;
  st.st_gid = a.gid;
  st.st_rdev = a.rdev;
  st.st_size = static_cast<off_t>(a.size);
  st.st_blksize = 1 << 20;
  st.st_blocks = static_cast<blkcnt_t>((a.size + 511) / 512);
  st.st_atim = timespec{a.atime_ns / 1'000'000'000, a.atime_ns % 1'000'000'000};
  st.st_mtim = timespec{a.mtime_ns / 1'000'000'000, a.mtime_ns % 1'000'000'000};
  st.st_ctim = timespec{a.ctime_ns / 1'000'000'000, a.ctime_ns % 1'000'000'000};
  return st;
}

void ReplyErr(fuse_req_t req, int rc) { fuse_reply_err(req, rc < 0 ? -rc : rc); }

fuse_entry_param EntryOf(fuse_req_t req, const FileAttr& attr) {
  MountState& m = StateOf(req);
  m.xattr_free.Note(attr.ino, attr.no_xattrs);
  fuse_entry_param e{};
  e.ino = attr.ino;
  e.generation = 1;
  e.attr = ToStat(attr);
  e.attr_timeout = m.attr_timeout;
  e.entry_timeout = m.entry_timeout;
  return e;
}

void ReplySized(fuse_req_t req, const std::string& bytes, size_t size) {
  if (size == 0) return (void)fuse_reply_xattr(req, bytes.size());
  if (bytes.size() > size) return ReplyErr(req, ERANGE);
  fuse_reply_buf(req, bytes.data(), bytes.size());
}

void ReplyEntry(fuse_req_t req, int rc, const FileAttr& attr) {
  if (rc != 0) return ReplyErr(req, rc);
  fuse_entry_param e = EntryOf(req, attr);
  fuse_reply_entry(req, &e);
}

namespace {

void ReplyAttr(fuse_req_t req, int rc, const FileAttr& attr) {
  if (rc != 0) return ReplyErr(req, rc);
  StateOf(req).xattr_free.Note(attr.ino, attr.no_xattrs);
  struct stat st = ToStat(attr);
  fuse_reply_attr(req, &st, StateOf(req).attr_timeout);
}

// The kernel forgets an inode when it evicts it, and its cached pages with it.
void ForgetOne(MountState& m, fuse_ino_t ino) {
  m.kept_pages.Forget(ino);
  m.dir_attrs.Forget(ino);
  m.xattr_free.Forget(ino);
}

void Forget(fuse_req_t req, fuse_ino_t ino, uint64_t) {
  ForgetOne(StateOf(req), ino);
  fuse_reply_none(req);
}

void ForgetMulti(fuse_req_t req, size_t count, fuse_forget_data* forgets) {
  for (size_t i = 0; i < count; ++i) ForgetOne(StateOf(req), forgets[i].ino);
  fuse_reply_none(req);
}

// Replies to a call that made an entry in `parent`, which moves the directory's attributes.
void ReplyAdded(fuse_req_t req, int rc, fuse_ino_t parent, const FileAttr& attr) {
  if (rc == 0) StateOf(req).dir_attrs.Added(parent, attr.ctime_ns, S_ISDIR(attr.mode));
  ReplyEntry(req, rc, attr);
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

int64_t Ns(const timespec& ts) { return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec; }

void SetAttr(fuse_req_t req, fuse_ino_t ino, struct stat* st, int to_set, fuse_file_info*) {
  AttrChange c;
  c.set_mode = to_set & FUSE_SET_ATTR_MODE;
  c.mode = st->st_mode;
  c.set_uid = to_set & FUSE_SET_ATTR_UID;
  c.uid = st->st_uid;
  c.set_gid = to_set & FUSE_SET_ATTR_GID;
  c.gid = st->st_gid;
  c.set_size = to_set & FUSE_SET_ATTR_SIZE;
  c.size = static_cast<uint64_t>(st->st_size);
  bool atime_now = to_set & FUSE_SET_ATTR_ATIME_NOW;
  bool mtime_now = to_set & FUSE_SET_ATTR_MTIME_NOW;
  if (atime_now && mtime_now) {
    c.times_to_now = true;
  } else {
    c.set_atime = to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW);
    c.atime_ns = atime_now ? NowNs() : Ns(st->st_atim);
    c.set_mtime = to_set & (FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW);
    c.mtime_ns = mtime_now ? NowNs() : Ns(st->st_mtim);
  }
  FileAttr attr;
  int rc = StateOf(req).client->SetAttr(CallerOf(req), ino, c, &attr);
  StateOf(req).dir_attrs.Forget(ino);
  ReplyAttr(req, rc, attr);
}

void Mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  FileAttr attr;
  int rc = StateOf(req).client->Mknod(CallerOf(req), parent, name, mode, rdev, &attr);
  ReplyAdded(req, rc, parent, attr);
}

void Mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  FileAttr attr;
  int rc =
      StateOf(req).client->Mknod(CallerOf(req), parent, name, S_IFDIR | (mode & 07777), 0, &attr);
  ReplyAdded(req, rc, parent, attr);
}

void Symlink(fuse_req_t req, const char* target, fuse_ino_t parent, const char* name) {
  FileAttr attr;
  int rc = StateOf(req).client->Symlink(CallerOf(req), parent, name, target, &attr);
  ReplyAdded(req, rc, parent, attr);
}

void Link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent, const char* name) {
  FileAttr attr;
  int rc = StateOf(req).client->Link(CallerOf(req), ino, parent, name, &attr);
  ReplyAdded(req, rc, parent, attr);
}

void Rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  int rc = StateOf(req).client->Rmdir(CallerOf(req), parent, name);
  StateOf(req).dir_attrs.Forget(parent);
  ReplyErr(req, rc);
}

void Rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t new_parent,
            const char* new_name, unsigned flags) {
  int rc = StateOf(req).client->Rename(CallerOf(req), parent, name, new_parent, new_name, flags);
  // The moved entry, if a directory, keeps its own entry here: its ".." and change time moved,
  // which the kernel sees when its own cache of it expires, as it would without this cache.
  StateOf(req).dir_attrs.Forget(parent);
  StateOf(req).dir_attrs.Forget(new_parent);
  ReplyErr(req, rc);
}

void Readlink(fuse_req_t req, fuse_ino_t ino) {
  std::string target;
  int rc = StateOf(req).client->Readlink(ino, &target);
  if (rc != 0) return ReplyErr(req, rc);
  fuse_reply_readlink(req, target.c_str());
}

void Statfs(fuse_req_t req, fuse_ino_t) {
  FsStats s;
  int rc = StateOf(req).client->StatFs(&s);
  if (rc != 0) return ReplyErr(req, rc);
  struct statvfs v {};
  v.f_bsize = s.block_size;
  v.f_frsize = s.block_size;
  v.f_blocks = s.total_bytes / s.block_size;
  v.f_bfree = s.free_bytes / s.block_size;
  v.f_bavail = v.f_bfree;
  v.f_files = s.total_inodes;
  v.f_ffree = s.free_inodes;
  v.f_favail = s.free_inodes;
  v.f_namemax = s.max_name;
  fuse_reply_statfs(req, &v);
}

void SetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
              int flags) {
  StateOf(req).xattr_free.Forget(ino);
  int rc = StateOf(req).client->SetXattr(CallerOf(req), ino, name, std::string(value, size), flags);
  StateOf(req).dir_attrs.Forget(ino);  // an ACL moves the mode
  ReplyErr(req, rc);
}

void ListXattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  // `cp -a` and `getfattr -d` list every file's attributes.
  if (StateOf(req).xattr_free.Known(ino)) return ReplySized(req, "", size);
  std::vector<std::string> names;
  int rc = StateOf(req).client->ListXattr(CallerOf(req), ino, &names);
  if (rc != 0) return ReplyErr(req, rc);
  std::string list;
  for (const std::string& n : names) list.append(n).push_back('\0');
  ReplySized(req, list, size);
}

void RemoveXattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  StateOf(req).xattr_free.Forget(ino);
  int rc = StateOf(req).client->RemoveXattr(CallerOf(req), ino, name);
  StateOf(req).dir_attrs.Forget(ino);
  ReplyErr(req, rc);
}

}  // namespace

void AddEntryOps(fuse_lowlevel_ops& ops) {
  ops.forget = Forget;
  ops.forget_multi = ForgetMulti;
  ops.setattr = SetAttr;
  ops.readlink = Readlink;
  ops.mknod = Mknod;
  ops.mkdir = Mkdir;
  ops.rmdir = Rmdir;
  ops.symlink = Symlink;
  ops.rename = Rename;
  ops.link = Link;
  ops.statfs = Statfs;
  ops.setxattr = SetXattr;
  ops.listxattr = ListXattr;
  ops.removexattr = RemoveXattr;
}

}  // namespace chainfs::fuse
