// The chainfs command. Servers and tools arrive as subcommands as they are built.

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/admin_commands.h"
#include "cli/meta_command.h"
#include "cli/mount_command.h"
#include "cli/server_commands.h"
#include "cli/up_command.h"
#include "cli/version.h"
#include "common/config.h"
#include "meta/server/meta_server.h"

namespace chainfs::cli {
namespace {

// Prints every configuration key chainfs knows, with its default, as TOML; or checks a file.
int RunConfig(const std::string& check_path) {
  meta::MetaServerConfig meta;  // holds the RPC and KV keys too
  ConfigBinder binder;
  meta.Bind(binder);
  if (!check_path.empty()) {
    Status st = binder.LoadFile(check_path);
    if (!st.ok()) {
      fmt::print(stderr, "chainfs: {}\n", st.message());
      return 1;
    }
    fmt::print("{}: ok\n", check_path);
    return 0;
  }
  fmt::print("{}", binder.DumpToml());
  return 0;
}

}  // namespace
}  // namespace chainfs::cli

int main(int argc, char** argv) {
  CLI::App app{"chainfs: a distributed file system for AI training and inference"};
  app.require_subcommand(1);
  auto* version = app.add_subcommand("version", "print the version");
  auto* config = app.add_subcommand("config", "print the default configuration as TOML");
  std::string check_path;
  config->add_option("--check", check_path, "check a configuration file instead")
      ->check(CLI::ExistingFile);
  auto* meta = app.add_subcommand("meta", "run a metadata server");
  std::string meta_config;
  std::vector<std::string> meta_overrides;
  meta->add_option("--config", meta_config, "configuration file (TOML)")->check(CLI::ExistingFile);
  meta->add_option("--set", meta_overrides, "override one key: --set meta.listen=127.0.0.1:0");
  auto* fsck = app.add_subcommand("fsck", "check the metadata store's invariants");
  std::string fsck_config;
  std::vector<std::string> fsck_overrides;
  fsck->add_option("--config", fsck_config, "configuration file (TOML)")->check(CLI::ExistingFile);
  fsck->add_option("--set", fsck_overrides, "override one key: --set kv.rocksdb_path=/data/meta");
  auto* mgmtd = app.add_subcommand("mgmtd", "run a cluster manager");
  std::string mgmtd_config;
  std::vector<std::string> mgmtd_overrides;
  mgmtd->add_option("--config", mgmtd_config, "configuration file (TOML)")
      ->check(CLI::ExistingFile);
  mgmtd->add_option("--set", mgmtd_overrides,
                    "override one key: --set mgmtd.listen=127.0.0.1:9000");
  auto* storage = app.add_subcommand("storage", "run a storage server");
  std::string storage_config;
  std::vector<std::string> storage_overrides;
  storage->add_option("--config", storage_config, "configuration file (TOML)")
      ->check(CLI::ExistingFile);
  storage->add_option("--set", storage_overrides, "override one key: --set storage.node_id=1");
  auto* chains = app.add_subcommand("chains", "manage chains");
  auto* chains_create = chains->add_subcommand("create", "build chains over unassigned targets");
  auto* add_target = chains->add_subcommand("add-target", "add a target to a chain");
  auto* remove_target = chains->add_subcommand("remove-target", "remove an offline target");
  chains->require_subcommand(1);
  uint64_t chain_id = 0, target_id = 0;
  add_target->add_option("--chain", chain_id, "chain id")->required()->check(CLI::PositiveNumber);
  add_target->add_option("--target", target_id, "target id")
      ->required()
      ->check(CLI::PositiveNumber);
  remove_target->add_option("--target", target_id, "target id")
      ->required()
      ->check(CLI::PositiveNumber);
  std::string admin_config;
  std::vector<std::string> admin_overrides;
  int replicas = 3;
  chains_create->add_option("--replicas", replicas, "replicas per chain")->check(CLI::Range(1, 16));
  auto* status = app.add_subcommand("status", "show nodes, targets and chains");
  for (CLI::App* admin : {chains_create, add_target, remove_target, status}) {
    admin->add_option("--config", admin_config, "configuration file (TOML)")
        ->check(CLI::ExistingFile);
    admin->add_option("--set", admin_overrides, "override one key: --set cluster.mgmtd=HOST:PORT");
  }
  auto* mount = app.add_subcommand("mount", "mount the cluster with FUSE");
  std::string mount_config, mountpoint;
  std::vector<std::string> mount_overrides;
  mount->add_option("--config", mount_config, "configuration file (TOML)")
      ->check(CLI::ExistingFile);
  mount->add_option("--set", mount_overrides, "override one key: --set cluster.meta=HOST:PORT");
  mount->add_option("mountpoint", mountpoint, "an existing directory")->required();
  auto* up = app.add_subcommand("up", "start a whole local cluster and mount it");
  chainfs::cli::UpOptions up_options;
  up_options.dir = chainfs::cli::DefaultClusterDir();
  up->add_option("--dir", up_options.dir, "configs, data, logs (default ~/.chainfs)");
  up->add_option("--mount", up_options.mount, "mount point (default ~/chainfs, then remembered)");
  auto* down = app.add_subcommand("down", "stop the local cluster started by up");
  std::string down_dir = chainfs::cli::DefaultClusterDir();
  down->add_option("--dir", down_dir, "the directory given to up");
  CLI11_PARSE(app, argc, argv);
  if (up->parsed()) return chainfs::cli::RunUp(up_options);
  if (down->parsed()) return chainfs::cli::RunDown(down_dir);
  if (mount->parsed()) return chainfs::cli::RunMount(mount_config, mount_overrides, mountpoint);
  if (mgmtd->parsed()) return chainfs::cli::RunMgmtd(mgmtd_config, mgmtd_overrides);
  if (storage->parsed()) return chainfs::cli::RunStorage(storage_config, storage_overrides);
  if (chains_create->parsed()) {
    return chainfs::cli::RunCreateChains(admin_config, admin_overrides, replicas);
  }
  if (add_target->parsed()) {
    return chainfs::cli::RunAddTarget(admin_config, admin_overrides, chain_id, target_id);
  }
  if (remove_target->parsed()) {
    return chainfs::cli::RunRemoveTarget(admin_config, admin_overrides, target_id);
  }
  if (status->parsed()) return chainfs::cli::RunStatus(admin_config, admin_overrides);
  if (version->parsed()) {
    fmt::print("chainfs {}\n", chainfs::cli::kVersion);
    return 0;
  }
  if (meta->parsed()) return chainfs::cli::RunMeta(meta_config, meta_overrides);
  if (fsck->parsed()) return chainfs::cli::RunFsck(fsck_config, fsck_overrides);
  return chainfs::cli::RunConfig(check_path);
}
