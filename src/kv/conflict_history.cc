#include "kv/versioned.h"

namespace chainfs::kv {

bool ConflictHistory::Conflicts(Version read_version, const std::vector<KeyRange>& reads) const {
  if (reads.empty()) return false;
  // Newest first: recent writes are the likeliest to collide.
  for (auto it = history_.rbegin(); it != history_.rend() && it->first > read_version; ++it) {
    for (const KeyRange& w : it->second) {
      for (const KeyRange& r : reads) {
        if (w.Intersects(r)) return true;
      }
    }
  }
  return false;
}

void ConflictHistory::Record(Version version, std::vector<KeyRange> writes) {
  if (!writes.empty()) history_.emplace_back(version, std::move(writes));
}

void ConflictHistory::Forget(Version oldest_read_version) {
  while (!history_.empty() && history_.front().first <= oldest_read_version) {
    history_.pop_front();
  }
}

}  // namespace chainfs::kv
