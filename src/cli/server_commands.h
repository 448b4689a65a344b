#pragma once

#include <string>
#include <vector>

namespace chainfs::cli {

// `chainfs mgmtd --config FILE [--set key=value]...`: runs a cluster manager until SIGTERM or
// SIGINT. Prints "listening on HOST:PORT" once it serves. Returns the exit code.
int RunMgmtd(const std::string& config_path, const std::vector<std::string>& overrides);

// `chainfs storage --config FILE [--set key=value]...`: runs a storage server the same way.
int RunStorage(const std::string& config_path, const std::vector<std::string>& overrides);

}  // namespace chainfs::cli
