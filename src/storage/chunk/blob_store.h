#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <tuple>

#include "common/result.h"
#include "runtime/clock.h"
#include "runtime/disk.h"
#include "runtime/notifier.h"
#include "storage/chunk/chunk_record.h"

namespace chainfs::storage {

// The bytes of chunk versions, in fixed-size slots of blob files: one group of files per chunk
// size ("<dir>/<size_log2>-<file>"), kSlotsPerFile slots each, files grown as slots are first
// used. Which slots hold something is known only from the chunk records: the owner marks them
// used at start-up and frees them once no record refers to them, so a crash between writing a
// slot and recording it leaks nothing.
//
// Nothing written is durable before Sync() of its slot. Syncs of one file are grouped: a Sync
// that arrives while the file is being synced waits for the next sync, which then covers every
// Sync that arrived meanwhile, so concurrent chunk writes to one file share one fdatasync. A slot
// freed while a reader holds it (Pin) is reused only after the reader lets go, so a read never sees
// another chunk's bytes. A slot freed with `discard` (its chunk is gone, not rewritten elsewhere)
// also gives its bytes back to the disk: PunchDiscarded() punches it out of its file once it has
// been free for long enough, and until then it may be handed out again as it is. A slot being
// punched is never handed out, so a punch never hits new bytes. Which free slots still hold blocks
// is not known after a restart: once the owner has marked the used ones, DiscardFree() queues every
// free slot for its punch. Not thread-safe: one executor.
class BlobStore {
 public:
  static constexpr uint32_t kSlotsPerFile = 256;

  BlobStore(Disk& disk, Clock& clock, std::string dir);
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
  // Queues every free slot for a punch, as if freed now with `discard`: at start-up, after the
  // used slots are marked, since slots freed before a restart may still hold their blocks.
  void DiscardFree();
  // Punches slots freed with `discard` no later than `freed_by` (Clock::Now scale) out of their
  // files, in the order they were freed, until `max_bytes` of them are done or none is due;
  // then they are free. A slot the file system cannot punch is free all the same. Returns the
  // bytes punched.
  Task<uint64_t> PunchDiscarded(uint64_t max_bytes, Nanos freed_by);
  // Whether a slot freed no later than `freed_by` may be waiting for its punch.
  bool punch_due(Nanos freed_by) const {
    return !punch_order_.empty() && punch_order_.front().first <= freed_by;
  }
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
  // Bytes the file system under the blob files can still take.
  Result<uint64_t> free_bytes() const { return disk_.FreeBytes(dir_); }
  // kNoSpace while that file system has less than `reserve` bytes free: writes that may need
  // new blocks stop there, so the stores beside the blobs (RocksDB's logs, on the same disk
  // when one machine runs everything) keep room to write, deletions included. 0: no check.
  Status CheckRoom(uint64_t reserve) const;

 private:
  using SlotKey = std::tuple<uint8_t, uint32_t, uint32_t>;
  using FileKey = std::pair<uint8_t, uint32_t>;

  // One fdatasync of a file, shared by every Sync() that joined it before it began.
  struct SyncRound {
    bool done = false;
    Status status;
  };
  struct FileSyncs {
    std::shared_ptr<SyncRound> running;  // the sync under way
    std::shared_ptr<SyncRound> next;     // the one that starts when it ends
  };

  Task<Result<File*>> FileOf(const BlobSlot& slot);
  std::string PathOf(FileKey key) const;
  void Release(const SlotKey& key, bool discard);
  Task<void> Punch(SlotKey key);
  // The lowest slot of chunk size class `size_log2` in `slots` (a set or map of SlotKey).
  template <typename Slots>
  static std::optional<BlobSlot> FirstOfClass(const Slots& slots, uint8_t size_log2);

  Disk& disk_;
  Clock& clock_;
  std::string dir_;
  std::set<SlotKey> used_;
  std::map<SlotKey, int> pins_;
  std::map<SlotKey, bool> free_when_unpinned_;  // slot -> discard
  std::map<SlotKey, Nanos> discarded_;          // free, waiting for a punch: when freed
  // Discarded slots in the order they were freed; an entry whose slot was taken, or freed
  // again later, since is skipped.
  std::deque<std::pair<Nanos, SlotKey>> punch_order_;
  // Per size class: the lowest index never handed out, and the freed slots below it.
  std::map<uint8_t, uint64_t> next_fresh_;
  std::set<SlotKey> free_;
  std::map<FileKey, std::unique_ptr<File>> files_;
  std::map<FileKey, FileSyncs> syncs_;
  Notifier sync_ended_;
  uint64_t used_bytes_ = 0;
  bool closed_ = false;
  bool punch_failure_logged_ = false;
};

}  // namespace chainfs::storage
