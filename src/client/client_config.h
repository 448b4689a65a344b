#pragma once

#include <string>
#include <vector>

#include "common/config.h"
#include "rpc/options.h"
#include "runtime/network.h"

namespace chainfs::client {

// What a client (the mount, the public API) reads from its config file.
struct ClientConfig {
  std::string mgmtd;   // cluster.mgmtd: "host:port,host:port"
  std::string meta;    // cluster.meta: the metadata servers, same form
  std::string secret;  // cluster.secret
  std::string name;    // client.name: shown to operators; host and pid when empty
  int64_t flush_delay_ms = 100;
  int64_t close_delay_ms = 50;
  int64_t read_ahead_kib = 8192;        // one handle's window at most
  int64_t read_ahead_total_mib = 1024;  // all windows of the client together
  int64_t max_in_flight = 16;
  int64_t meta_timeout_ms = 60'000;
  int64_t start_timeout_ms = 10'000;
  rpc::RpcOptions rpc;

  void Bind(ConfigBinder& b);
  // kInvalidArgument naming the key when the values do not make a client.
  Status Validate() const;
  std::vector<Address> managers() const;
  std::vector<Address> metas() const;
};

}  // namespace chainfs::client
