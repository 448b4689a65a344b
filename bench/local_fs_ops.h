#pragma once

#include <string>

#include "bench/latency.h"

namespace chainfs::bench {

// The metadata benchmark's operations as system calls on a local directory (the baseline),
// with `clients` threads each working in a directory of its own on `files` files.
Figures RunLocal(const std::string& dir, int clients, int files);

// The floor under every durable commit: appending a small record to a file and fdatasync-ing
// it, as a write-ahead log does, `count` times.
Figure SyncedAppend(const std::string& dir, int count);

// The floor under a RocksDB-backed create: RocksDB itself writing a batch like a create's
// (an inode, an entry) with sync = true, `count` times, in a fresh store under `dir`.
Figure RocksDbSyncedWrite(const std::string& dir, int count);

}  // namespace chainfs::bench
