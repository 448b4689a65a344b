#pragma once

#include <string>

#include "chainfs/client.h"
#include "common/status.h"

namespace chainfs::fuse {

struct MountOptions {
  std::string mountpoint;
  unsigned max_threads = 32;
  double attr_timeout = 1.0;
  double entry_timeout = 1.0;
};

// kInvalidArgument naming the path unless it is an existing directory. A mount point left
// behind by a daemon that died ("transport endpoint is not connected") is detached first, so
// mounting again recovers it.
Status PrepareMountPoint(const std::string& path);

// Mounts `client`'s file system and serves it (worker_loop.h) until it is unmounted or
// the process gets SIGTERM, SIGINT or SIGHUP (then it unmounts). `on_mounted` runs once the
// kernel has set the mount up (its INIT call).
Status ServeMount(Client& client, const MountOptions& options,
                  void (*on_mounted)(const std::string&));

}  // namespace chainfs::fuse
