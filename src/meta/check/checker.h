#pragma once

#include <string>
#include <vector>

#include "kv/kv.h"

namespace chainfs::meta {

struct CheckReport {
  size_t inodes = 0;
  size_t entries = 0;
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};

// Walks the whole metadata store in one snapshot and reports every broken invariant: an entry
// that names a missing inode or the wrong type, link counts that differ from the entries, a
// directory whose parent pointer disagrees with the entry naming it, directory counts (DSTA)
// that differ from the entries or outlive their directory, usage counters (statfs) that differ
// from the inodes and file sizes, and inodes unreachable from the root that are neither orphans
// nor queued for collection. Reads everything into memory: for tests and small stores (the
// a `chainfs fsck` for large stores will page through instead).
Task<Result<CheckReport>> CheckMetadata(kv::Engine& engine);

}  // namespace chainfs::meta
