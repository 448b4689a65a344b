#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "runtime/task.h"

namespace chainfs {

// An open file. Writes are durable only after Sync(): a crash (real, or simulated) may drop
// anything written since the last Sync(). Belongs to one executor's thread.
class File {
 public:
  virtual ~File() = default;
  // Returns the bytes read; fewer than out.size() only at end of file.
  virtual Task<Result<size_t>> ReadAt(uint64_t offset, std::span<char> out) = 0;
  virtual Task<Status> WriteAt(uint64_t offset, std::span<const char> data) = 0;
  virtual Task<Status> Sync() = 0;
  virtual Task<Status> Truncate(uint64_t size) = 0;
  // Gives the bytes of [offset, offset + length) back to the device: they read as zeros after
  // (or, after a crash before the next Sync(), as before). The size stays. kUnimplemented where
  // the file system cannot.
  virtual Task<Status> PunchHole(uint64_t offset, uint64_t length) = 0;
  virtual Result<uint64_t> Size() const = 0;

  // From now on, I/O that is aligned (offset, length and memory multiples of kDirectIoAlign)
  // bypasses the page cache and goes straight to the device: every such write, and such reads
  // of at least kDirectReadMinBytes. The rest still goes through the cache, so small reads of
  // hot data are served from memory. For large writes that are synced at once and large reads
  // that stream: no copy through the cache, no write-back for a sync to wait on, no readahead.
  // Reads, and what a crash keeps, are the same either way. Returns whether this file can (not
  // every file system can).
  virtual bool PreferDirectIo() { return false; }
};

inline constexpr uint64_t kDirectIoAlign = 4096;
inline constexpr uint64_t kDirectReadMinBytes = 256 << 10;

enum class OpenMode { kReadOnly, kReadWrite, kCreate /* read-write, created if missing */ };

// Files and directories. Service code touches the disk only through a Disk. Directory changes
// (create, remove, rename) are durable once SyncDir() of the parent returns.
class Disk {
 public:
  virtual ~Disk() = default;
  virtual Task<Result<std::unique_ptr<File>>> Open(std::string path, OpenMode mode) = 0;
  virtual Task<Status> Remove(std::string path) = 0;
  virtual Task<Status> Rename(std::string from, std::string to) = 0;
  virtual Task<Status> MakeDirs(std::string path) = 0;
  virtual Task<Status> SyncDir(std::string path) = 0;
  // Names (not paths) of the entries of a directory, sorted.
  virtual Task<Result<std::vector<std::string>>> List(std::string path) = 0;
  // Bytes an unprivileged writer can still add to the file system that holds `path`.
  virtual Result<uint64_t> FreeBytes(const std::string& path) = 0;
};

// kNoSpace, naming what the room is `kept_for`, while the file system under `path` has less
// than `reserve` bytes free. OK when it has, when `reserve` is 0, or when the free space is
// unknown (the write itself will tell). Servers keep such reserves so that their stores' logs
// never meet a full disk and removals can always be made.
Status CheckFreeSpace(Disk& disk, const std::string& path, uint64_t reserve,
                      std::string_view kept_for);

}  // namespace chainfs
