#pragma once

#include <memory>
#include <string>

#include "common/config.h"
#include "kv/kv.h"

namespace chainfs::kv {

// Which store a server uses, from its config file:
//   [kv]
//   engine = "rocksdb"            # or "postgres", or "mem" (gone when the process exits)
//   rocksdb_path = "/var/lib/chainfs/meta"
//   rocksdb_write_buffer_mb = 64  # memtable size; RocksDB also reserves 1.1x this for its log
//   postgres = "host=/run/postgresql dbname=chainfs"
struct KvConfig {
  std::string engine = "rocksdb";
  std::string rocksdb_path = "meta-kv";
  int64_t rocksdb_write_buffer_mb = 64;
  std::string postgres = "dbname=chainfs";
  int64_t postgres_connections = 8;

  void Bind(ConfigBinder& b);
};

// Opens the configured store: kInvalidArgument or kUnavailable naming what is wrong.
Result<std::unique_ptr<Engine>> OpenEngine(const KvConfig& config);

}  // namespace chainfs::kv
