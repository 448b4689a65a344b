#pragma once

#include <string>
#include <vector>

namespace chainfs::cli {

// `chainfs mount [--config FILE] [--set key=value]... MOUNTPOINT`: connects to the cluster,
// mounts it and serves until unmounted or signalled. Prints "mounted at PATH" once the mount
// is in place. Returns the exit code.
int RunMount(const std::string& config_path, const std::vector<std::string>& overrides,
             const std::string& mountpoint);

}  // namespace chainfs::cli
