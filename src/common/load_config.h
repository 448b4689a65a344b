#pragma once

#include <string>
#include <vector>

#include "common/config.h"
#include "common/result.h"

namespace chainfs {

// Loads `config` (anything with Bind(ConfigBinder&)) from the file at `path` (none when empty)
// and then the `key=value` overrides. kInvalidArgument naming the key or file at fault.
template <typename Config>
Status LoadConfig(const std::string& path, const std::vector<std::string>& overrides,
                  Config& config) {
  ConfigBinder binder;
  config.Bind(binder);
  if (!path.empty()) RETURN_IF_ERROR(binder.LoadFile(path));
  for (const std::string& o : overrides) {
    size_t eq = o.find('=');
    if (eq == std::string::npos) return InvalidArgument("--set '" + o + "': expected key=value");
    RETURN_IF_ERROR(binder.SetFromText(o.substr(0, eq), o.substr(eq + 1)));
  }
  return Status();
}

}  // namespace chainfs
