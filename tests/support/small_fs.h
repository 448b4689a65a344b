#pragma once

#include <cstddef>
#include <string>

namespace chainfs::testing {

// A tmpfs of a few MiB at a fresh directory, for tests of what happens when a disk fills up;
// unmounted and removed at the end. Mounting needs root: mounted() says whether it worked.
class SmallFileSystem {
 public:
  SmallFileSystem(const std::string& name, int mib);
  ~SmallFileSystem();
  SmallFileSystem(const SmallFileSystem&) = delete;
  SmallFileSystem& operator=(const SmallFileSystem&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }
  // Writes the file `name` until the file system is full; returns the bytes written.
  size_t Fill(const std::string& name) const;

 private:
  std::string path_;
  bool mounted_ = false;
};

}  // namespace chainfs::testing
