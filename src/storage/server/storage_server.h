#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/config.h"
#include "common/ids.h"
#include "rpc/options.h"
#include "runtime/network.h"

namespace chainfs::storage {

// Everything `chainfs storage` reads from its config file.
struct StorageServerConfig {
  std::string listen = "127.0.0.1:9200";
  std::string advertise;  // empty: the listen address
  int64_t node_id = 0;
  // "ID=DIR,ID=DIR": each target's id and its directory, which must exist and be writable.
  std::string targets;
  std::string mgmtd = "127.0.0.1:9000";  // "host:port,host:port"
  std::string secret;
  int64_t heartbeat_ms = 1'000;
  int64_t serve_lease_ms = 4'000;
  // How fast and how long after their removal the blocks of removed chunks go back to the disk,
  // and how fast and how often the scrubber reads (StorageNodeOptions; a scrub rate of 0 turns
  // it off).
  int64_t punch_mib_per_s = 256;
  int64_t punch_delay_s = 60;
  int64_t scrub_mib_per_s = 16;
  int64_t scrub_interval_s = 86400;
  // Free space a target's disk needs before a target that left its chain for want of room
  // rejoins it (StorageNodeOptions::rejoin_free_bytes).
  int64_t rejoin_free_mib = 1024;
  // Free space chunk writes leave on a target's disk (StorageNodeOptions::reserve_bytes).
  int64_t reserve_mib = 256;
  rpc::RpcOptions rpc;

  void Bind(ConfigBinder& b);
  // kInvalidArgument naming the key when the values do not make a server.
  Status Validate() const;
};

struct TargetDir {
  TargetId id;
  std::string path;
};

// Parses storage.targets; kInvalidArgument naming the entry at fault.
Result<std::vector<TargetDir>> ParseTargets(const std::string& text);

// One storage server process: a RocksDB store and a blob directory per target, and the
// StorageNode serving them, on a worker thread of its own.
class StorageServer {
 public:
  // kInvalidArgument for bad settings; kIoError naming a target directory that is missing or
  // not writable.
  static Result<std::unique_ptr<StorageServer>> Start(const StorageServerConfig& config);
  ~StorageServer();
  StorageServer(const StorageServer&) = delete;
  StorageServer& operator=(const StorageServer&) = delete;

  Address address() const;
  void Stop();

  struct State;

 private:
  explicit StorageServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace chainfs::storage
