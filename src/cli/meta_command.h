#pragma once

#include <string>
#include <vector>

namespace chainfs::cli {

// `chainfs meta --config FILE [--set key=value]...`: runs a metadata server until SIGTERM or
// SIGINT. Prints "listening on HOST:PORT" once it serves. Returns the exit code.
int RunMeta(const std::string& config_path, const std::vector<std::string>& overrides);

// `chainfs fsck --config FILE [--set key=value]...`: runs the invariant checker over the
// metadata store the config names and prints what is wrong. Exit 0 when consistent, 1 when
// not, 2 when the store cannot be read. A RocksDB store must not be in use by a server.
int RunFsck(const std::string& config_path, const std::vector<std::string>& overrides);

}  // namespace chainfs::cli
