// chainfs::Client: the calls by path, resolved one name at a time from the root.
#include <fcntl.h>
#include <sys/stat.h>

#include "chainfs/client.h"

namespace chainfs {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at < path.size()) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    if (slash > at) parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

}  // namespace

int Client::Resolve(const Credentials& who, const std::string& path, bool parent_only,
                    uint64_t* ino, std::string* leaf) {
  if (path.empty() || path[0] != '/') return -EINVAL;
  if (path.size() >= 4096) return -ENAMETOOLONG;
  std::vector<std::string> parts = Split(path);
  if (parent_only) {
    if (parts.empty()) return -EINVAL;
    *leaf = parts.back();
    parts.pop_back();
  }
  uint64_t at = 1;
  for (const std::string& name : parts) {
    FileAttr attr;
    if (name == ".") continue;
    if (int rc = Lookup(who, at, name, &attr); rc != 0) return rc;
    at = attr.ino;
  }
  *ino = at;
  return 0;
}

int Client::Stat(const Credentials& who, const std::string& path, FileAttr* attr) {
  uint64_t ino = 0;
  if (int rc = Resolve(who, path, false, &ino, nullptr); rc != 0) return rc;
  return GetAttr(ino, attr);
}

int Client::Mkdir(const Credentials& who, const std::string& path, uint32_t mode) {
  uint64_t parent = 0;
  std::string name;
  if (int rc = Resolve(who, path, true, &parent, &name); rc != 0) return rc;
  return Mknod(who, parent, name, S_IFDIR | (mode & 07777), 0, nullptr);
}

int Client::OpenPath(const Credentials& who, const std::string& path, int flags, uint32_t mode,
                     uint64_t* fh) {
  uint64_t parent = 0;
  std::string name;
  if (int rc = Resolve(who, path, true, &parent, &name); rc != 0) return rc;
  if (flags & O_CREAT) return Create(who, parent, name, mode, flags & ~O_CREAT, fh, nullptr);
  FileAttr attr;
  if (int rc = Lookup(who, parent, name, &attr); rc != 0) return rc;
  return Open(who, attr.ino, flags, fh, nullptr);
}

int Client::ReadDirPath(const Credentials& who, const std::string& path,
                        std::vector<DirEntry>* entries) {
  uint64_t ino = 0;
  if (int rc = Resolve(who, path, false, &ino, nullptr); rc != 0) return rc;
  entries->clear();
  std::string after;
  for (;;) {
    DirPage page;
    if (int rc = ReadDir(who, ino, after, 0, &page); rc != 0) return rc;
    for (DirEntry& e : page.entries) entries->push_back(std::move(e));
    if (!page.more || entries->empty()) return 0;
    after = entries->back().name;
  }
}

int Client::RenamePath(const Credentials& who, const std::string& from, const std::string& to) {
  uint64_t src = 0, dst = 0;
  std::string src_name, dst_name;
  if (int rc = Resolve(who, from, true, &src, &src_name); rc != 0) return rc;
  if (int rc = Resolve(who, to, true, &dst, &dst_name); rc != 0) return rc;
  return Rename(who, src, src_name, dst, dst_name, 0);
}

int Client::UnlinkPath(const Credentials& who, const std::string& path) {
  uint64_t parent = 0;
  std::string name;
  if (int rc = Resolve(who, path, true, &parent, &name); rc != 0) return rc;
  return Unlink(who, parent, name);
}

int Client::RmdirPath(const Credentials& who, const std::string& path) {
  uint64_t parent = 0;
  std::string name;
  if (int rc = Resolve(who, path, true, &parent, &name); rc != 0) return rc;
  return Rmdir(who, parent, name);
}

}  // namespace chainfs
