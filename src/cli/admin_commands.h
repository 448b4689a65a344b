#pragma once

#include <string>
#include <vector>

namespace chainfs::cli {

// `chainfs chains create [--replicas N]`: builds chains over every target in none.
int RunCreateChains(const std::string& config_path, const std::vector<std::string>& overrides,
                    int replicas);

// `chainfs status`: nodes, targets and chains with their states, and space used.
int RunStatus(const std::string& config_path, const std::vector<std::string>& overrides);

}  // namespace chainfs::cli
