#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "runtime/disk.h"
#include "runtime/sim/sim_world.h"

namespace chainfs {

struct SimDiskOptions {
  Nanos min_latency{5'000};
  Nanos max_latency{100'000};
  // Chance that one operation fails with an I/O error.
  double error_probability = 0.0;
};

// An in-memory disk with the durability contract of a real one: file contents survive a crash
// only up to their last Sync(), and names (create, remove, rename) only up to the last SyncDir()
// of their directory. Crash() throws away everything else. Not thread-safe.
class SimDisk : public Disk {
 public:
  SimDisk(SimWorld& world, std::string node, SimDiskOptions options);
  ~SimDisk() override;

  SimDiskOptions& options() { return options_; }
  // Every operation fails until set back to false (a dead disk).
  void set_failed(bool failed) { failed_ = failed; }
  // Writes that would grow a file fail with kNoSpace until set back to false (a full disk).
  // With `overwrites_too`, every write fails so, as on a full copy-on-write file system
  // (btrfs, ZFS), where an overwrite needs new blocks too.
  void set_full(bool full, bool overwrites_too = false) {
    full_ = full;
    full_overwrites_ = full && overwrites_too;
  }
  // Loses all that was not synced.
  void Crash();
  // File syncs that succeeded so far.
  uint64_t file_syncs() const { return file_syncs_; }

  Task<Result<std::unique_ptr<File>>> Open(std::string path, OpenMode mode) override;
  Task<Status> Remove(std::string path) override;
  Task<Status> Rename(std::string from, std::string to) override;
  Task<Status> MakeDirs(std::string path) override;
  Task<Status> SyncDir(std::string path) override;
  Task<Result<std::vector<std::string>>> List(std::string path) override;
  // kSimFreeBytes, or 0 while the disk is full; kIoError while it has failed.
  Result<uint64_t> FreeBytes(const std::string& path) override;
  static constexpr uint64_t kSimFreeBytes = 1ull << 40;

  struct Content {
    std::string current;
    std::string durable;
  };

 private:
  friend class SimFile;
  // Waits the simulated latency, then decides whether this operation fails.
  // An operation of a file opened at `epoch` (or of the disk itself) fails once the disk has
  // crashed since.
  Task<Status> Begin(std::string_view op, const std::string& path,
                     std::optional<uint64_t> epoch = std::nullopt);

  SimWorld& world_;
  std::string node_;
  SimDiskOptions options_;
  bool failed_ = false;
  bool full_ = false;
  bool full_overwrites_ = false;
  uint64_t epoch_ = 0;
  uint64_t file_syncs_ = 0;
  // Names as they are now, and as they would be after a crash.
  std::map<std::string, std::shared_ptr<Content>> live_;
  std::map<std::string, std::shared_ptr<Content>> durable_;
};

}  // namespace chainfs
