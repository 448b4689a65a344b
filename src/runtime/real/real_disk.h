#pragma once

#include "runtime/disk.h"

namespace chainfs {

// Files through asio's random_access_file (io_uring reads and writes); fdatasync for Sync();
// directory operations through std::filesystem.
class RealDisk : public Disk {
 public:
  explicit RealDisk(Executor ex) : ex_(std::move(ex)) {}
  Task<Result<std::unique_ptr<File>>> Open(std::string path, OpenMode mode) override;
  Task<Status> Remove(std::string path) override;
  Task<Status> Rename(std::string from, std::string to) override;
  Task<Status> MakeDirs(std::string path) override;
  Task<Status> SyncDir(std::string path) override;
  Task<Result<std::vector<std::string>>> List(std::string path) override;
  Result<uint64_t> FreeBytes(const std::string& path) override;

 private:
  Executor ex_;
};

}  // namespace chainfs
