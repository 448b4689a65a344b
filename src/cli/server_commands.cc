#include "cli/server_commands.h"

#include <fmt/format.h>

#include "cli/config_loading.h"
#include "mgmtd/mgmtd_server.h"
#include "storage/server/storage_server.h"

namespace chainfs::cli {
namespace {

// Loads and validates the config, starts the server, serves until a stop signal.
template <typename Config, typename Server>
int Serve(const char* name, const std::string& config_path,
          const std::vector<std::string>& overrides) {
  Config config;
  Status st = LoadConfig(config_path, overrides, config);
  if (st.ok()) st = config.Validate();
  if (!st.ok()) {
    fmt::print(stderr, "chainfs {}: {}\n", name, st.message());
    return 2;
  }
  BlockStopSignals();
  Result<std::unique_ptr<Server>> server = Server::Start(config);
  if (!server.ok()) {
    fmt::print(stderr, "chainfs {}: {}\n", name, server.status().ToString());
    return 1;
  }
  fmt::print("listening on {}\n", (*server)->address().ToString());
  std::fflush(stdout);
  int sig = WaitForStopSignal();
  fmt::print(stderr, "chainfs {}: signal {}, stopping\n", name, sig);
  (*server)->Stop();
  return 0;
}

}  // namespace

int RunMgmtd(const std::string& config_path, const std::vector<std::string>& overrides) {
  return Serve<mgmtd::MgmtdServerConfig, mgmtd::MgmtdServer>("mgmtd", config_path, overrides);
}

int RunStorage(const std::string& config_path, const std::vector<std::string>& overrides) {
  return Serve<storage::StorageServerConfig, storage::StorageServer>("storage", config_path,
                                                                     overrides);
}

}  // namespace chainfs::cli
