#pragma once

#include <string>
#include <vector>

namespace chainfs::cli {

// `chainfs chains create [--replicas N]`: builds chains over every target in none.
int RunCreateChains(const std::string& config_path, const std::vector<std::string>& overrides,
                    int replicas);

// `chainfs chains add-target --chain C --target T`: the target joins the chain (offline, then
// syncing, then serving). `chainfs chains remove-target --target T`: an offline target leaves
// its chain.
int RunAddTarget(const std::string& config_path, const std::vector<std::string>& overrides,
                 uint64_t chain, uint64_t target);
int RunRemoveTarget(const std::string& config_path, const std::vector<std::string>& overrides,
                    uint64_t target);

// `chainfs status`: nodes, targets and chains with their states, and space used.
int RunStatus(const std::string& config_path, const std::vector<std::string>& overrides);

}  // namespace chainfs::cli
