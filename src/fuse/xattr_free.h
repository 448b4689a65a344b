#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace chainfs::fuse {

// Inodes a metadata server recently said have no extended attributes. `ls -l` asks for two
// attributes of every entry (security.selinux and system.posix_acl_access), nearly always
// absent: answered from here, a listing costs no round trip per entry for them. An answer
// stands for the attribute timeout, as the kernel's own cache of the inode's attributes does;
// a change of attributes through this mount drops it at once. Thread-safe.
class XattrFree {
 public:
  using Clock = std::chrono::steady_clock;
  // How long a server's answer stands: the mount's attribute timeout. Zero keeps nothing.
  void set_ttl(double seconds);

  // A metadata server's attributes of `ino`: with or without the no-attributes mark.
  void Note(uint64_t ino, bool no_xattrs, Clock::time_point now = Clock::now());
  // Whether `ino` is known, freshly, to have no extended attributes.
  bool Known(uint64_t ino, Clock::time_point now = Clock::now()) const;
  void Forget(uint64_t ino);
  size_t size() const;

 private:
  static constexpr size_t kMaxEntries = 1 << 16;

  mutable std::mutex mu_;
  Clock::duration ttl_{};
  std::unordered_map<uint64_t, Clock::time_point> known_;  // inode -> when the server said so
};

}  // namespace chainfs::fuse
