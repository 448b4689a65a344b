#pragma once

#include <string>

namespace chainfs::cli {

struct UpOptions {
  std::string dir;    // where configs, data, logs and pids live
  std::string mount;  // where the file system is mounted (remembered in DIR)
  int storage_nodes = 3;
  int targets_per_node = 4;
  int replicas = 3;
};

// `chainfs up`: starts mgmtd, a metadata server on RocksDB, the storage servers and the FUSE
// mount as separate processes, writing the config files it uses into DIR (kept for later
// runs, so `up` on the same DIR brings back the same files); waits until every chain serves
// and the mount is in place. Refuses a DIR whose cluster is running. Returns the exit code.
int RunUp(const UpOptions& options);
// `chainfs down`: unmounts and stops every process of DIR's cluster, newest first.
int RunDown(const std::string& dir);
// The default DIR: $HOME/.chainfs.
std::string DefaultClusterDir();

}  // namespace chainfs::cli
