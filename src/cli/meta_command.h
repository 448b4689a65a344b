#pragma once

#include <string>
#include <vector>

namespace chainfs::cli {

// `chainfs meta --config FILE [--set key=value]...`: runs a metadata server until SIGTERM or
// SIGINT. Prints "listening on HOST:PORT" once it serves. Returns the exit code.
int RunMeta(const std::string& config_path, const std::vector<std::string>& overrides);

}  // namespace chainfs::cli
