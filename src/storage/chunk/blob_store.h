#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>

#include "common/result.h"
#include "runtime/disk.h"
#include "storage/chunk/chunk_record.h"

namespace chainfs::storage {

// The bytes of chunk versions, in fixed-size slots of blob files: one group of files per chunk
// size ("<dir>/<size_log2>-<file>"), kSlotsPerFile slots each, files grown as slots are first
// used. Which slots hold something is known only from the chunk records: the owner marks them
// used at start-up and frees them once no record refers to them, so a crash between writing a
// slot and recording it leaks nothing.
//
// Nothing written is durable before Sync() of its slot. A slot freed while a reader holds it
// (Pin) is reused only after the reader lets go, so a read never sees another chunk's bytes.
// A slot freed with `discard` (its chunk is gone, not rewritten elsewhere) also gives its bytes
// back to the disk: PunchDiscarded() punches it out of its file, and until then it may be
// handed out again as it is. A slot being punched is never handed out, so a punch never hits
// new bytes. Slots still waiting for their punch when the process ends are free but keep their
// blocks after a restart, until a write takes them. Not thread-safe: one executor.
class BlobStore {
 public:
  static constexpr uint32_t kSlotsPerFile = 256;

  BlobStore(Disk& disk, std::string dir);
  ~BlobStore();

  // Creates the directory if needed; kIoError naming the path if it cannot.
  Task<Status> Open();

  // Every later read, write and sync fails (kUnavailable): the process is going away, and
  // nothing it still has in flight may touch the disk.
  void Close() { closed_ = true; }

  void MarkUsed(const BlobSlot& slot);
  // A free slot for chunks of `chunk_size_bytes` (a valid chunk size), now marked used.
  BlobSlot Allocate(uint32_t chunk_size_bytes);
  void Free(const BlobSlot& slot, bool discard = false);
  // Punches slots freed with `discard` out of their files, until `max_bytes` of them are done
  // or none waits; then they are free. A slot the file system cannot punch is free all the
  // same. Returns the bytes punched.
  Task<uint64_t> PunchDiscarded(uint64_t max_bytes);
  bool punch_waiting() const { return !discarded_.empty(); }
  void Pin(const BlobSlot& slot);
  void Unpin(const BlobSlot& slot);

  // Offsets are within the slot; offset + size must not pass the slot's end.
  Task<Status> Write(BlobSlot slot, uint32_t offset, std::span<const char> data);
  // Reads exactly out.size() bytes; bytes never written read as zeros.
  Task<Status> Read(BlobSlot slot, uint32_t offset, std::span<char> out);
  Task<Status> Sync(BlobSlot slot);

  // Bytes of the slots in use.
  uint64_t used_bytes() const { return used_bytes_; }
  size_t used_slots() const { return used_.size(); }
  const std::string& dir() const { return dir_; }

 private:
  using SlotKey = std::tuple<uint8_t, uint32_t, uint32_t>;
  using FileKey = std::pair<uint8_t, uint32_t>;

  Task<Result<File*>> FileOf(const BlobSlot& slot);
  std::string PathOf(FileKey key) const;
  void Release(const SlotKey& key, bool discard);
  Task<void> Punch(SlotKey key);
  // The lowest slot of chunk size class `size_log2` in `slots`, if any.
  static std::optional<BlobSlot> FirstOfClass(const std::set<SlotKey>& slots, uint8_t size_log2);

  Disk& disk_;
  std::string dir_;
  std::set<SlotKey> used_;
  std::map<SlotKey, int> pins_;
  std::map<SlotKey, bool> free_when_unpinned_;  // slot -> discard
  std::set<SlotKey> discarded_;                 // free, waiting for a punch
  // Per size class: the lowest index never handed out, and the freed slots below it.
  std::map<uint8_t, uint64_t> next_fresh_;
  std::set<SlotKey> free_;
  std::map<FileKey, std::unique_ptr<File>> files_;
  uint64_t used_bytes_ = 0;
  bool closed_ = false;
  bool punch_failure_logged_ = false;
};

}  // namespace chainfs::storage
