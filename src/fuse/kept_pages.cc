#include "fuse/kept_pages.h"

namespace chainfs::fuse {

bool KeptPages::KeepOnOpen(uint64_t ino, const meta::Attr& attr) {
  Version now{attr.record.mtime_ns, attr.record.ctime_ns, attr.record.size};
  std::lock_guard lock(mu_);
  auto [it, inserted] = seen_.try_emplace(ino, now);
  if (inserted) return false;
  bool same = it->second == now;
  it->second = now;
  return same;
}

void KeptPages::Forget(uint64_t ino) {
  std::lock_guard lock(mu_);
  seen_.erase(ino);
}

size_t KeptPages::size() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

}  // namespace chainfs::fuse
