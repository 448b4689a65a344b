#include "small_fs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>

namespace chainfs::testing {

SmallFileSystem::SmallFileSystem(const std::string& name, int mib)
    : path_((std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid())))
                .string()) {
  ::umount2(path_.c_str(), MNT_DETACH);
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
  std::string size = "size=" + std::to_string(mib) + "m";
  mounted_ = ::geteuid() == 0 && ::mount("tmpfs", path_.c_str(), "tmpfs", 0, size.c_str()) == 0;
}

SmallFileSystem::~SmallFileSystem() {
  if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

size_t SmallFileSystem::Fill(const std::string& name) const {
  int fd = ::open((path_ + "/" + name).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return 0;
  std::string block(64 << 10, 'f');
  size_t total = 0;
  while (true) {
    ssize_t n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
  ::close(fd);
  return total;
}

}  // namespace chainfs::testing
