#include "fuse/dir_attrs.h"

#include <algorithm>

namespace chainfs::fuse {

void DirAttrs::set_ttl(double seconds) {
  std::lock_guard lock(mu_);
  ttl_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  known_.clear();
}

void DirAttrs::Remember(const meta::Attr& attr, Clock::time_point now) {
  if (attr.record.type != meta::FileType::kDirectory) return;
  std::lock_guard lock(mu_);
  if (ttl_ <= Clock::duration::zero()) return;
  if (known_.size() >= kMaxEntries) known_.clear();
  known_[attr.id.value()] = Entry{attr, now};
}

std::optional<meta::Attr> DirAttrs::Fresh(uint64_t ino, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = known_.find(ino);
  if (it == known_.end() || now - it->second.fetched >= ttl_) return std::nullopt;
  return it->second.attr;
}

void DirAttrs::Added(uint64_t dir, int64_t child_ctime_ns, bool child_is_dir) {
  std::lock_guard lock(mu_);
  auto it = known_.find(dir);
  if (it == known_.end()) return;
  meta::InodeRecord& d = it->second.attr.record;
  d.mtime_ns = std::max(d.mtime_ns, child_ctime_ns);
  d.ctime_ns = std::max(d.ctime_ns, child_ctime_ns);
  d.size += 1;  // a directory's size is its entry count
  if (child_is_dir) d.nlink += 1;
}

void DirAttrs::Removed(uint64_t dir, int64_t time_ns) {
  std::lock_guard lock(mu_);
  auto it = known_.find(dir);
  if (it == known_.end()) return;
  meta::InodeRecord& d = it->second.attr.record;
  if (time_ns == 0 || d.size == 0) {
    known_.erase(it);
    return;
  }
  d.mtime_ns = std::max(d.mtime_ns, time_ns);
  d.ctime_ns = std::max(d.ctime_ns, time_ns);
  d.size -= 1;
}

void DirAttrs::Forget(uint64_t ino) {
  std::lock_guard lock(mu_);
  known_.erase(ino);
}

size_t DirAttrs::size() const {
  std::lock_guard lock(mu_);
  return known_.size();
}

}  // namespace chainfs::fuse
