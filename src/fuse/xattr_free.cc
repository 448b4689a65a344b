#include "fuse/xattr_free.h"

#include <iterator>

namespace chainfs::fuse {

void XattrFree::set_ttl(double seconds) {
  std::lock_guard lock(mu_);
  ttl_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  known_.clear();
}

void XattrFree::Note(uint64_t ino, bool no_xattrs, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (!no_xattrs || ttl_ <= Clock::duration::zero()) {
    known_.erase(ino);
    return;
  }
  if (known_.size() >= kMaxEntries) {
    for (auto it = known_.begin(); it != known_.end();) {
      it = now - it->second >= ttl_ ? known_.erase(it) : std::next(it);
    }
    if (known_.size() >= kMaxEntries) known_.clear();
  }
  known_[ino] = now;
}

bool XattrFree::Known(uint64_t ino, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  auto it = known_.find(ino);
  return it != known_.end() && now - it->second < ttl_;
}

void XattrFree::Forget(uint64_t ino) {
  std::lock_guard lock(mu_);
  known_.erase(ino);
}

size_t XattrFree::size() const {
  std::lock_guard lock(mu_);
  return known_.size();
}

}  // namespace chainfs::fuse
