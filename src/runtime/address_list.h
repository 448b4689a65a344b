#pragma once

#include <string_view>
#include <vector>

#include "common/result.h"
#include "runtime/network.h"

namespace chainfs {

// "host:port,host:port" as addresses; kInvalidArgument naming `key` and the bad entry.
Result<std::vector<Address>> ParseAddressList(std::string_view key, std::string_view text);

}  // namespace chainfs
