#include "storage/chunk/blob_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <type_traits>
#include <utility>

#include "common/check.h"
#include "common/logging.h"

namespace chainfs::storage {

namespace {

uint64_t Linear(uint32_t file, uint32_t index) {
  return uint64_t{file} * BlobStore::kSlotsPerFile + index;
}

uint64_t SlotBytes(uint8_t size_log2) { return uint64_t{1} << size_log2; }

}  // namespace

BlobStore::BlobStore(Disk& disk, Clock& clock, std::string dir)
    : disk_(disk), clock_(clock), dir_(std::move(dir)), sync_ended_(clock) {}
BlobStore::~BlobStore() = default;

Task<Status> BlobStore::Open() { co_return co_await disk_.MakeDirs(dir_); }

void BlobStore::MarkUsed(const BlobSlot& slot) {
  SlotKey key = slot.Key();
  if (!used_.insert(key).second) return;
  used_bytes_ += SlotBytes(slot.size_log2);
  if (free_.erase(key) > 0 || discarded_.erase(key) > 0) return;
  uint64_t linear = Linear(slot.file, slot.index);
  uint64_t& fresh = next_fresh_[slot.size_log2];
  for (; fresh < linear; ++fresh) {
    free_.emplace(slot.size_log2, fresh / kSlotsPerFile, fresh % kSlotsPerFile);
  }
  fresh = std::max(fresh, linear + 1);
}

Status BlobStore::CheckRoom(uint64_t reserve) const {
  return CheckFreeSpace(disk_, dir_, reserve, "the stores beside the chunks");
}

BlobSlot BlobStore::Allocate(uint32_t chunk_size_bytes) {
  CHECK(ValidChunkSize(chunk_size_bytes));
  auto size_log2 = static_cast<uint8_t>(std::countr_zero(chunk_size_bytes));
  // A freed slot first, even one waiting for its punch: its blocks are still allocated.
  std::optional<BlobSlot> slot = FirstOfClass(free_, size_log2);
  if (!slot) slot = FirstOfClass(discarded_, size_log2);
  if (!slot) {
    uint64_t linear = next_fresh_[size_log2];
    slot = BlobSlot{size_log2, static_cast<uint32_t>(linear / kSlotsPerFile),
                    static_cast<uint32_t>(linear % kSlotsPerFile)};
  }
  MarkUsed(*slot);
  return *slot;
}

template <typename Slots>
std::optional<BlobSlot> BlobStore::FirstOfClass(const Slots& slots, uint8_t size_log2) {
  auto it = slots.lower_bound(SlotKey(size_log2, 0, 0));
  if (it == slots.end()) return std::nullopt;
  SlotKey key;
  if constexpr (std::is_same_v<typename Slots::value_type, SlotKey>) {
    key = *it;
  } else {
    key = it->first;
  }
  if (std::get<0>(key) != size_log2) return std::nullopt;
  return BlobSlot{size_log2, std::get<1>(key), std::get<2>(key)};
}

void BlobStore::Free(const BlobSlot& slot, bool discard) {
  SlotKey key = slot.Key();
  if (!used_.contains(key)) return;
  if (pins_.contains(key)) {
    free_when_unpinned_[key] = discard;
    return;
  }
  Release(key, discard);
}

void BlobStore::DiscardFree() {
  Nanos now = clock_.Now();
  for (const SlotKey& key : free_) {
    discarded_[key] = now;
    punch_order_.emplace_back(now, key);
  }
  free_.clear();
}

void BlobStore::Release(const SlotKey& key, bool discard) {
  used_.erase(key);
  used_bytes_ -= SlotBytes(std::get<0>(key));
  if (!discard) {
    free_.insert(key);
    return;
  }
  Nanos now = clock_.Now();
  discarded_[key] = now;
  punch_order_.emplace_back(now, key);
}

Task<uint64_t> BlobStore::PunchDiscarded(uint64_t max_bytes, Nanos freed_by) {
  uint64_t done = 0;
  while (punch_due(freed_by) && done < max_bytes) {
    auto [freed, key] = punch_order_.front();
    punch_order_.pop_front();
    auto it = discarded_.find(key);
    if (it == discarded_.end() || it->second != freed) continue;  // taken, or freed again since
    // Out of the map before the punch: it is not handed out while the punch runs.
    discarded_.erase(it);
    done += SlotBytes(std::get<0>(key));
    co_await Punch(key);
  }
  co_return done;
}

Task<void> BlobStore::Punch(SlotKey key) {
  BlobSlot slot{std::get<0>(key), std::get<1>(key), std::get<2>(key)};
  Result<File*> file = co_await FileOf(slot);
  Status st = file.status();
  if (st.ok()) {
    uint64_t bytes = SlotBytes(slot.size_log2);
    uint64_t offset = slot.index * bytes;
    st = co_await (*file)->PunchHole(offset, bytes);
  }
  if (!st.ok() && !closed_ && !punch_failure_logged_) {
    punch_failure_logged_ = true;
    LOG_WARN("blob store {}: freed chunk bytes stay on the disk: {}", dir_, st.ToString());
  }
  free_.insert(key);
}

void BlobStore::Pin(const BlobSlot& slot) { ++pins_[slot.Key()]; }

void BlobStore::Unpin(const BlobSlot& slot) {
  SlotKey key = slot.Key();
  auto it = pins_.find(key);
  CHECK(it != pins_.end());
  if (--it->second > 0) return;
  pins_.erase(it);
  auto freed = free_when_unpinned_.find(key);
  if (freed == free_when_unpinned_.end()) return;
  bool discard = freed->second;
  free_when_unpinned_.erase(freed);
  Release(key, discard);
}

std::string BlobStore::PathOf(FileKey key) const {
  return fmt::format("{}/{}-{}", dir_, key.first, key.second);
}

Task<Result<File*>> BlobStore::FileOf(const BlobSlot& slot) {
  if (closed_) co_return Unavailable(fmt::format("blob store {} is closed", dir_));
  FileKey key(slot.size_log2, slot.file);
  if (auto it = files_.find(key); it != files_.end()) co_return it->second.get();
  std::string path = PathOf(key);
  auto file = co_await disk_.Open(path, OpenMode::kCreate);
  if (!file.ok()) co_return file.status();
  // Another coroutine may have opened it meanwhile; keep the first.
  if (auto it = files_.find(key); it != files_.end()) co_return it->second.get();
  // The file's name must be durable before any record points into it.
  CO_RETURN_IF_ERROR(co_await disk_.SyncDir(dir_));
  if (auto it = files_.find(key); it != files_.end()) co_return it->second.get();
  File* raw = file->get();
  // Chunk writes are synced at once and rarely read back soon, and large reads stream: past
  // the page cache where aligned. Measured in design/storage.md.
  raw->PreferDirectIo();
  files_.emplace(key, std::move(*file));
  co_return raw;
}

Task<Status> BlobStore::Write(BlobSlot slot, uint32_t offset, std::span<const char> data) {
  CHECK(offset + data.size() <= SlotBytes(slot.size_log2));
  CO_ASSIGN_OR_RETURN(File * file, co_await FileOf(slot));
  uint64_t base = uint64_t{slot.index} * SlotBytes(slot.size_log2);
  if (closed_) co_return Unavailable(fmt::format("blob store {} is closed", dir_));
  co_return co_await file->WriteAt(base + offset, data);
}

Task<Status> BlobStore::Read(BlobSlot slot, uint32_t offset, std::span<char> out) {
  CHECK(offset + out.size() <= SlotBytes(slot.size_log2));
  CO_ASSIGN_OR_RETURN(File * file, co_await FileOf(slot));
  uint64_t base = uint64_t{slot.index} * SlotBytes(slot.size_log2);
  CO_ASSIGN_OR_RETURN(size_t n, co_await file->ReadAt(base + offset, out));
  std::memset(out.data() + n, 0, out.size() - n);
  co_return Status();
}

Task<Status> BlobStore::Sync(BlobSlot slot) {
  CO_ASSIGN_OR_RETURN(File * file, co_await FileOf(slot));
  FileSyncs& syncs = syncs_[FileKey(slot.size_log2, slot.file)];
  // Join the sync that starts next: one already under way may have begun before this slot's
  // bytes were written.
  if (!syncs.next) syncs.next = std::make_shared<SyncRound>();
  std::shared_ptr<SyncRound> mine = syncs.next;
  while (!mine->done) {
    if (syncs.running) {
      (void)co_await sync_ended_.Wait(clock_.Now() + Nanos(1'000'000'000));
      continue;
    }
    syncs.running = std::exchange(syncs.next, nullptr);
    if (closed_) {
      mine->status = Unavailable(fmt::format("blob store {} is closed", dir_));
    } else {
      mine->status = co_await file->Sync();
    }
    mine->done = true;
    syncs.running = nullptr;
    sync_ended_.NotifyAll();
  }
  co_return mine->status;
}

}  // namespace chainfs::storage
