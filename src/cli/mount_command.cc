#include "cli/mount_command.h"

#include <fmt/format.h>

#include <cstdio>

#include "chainfs/client.h"
#include "fuse/mount.h"

namespace chainfs::cli {
namespace {

void AnnounceMounted(const std::string& path) {
  fmt::print("mounted at {}\n", path);
  std::fflush(stdout);
}

}  // namespace

int RunMount(const std::string& config_path, const std::vector<std::string>& overrides,
             const std::string& mountpoint) {
  Status st = fuse::PrepareMountPoint(mountpoint);
  if (!st.ok()) {
    fmt::print(stderr, "chainfs mount: {}\n", st.message());
    return 2;
  }
  std::string error;
  std::unique_ptr<Client> client = Client::Connect(config_path, overrides, &error);
  if (!client) {
    fmt::print(stderr, "chainfs mount: {}\n", error);
    return 1;
  }
  fuse::MountOptions options;
  options.mountpoint = mountpoint;
  st = fuse::ServeMount(*client, options, AnnounceMounted);
  if (!st.ok()) {
    fmt::print(stderr, "chainfs mount: {}\n", st.message());
    return 1;
  }
  fmt::print(stderr, "chainfs mount: unmounted {}\n", mountpoint);
  return 0;
}

}  // namespace chainfs::cli
