#include "fuse/statahead.h"

#include <fcntl.h>
#include <linux/fuse.h>

#include <algorithm>
#include <cstring>

namespace chainfs::fuse {

namespace {

// The request's body as a `T`, if it is that long.
template <typename T>
std::optional<T> BodyAs(std::span<const char> body) {
  if (body.size() < sizeof(T)) return std::nullopt;
  T out;
  std::memcpy(&out, body.data(), sizeof(T));
  return out;
}

bool ReadOnly(uint32_t open_flags) {
  return (open_flags & O_ACCMODE) == O_RDONLY && (open_flags & O_TRUNC) == 0;
}

}  // namespace

void Statahead::set_ttl(double seconds) {
  std::lock_guard lock(mu_);
  ttl_ = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

const Statahead::Snapshot* Statahead::Valid(uint64_t parent, const Who& who,
                                            Clock::time_point now) const {
  for (const Snapshot& s : snapshots_) {
    if (s.parent == parent && s.generation == generation_ && now < s.started + ttl_ &&
        s.who == who) {
      return &s;
    }
  }
  return nullptr;
}

std::optional<Statahead::Hit> Statahead::Find(uint64_t parent, std::string_view name,
                                              const Who& who, Clock::time_point now) const {
  std::lock_guard lock(mu_);
  const Snapshot* s = Valid(parent, who, now);
  if (s == nullptr) return std::nullopt;
  auto it = s->entries.find(std::string(name));
  if (it == s->entries.end()) return std::nullopt;
  return Hit{it->second, std::chrono::duration<double>(s->started + ttl_ - now).count()};
}

size_t Statahead::StreakFor(uint64_t parent) const {
  size_t entries = 0;
  for (const Snapshot& s : snapshots_) {
    if (s.parent == parent) entries = s.entries.size();
  }
  return std::max<size_t>(kStreak, entries / kEntriesPerLookup);
}

std::optional<uint64_t> Statahead::Missed(uint64_t parent, const Who& who, Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (ttl_ <= Clock::duration::zero()) return std::nullopt;
  if (parent != streak_parent_ || streak_generation_ != generation_ || !(who == streak_who_)) {
    streak_parent_ = parent;
    streak_who_ = who;
    streak_generation_ = generation_;
    streak_ = 0;
  }
  ++streak_;
  // A valid snapshot that lacks the name has nothing more to give (the name is new, or past
  // what was fetched); a change in flight would make the fetch's answer useless.
  if (streak_ < StreakFor(parent) || fetching_ || in_flight_ > 0 ||
      Valid(parent, who, now) != nullptr) {
    return std::nullopt;
  }
  fetching_ = true;
  streak_ = 0;
  return generation_;
}

void Statahead::Fetched(uint64_t parent, const Who& who, uint64_t token, Clock::time_point started,
                        const std::vector<meta::DirEntry>& entries, std::vector<meta::Attr> attrs) {
  Snapshot s{parent, who, token, started, {}};
  size_t n = std::min(entries.size(), attrs.size());
  s.entries.reserve(n);
  for (size_t i = 0; i < n; ++i) s.entries.emplace(entries[i].name, std::move(attrs[i]));
  std::lock_guard lock(mu_);
  fetching_ = false;
  if (token != generation_) return;  // a change began meanwhile
  std::erase_if(snapshots_, [&](const Snapshot& old) { return old.parent == parent; });
  if (snapshots_.size() >= kMaxDirs) snapshots_.pop_front();
  snapshots_.push_back(std::move(s));
}

void Statahead::FetchFailed() {
  std::lock_guard lock(mu_);
  fetching_ = false;
}

bool Statahead::Changes(uint32_t opcode, std::span<const char> body) {
  switch (opcode) {
    case FUSE_LOOKUP:
    case FUSE_GETATTR:
    case FUSE_READLINK:
    case FUSE_READ:
    case FUSE_STATFS:
    case FUSE_GETXATTR:
    case FUSE_LISTXATTR:
    case FUSE_OPENDIR:
    case FUSE_READDIR:
    case FUSE_READDIRPLUS:
    case FUSE_RELEASEDIR:
    case FUSE_ACCESS:
    case FUSE_GETLK:
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT:
      return false;
    case FUSE_OPEN: {
      std::optional<fuse_open_in> in = BodyAs<fuse_open_in>(body);
      return !in || !ReadOnly(in->flags);
    }
    case FUSE_FLUSH: {
      std::optional<fuse_flush_in> in = BodyAs<fuse_flush_in>(body);
      return !in || !read_only_handles_.contains(in->fh);
    }
    case FUSE_RELEASE: {
      std::optional<fuse_release_in> in = BodyAs<fuse_release_in>(body);
      if (!in) return true;
      bool was_read_only = read_only_handles_.erase(in->fh) > 0;
      return !was_read_only || !ReadOnly(in->flags);
    }
    default:
      return true;
  }
}

bool Statahead::MutationBegun(std::span<const char> request) {
  std::optional<fuse_in_header> header = BodyAs<fuse_in_header>(request);
  std::lock_guard lock(mu_);
  bool changes = !header || Changes(header->opcode, request.subspan(sizeof(fuse_in_header)));
  if (!changes) return false;
  ++generation_;
  ++in_flight_;
  return true;
}

void Statahead::MutationEnded() {
  std::lock_guard lock(mu_);
  --in_flight_;
}

void Statahead::OpenedReadOnly(uint64_t handle) {
  std::lock_guard lock(mu_);
  read_only_handles_.insert(handle);
}

void Statahead::ForgetHandle(uint64_t handle) {
  std::lock_guard lock(mu_);
  read_only_handles_.erase(handle);
}

size_t Statahead::dirs() const {
  std::lock_guard lock(mu_);
  return snapshots_.size();
}

}  // namespace chainfs::fuse
