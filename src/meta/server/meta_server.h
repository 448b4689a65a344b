#pragma once

#include <memory>
#include <string>

#include "common/config.h"
#include "kv/kv_config.h"
#include "meta/service/meta_handler.h"
#include "rpc/options.h"
#include "runtime/network.h"

namespace chainfs::meta {

// Everything `chainfs meta` reads from its config file.
struct MetaServerConfig {
  std::string listen = "127.0.0.1:9100";
  std::string secret;  // cluster.secret, shared by every process of the cluster
  // cluster.mgmtd: where the cluster managers are. Empty: no storage (files have no chunks,
  // and the GC only deletes inodes).
  std::string mgmtd;
  int64_t chains = 1;
  int64_t capacity_gib = 1024;
  int64_t session_lease_ms = 30'000;
  int64_t gc_interval_ms = 1'000;
  int64_t readdir_page = 1024;
  // How long a namespace change may stay unsynced (CommitSyncer); 0 syncs each one.
  int64_t sync_interval_ms = 100;
  // How long the server's thread keeps looking for the next request after one, yielding its
  // CPU to anyone else who wants it, before it sleeps (RealRuntime's poll); 0 sleeps at once.
  int64_t poll_us = 200;
  // Free space the metadata store's disk keeps (RocksDB only): below it new files,
  // directories, links and extended attributes fail with ENOSPC, and removals go on, so the
  // store's own log never meets a full disk (after that RocksDB takes no write until a
  // restart). 0: no check.
  int64_t reserve_mib = 64;
  kv::KvConfig kv;
  rpc::RpcOptions rpc;

  void Bind(ConfigBinder& b);
  // kInvalidArgument naming the key when the values do not make a server.
  Status Validate() const;
  MetaHandlerOptions handler_options() const;
};

// One metadata server: its store, the RPC server answering MetaService, and the GC worker, on
// a worker thread of its own. Any number of them may share one PostgreSQL store.
class MetaServer {
 public:
  // Opens the store, creates the root on a new store, and starts listening.
  static Result<std::unique_ptr<MetaServer>> Start(const MetaServerConfig& config);
  ~MetaServer();  // stops
  MetaServer(const MetaServer&) = delete;
  MetaServer& operator=(const MetaServer&) = delete;

  Address address() const;
  void Stop();

  struct State;  // opaque

 private:
  explicit MetaServer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace chainfs::meta
