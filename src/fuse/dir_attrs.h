#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "meta/schema/records.h"

namespace chainfs::fuse {

// The attributes of directories as this mount last had them from a metadata server, with this
// mount's own changes in them applied. After every create in a directory the kernel drops the
// directory's cached attributes, and with default_permissions it needs them again for the next
// permission check: without this, every create costs a GETATTR round trip to a metadata
// server. A directory is answered from here only within the attribute timeout of the server's
// answer, as the kernel would have answered from its own cache; a change this mount cannot
// apply exactly (rmdir, renames, attribute changes) drops the entry. Thread-safe.
class DirAttrs {
 public:
  using Clock = std::chrono::steady_clock;
  // How long a server's answer stands: the mount's attribute timeout. Zero keeps nothing.
  void set_ttl(double seconds);

  // A metadata server's answer for `attr` (kept if it is a directory).
  void Remember(const meta::Attr& attr, Clock::time_point now = Clock::now());
  // The attributes of directory `ino` if known and fresh.
  std::optional<meta::Attr> Fresh(uint64_t ino, Clock::time_point now = Clock::now()) const;
  // An entry was made in directory `dir` through this mount (create, mknod, mkdir, symlink or
  // link): the server moved the directory's times to the change time of the entry's inode,
  // `child_ctime_ns`, and counted it (a subdirectory in the link count too).
  void Added(uint64_t dir, int64_t child_ctime_ns, bool child_is_dir);
  // A file was unlinked from directory `dir` through this mount, which moved the directory's
  // times to `time_ns` (0: not known, the entry goes).
  void Removed(uint64_t dir, int64_t time_ns);
  void Forget(uint64_t ino);
  size_t size() const;

 private:
  static constexpr size_t kMaxEntries = 4096;
  struct Entry {
    meta::Attr attr;
    Clock::time_point fetched;
  };

  mutable std::mutex mu_;
  Clock::duration ttl_{};
  std::unordered_map<uint64_t, Entry> known_;
};

}  // namespace chainfs::fuse
