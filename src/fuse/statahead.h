#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "meta/service/meta_messages.h"

namespace chainfs::fuse {

// The entries of a directory, fetched a page of attributes at a time, when a program looks up
// many of its names one after another (find, du, a dataset scan): the lookups that follow are
// answered from here instead of costing a metadata round trip each, as Lustre's statahead does.
//
// What may be answered, and why it is safe:
// - Only names the snapshot holds. A name it lacks is asked for, so a file another client
//   creates is found as soon as it exists.
// - Only within the attribute timeout of the fetch's start, as the kernel answers from its own
//   cache; the kernel is told to keep the answer only for what is left of that time.
// - Only while no request of this mount that may change a name or attributes has begun since
//   the fetch began (MutationBegun/MutationEnded around every such request); a fetch starts
//   only while none is in flight. So the snapshot holds every change made through this mount.
// - Only for the credentials the fetch ran with (the listing checked them).
// Thread-safe.
class Statahead {
 public:
  using Clock = std::chrono::steady_clock;
  // Lookups in a row in one directory, none answered here, that start a fetch...
  static constexpr int kStreak = 8;
  // ...or, for a directory fetched before, one per this many of the entries it had then: a
  // fetch costs the metadata server about 1/15 of a lookup per entry, so fetching again only
  // after that many lookups went to the server costs at most about twice what the best
  // choice would (the rent-or-buy rule), however few lookups follow. (At the end of the
  // attribute timeout of a fetch, the kernel's entries expire with it; a program about to
  // finish would otherwise pay for a whole new listing.)
  static constexpr size_t kEntriesPerLookup = 16;
  // At most this many entries are fetched per directory, and this many directories kept.
  static constexpr size_t kMaxEntries = 65536;
  static constexpr size_t kMaxDirs = 2;

  struct Who {
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::vector<uint32_t> groups;
    bool operator==(const Who&) const = default;
  };
  struct Hit {
    meta::Attr attr;
    double seconds_left = 0;  // how long the kernel may keep the answer
  };

  // The mount's attribute timeout. Zero turns statahead off.
  void set_ttl(double seconds);

  // The entry `name` of directory `parent` if a valid snapshot for `who` holds it.
  std::optional<Hit> Find(uint64_t parent, std::string_view name, const Who& who,
                          Clock::time_point now = Clock::now()) const;
  // A lookup Find could not answer. A token when the caller should now fetch `parent` for
  // `who`, then call Fetched (or FetchFailed) with it.
  std::optional<uint64_t> Missed(uint64_t parent, const Who& who,
                                 Clock::time_point now = Clock::now());
  // A fetch's pages: entries (names) with attributes, one per entry. Kept only if no change
  // began since the fetch did; `started` is when it did.
  void Fetched(uint64_t parent, const Who& who, uint64_t token, Clock::time_point started,
               const std::vector<meta::DirEntry>& entries, std::vector<meta::Attr> attrs);
  void FetchFailed();

  // A FUSE request (header and body) that may change names or attributes is beginning: true
  // after counting it, and then MutationEnded() must follow once it is answered. Reads,
  // lookups, listings, read-only opens and the closes of read-only handles are not changes;
  // anything unknown is.
  bool MutationBegun(std::span<const char> request);
  void MutationEnded();
  // A handle opened read-only: its flush is not a change. Forgotten at its release.
  void OpenedReadOnly(uint64_t handle);
  // A handle closed without a release from the kernel (its open's answer failed).
  void ForgetHandle(uint64_t handle);

  size_t dirs() const;

 private:
  struct Snapshot {
    uint64_t parent = 0;
    Who who;
    uint64_t generation = 0;
    Clock::time_point started;
    std::unordered_map<std::string, meta::Attr> entries;
  };
  bool Changes(uint32_t opcode, std::span<const char> body);
  const Snapshot* Valid(uint64_t parent, const Who& who, Clock::time_point now) const;
  // How many lookups in a row start a fetch of `parent`.
  size_t StreakFor(uint64_t parent) const;

  mutable std::mutex mu_;
  Clock::duration ttl_{};
  uint64_t generation_ = 0;  // moves when a change begins
  int in_flight_ = 0;        // changes begun and not yet answered
  bool fetching_ = false;
  // The lookups in a row that missed: in which directory, for whom, since which generation.
  uint64_t streak_parent_ = 0;
  Who streak_who_;
  uint64_t streak_generation_ = 0;
  size_t streak_ = 0;
  std::deque<Snapshot> snapshots_;  // newest last
  std::unordered_set<uint64_t> read_only_handles_;
};

}  // namespace chainfs::fuse
