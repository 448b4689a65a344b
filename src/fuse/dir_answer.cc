#include "fuse/dir_answer.h"

#include <linux/fuse.h>
#include <sys/stat.h>
#include <sys/uio.h>

namespace chainfs::fuse {

bool DirAnswer::Add(const std::string& name, uint64_t ino, uint32_t mode, uint64_t next,
                    const FileAttr* attr) {
  size_t header = plus_ ? FUSE_NAME_OFFSET_DIRENTPLUS : FUSE_NAME_OFFSET;
  size_t n = FUSE_DIRENT_ALIGN(header + name.size());
  if (n > room()) return false;
  size_t at = written_.size();
  written_.resize(at + n);
  char* buf = written_.data() + at;
  if (plus_) {
    fuse_entry_param e{};
    if (attr != nullptr) {
      e = EntryOf(req_, *attr);
    } else {
      e.attr.st_ino = ino;
      e.attr.st_mode = mode;
    }
    fuse_add_direntry_plus(req_, buf, n, name.c_str(), &e, static_cast<off_t>(next));
  } else {
    struct stat st {};
    st.st_ino = ino;
    st.st_mode = mode;
    fuse_add_direntry(req_, buf, n, name.c_str(), &st, static_cast<off_t>(next));
  }
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
