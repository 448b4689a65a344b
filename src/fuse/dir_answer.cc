#include "fuse/dir_answer.h"

#include <linux/fuse.h>
#include <sys/stat.h>
#include <sys/uio.h>

namespace chainfs::fuse {

bool DirAnswer::Add(const std::string& name, uint64_t ino, uint32_t mode, uint64_t next,
                    const FileAttr* attr) {
  if (!plus_) {
    // The record a kept listing holds, written the same way.
    if (DirentSize(name) > room()) return false;
    AppendDirent(written_, name, ino, mode, next);
    return true;
  }
  size_t n = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET_DIRENTPLUS + name.size());
  if (n > room()) return false;
  size_t at = written_.size();
  written_.resize(at + n);
  fuse_entry_param e{};
  if (attr != nullptr) {
    e = EntryOf(req_, *attr);
  } else {
    e.attr.st_ino = ino;
    e.attr.st_mode = mode;
  }
  fuse_add_direntry_plus(req_, written_.data() + at, n, name.c_str(), &e, static_cast<off_t>(next));
  return true;
}

void DirAnswer::AddRecords(std::shared_ptr<const DirListing> listing, size_t k) {
  records_ = listing->Records(k, room());
  listing_ = std::move(listing);
}

void DirAnswer::Send() {
  if (records_.empty()) {
    fuse_reply_buf(req_, written_.data(), written_.size());
    return;
  }
  iovec parts[2] = {{written_.data(), written_.size()},
                    {const_cast<char*>(records_.data()), records_.size()}};
  fuse_reply_iov(req_, parts, 2);
}

}  // namespace chainfs::fuse
