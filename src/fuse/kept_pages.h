#pragma once

#define FUSE_USE_VERSION 312
#include <fuse3/fuse_lowlevel.h>

#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "meta/schema/records.h"

namespace chainfs::fuse {

// Whether an open may keep the kernel's cached pages of a file (FOPEN_KEEP_CACHE). Close-to-
// open consistency needs bytes another client wrote since the last open to be read again; a
// file unchanged since then (a dataset read again in the next epoch) can be served from the
// page cache instead. "Unchanged" is the same modification time, change time and size as the
// open before through this mount: a writer's close or fsync moves them. Entries go when the
// kernel forgets the inode, and its pages with it. Thread-safe.
class KeptPages {
 public:
  // Records the version `attr` shows; true when it is the one the last open saw.
  bool KeepOnOpen(uint64_t ino, const meta::Attr& attr);
  void Forget(uint64_t ino);
  size_t size() const;

 private:
  struct Version {
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    uint64_t size = 0;
    bool operator==(const Version&) const = default;
  };

  mutable std::mutex mu_;
  std::unordered_map<uint64_t, Version> seen_;
};

}  // namespace chainfs::fuse
