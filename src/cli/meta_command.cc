#include "cli/meta_command.h"

#include <fmt/format.h>
#include "cli/config_loading.h"

#include <filesystem>

#include "meta/check/checker.h"
#include "meta/server/meta_server.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::cli {

int RunMeta(const std::string& config_path, const std::vector<std::string>& overrides) {
  meta::MetaServerConfig config;
  Status st = LoadConfig(config_path, overrides, config);
  if (st.ok()) st = config.Validate();
  if (!st.ok()) {
    fmt::print(stderr, "chainfs meta: {}\n", st.message());
    return 2;
  }
  BlockStopSignals();
  Result<std::unique_ptr<meta::MetaServer>> server = meta::MetaServer::Start(config);
  if (!server.ok()) {
    fmt::print(stderr, "chainfs meta: {}\n", server.status().ToString());
    return 1;
  }
  fmt::print("listening on {}\n", (*server)->address().ToString());
  std::fflush(stdout);
  int sig = WaitForStopSignal();
  fmt::print(stderr, "chainfs meta: signal {}, stopping\n", sig);
  (*server)->Stop();
  return 0;
}

int RunFsck(const std::string& config_path, const std::vector<std::string>& overrides) {
  meta::MetaServerConfig config;
  Status st = LoadConfig(config_path, overrides, config);
  if (!st.ok()) {
    fmt::print(stderr, "chainfs fsck: {}\n", st.message());
    return 2;
  }
  // Opening RocksDB creates a store where none is; a checker must not.
  if (config.kv.engine == "rocksdb" &&
      !std::filesystem::exists(config.kv.rocksdb_path + "/CURRENT")) {
    fmt::print(stderr, "chainfs fsck: no RocksDB store at '{}'\n", config.kv.rocksdb_path);
    return 2;
  }
  Result<std::unique_ptr<kv::Engine>> engine = kv::OpenEngine(config.kv);
  if (!engine.ok()) {
    fmt::print(stderr, "chainfs fsck: {}\n", engine.status().ToString());
    return 2;
  }
  Result<meta::CheckReport> report;
  {
    RealRuntime rt(1);
    report = rt.RunSync(0, meta::CheckMetadata(**engine));
  }
  if (!report.ok()) {
    fmt::print(stderr, "chainfs fsck: {}\n", report.status().ToString());
    return 2;
  }
  for (const std::string& problem : report->problems) fmt::print("{}\n", problem);
  fmt::print("{} inodes, {} entries: {}\n", report->inodes, report->entries,
             report->ok() ? "consistent" : fmt::format("{} problems", report->problems.size()));
  return report->ok() ? 0 : 1;
}

}  // namespace chainfs::cli
