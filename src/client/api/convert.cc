#include "client/api/convert.h"

#include <sys/stat.h>

#include "common/errno.h"

namespace chainfs::api {

uint32_t TypeBits(meta::FileType type) {
  switch (type) {
    case meta::FileType::kRegular:
      return S_IFREG;
    case meta::FileType::kDirectory:
      return S_IFDIR;
    case meta::FileType::kSymlink:
      return S_IFLNK;
    case meta::FileType::kFifo:
      return S_IFIFO;
    case meta::FileType::kSocket:
      return S_IFSOCK;
    case meta::FileType::kCharDevice:
      return S_IFCHR;
    case meta::FileType::kBlockDevice:
      return S_IFBLK;
  }
  return S_IFREG;
}

Result<meta::FileType> TypeOf(uint32_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
    case 0:
      return meta::FileType::kRegular;
    case S_IFDIR:
      return meta::FileType::kDirectory;
    case S_IFLNK:
      return meta::FileType::kSymlink;
    case S_IFIFO:
      return meta::FileType::kFifo;
    case S_IFSOCK:
      return meta::FileType::kSocket;
    case S_IFCHR:
      return meta::FileType::kCharDevice;
    case S_IFBLK:
      return meta::FileType::kBlockDevice;
  }
  return InvalidArgument("mode names no file type");
}

FileAttr ToFileAttr(const meta::Attr& attr) {
  const meta::InodeRecord& r = attr.record;
  FileAttr a;
  a.ino = attr.id.value();
  a.mode = TypeBits(r.type) | r.mode;
  a.nlink = r.nlink;
  a.uid = r.uid;
  a.gid = r.gid;
  a.rdev = r.rdev;
  a.size = r.type == meta::FileType::kSymlink ? r.symlink_target.size() : r.size;
  a.atime_ns = r.atime_ns;
  a.mtime_ns = r.mtime_ns;
  a.ctime_ns = r.ctime_ns;
  a.parent = r.type == meta::FileType::kDirectory && r.parent.value() != 0 ? r.parent.value()
                                                                           : attr.id.value();
  a.no_xattrs = (r.flags & meta::kInodeNoXattrs) != 0;
  return a;
}

DirPage ToDirPage(const meta::ReaddirRsp& rsp) {
  DirPage page;
  page.entries.reserve(rsp.entries.size());
  for (const meta::DirEntry& e : rsp.entries) {
    page.entries.push_back(DirEntry{e.name, e.child.value(), TypeBits(e.type)});
  }
  page.more = rsp.more;
  page.version = rsp.version;
  page.parent = rsp.parent.value();
  page.attrs.reserve(rsp.attrs.size());
  for (const meta::Attr& a : rsp.attrs) page.attrs.push_back(ToFileAttr(a));
  return page;
}

meta::Caller ToCaller(const Credentials& who) {
  meta::Caller c;
  c.uid = who.uid;
  c.gid = who.gid;
  c.groups = who.groups;
  c.umask = who.umask;
  return c;
}

meta::AttrChange ToAttrChange(const AttrChange& change) {
  meta::AttrChange c;
  if (change.set_mode) c.mode = change.mode & 07777;
  if (change.set_uid) c.uid = change.uid;
  if (change.set_gid) c.gid = change.gid;
  if (change.set_size) c.size = change.size;
  if (change.set_atime) c.atime_ns = change.atime_ns;
  if (change.set_mtime) c.mtime_ns = change.mtime_ns;
  c.times_to_now = change.times_to_now;
  return c;
}

meta::LockKind ToLockKind(LockKind kind) {
  return kind == LockKind::kFlock ? meta::LockKind::kFlock : meta::LockKind::kPosix;
}

meta::LockRange ToLockRange(const LockRange& range) {
  meta::LockRange r;
  r.start = range.start;
  r.end = range.end;
  r.pid = range.pid;
  r.type = range.type == LockType::kUnlock ? meta::LockType::kUnlock
           : range.type == LockType::kRead ? meta::LockType::kRead
                                           : meta::LockType::kWrite;
  return r;
}

LockRange FromLockRange(const meta::LockRange& range) {
  LockRange r;
  r.start = range.start;
  r.end = range.end;
  r.pid = range.pid;
  r.type = range.type == meta::LockType::kUnlock ? LockType::kUnlock
           : range.type == meta::LockType::kRead ? LockType::kRead
                                                 : LockType::kWrite;
  return r;
}

int Errno(const Status& status) { return status.ok() ? 0 : -ErrnoOf(status.code()); }

}  // namespace chainfs::api
