#pragma once

#include <memory>
#include <string>

#include "common/config.h"
#include "kv/kv_config.h"
#include "rpc/options.h"
#include "runtime/network.h"

namespace chainfs::mgmtd {

// Everything `chainfs mgmtd` reads from its config file.
struct MgmtdServerConfig {
  std::string listen = "127.0.0.1:9000";
  // The address others reach it at (announced as primary); empty: the listen address.
  std::string advertise;
  int64_t id = 1;
  int64_t lease_ms = 10'000;
  int64_t renew_ms = 2'000;
  int64_t heartbeat_timeout_ms = 5'000;
  std::string secret;
  kv::KvConfig kv;
  rpc::RpcOptions rpc;

  // The cluster's state is a few KB: a small memtable keeps the log RocksDB reserves small.
  MgmtdServerConfig() {
    kv.rocksdb_path = "mgmtd-kv";
    kv.rocksdb_write_buffer_mb = 4;
  }
  void Bind(ConfigBinder& b);
  // kInvalidArgument naming the key when the values do not make a server.
  Status Validate() const;
};

// One cluster manager process: its store, the RPC server answering MgmtdService, and the
// lease and failure-detection loops, on a worker thread of its own.
class MgmtdServer {
 public:
  static Result<std::unique_ptr<MgmtdServer>> Start(const MgmtdServerConfig& config);
  ~MgmtdServer();
  MgmtdServer(const MgmtdServer&) = delete;
  MgmtdServer& operator=(const MgmtdServer&) = delete;

  Address address() const;
  void Stop();

  struct State;

 private:
  explicit MgmtdServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace chainfs::mgmtd
