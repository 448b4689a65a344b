#include "storage/chunk/chunk_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace chainfs::storage {
namespace {

constexpr size_t kLoadPage = 1024;

void CollectSlots(const ChunkRecord& rec, std::vector<BlobSlot>& out) {
  if (rec.committed.slot) out.push_back(*rec.committed.slot);
  if (rec.pending && rec.pending->slot) out.push_back(*rec.pending->slot);
}

Status CheckFits(const ChunkUpdate& u, std::span<const char> data) {
  if (u.version == 0) return InvalidArgument(fmt::format("chunk {}: version 0", u.chunk));
  if (u.kind == UpdateKind::kRemove) {
    if (!data.empty())
      return InvalidArgument(fmt::format("chunk {}: a remove carries no data", u.chunk));
    return Status();  // whatever its size
  }
  if (!ValidChunkSize(u.chunk_size_bytes)) {
    return InvalidArgument(fmt::format("chunk {}: chunk size {} is not a power of two in [{}, {}]",
                                       u.chunk, u.chunk_size_bytes, kMinChunkBytes,
                                       kMaxChunkBytes));
  }
  uint64_t end = u.kind == UpdateKind::kWrite     ? uint64_t{u.offset} + u.length
                 : u.kind == UpdateKind::kReplace ? data.size()
                                                  : u.length;
  if (end > u.chunk_size_bytes) {
    return InvalidArgument(fmt::format("chunk {}: update reaches byte {}, past the chunk size {}",
                                       u.chunk, end, u.chunk_size_bytes));
  }
  bool carries_data = u.kind == UpdateKind::kWrite || u.kind == UpdateKind::kReplace;
  if (u.kind == UpdateKind::kWrite && data.size() != u.length) {
    return InvalidArgument(
        fmt::format("chunk {}: write of {} bytes carries {}", u.chunk, u.length, data.size()));
  }
  if (!carries_data && !data.empty()) {
    return InvalidArgument(fmt::format("chunk {}: a truncate or remove carries no data", u.chunk));
  }
  return Status();
}

}  // namespace

ChunkEngine::ChunkEngine(kv::Engine& store, Disk& disk, Clock& clock, std::string blob_dir,
                         uint64_t reserve_bytes)
    : store_(store), blobs_(disk, clock, std::move(blob_dir)), reserve_bytes_(reserve_bytes) {}

Task<Status> ChunkEngine::Open() {
  CO_RETURN_IF_ERROR(co_await blobs_.Open());
  auto [begin, end] = AllChunksRange();
  while (true) {
    auto txn = store_.BeginReadOnly();
    kv::RangeOptions page{.limit = kLoadPage};
    CO_ASSIGN_OR_RETURN(std::vector<kv::KeyValue> rows, co_await txn->GetRange(begin, end, page));
    for (const kv::KeyValue& row : rows) {
      std::optional<ChunkId> id = ParseChunkKey(row.key);
      Result<ChunkRecord> rec = rpc::Decode<ChunkRecord>(row.value);
      if (!id) {
        co_return Corruption(
            fmt::format("chunk metadata: a key of {} bytes is no chunk key", row.key.size()));
      }
      if (!rec.ok()) {
        co_return Corruption(
            fmt::format("chunk {}: unreadable record: {}", *id, rec.status().ToString()));
      }
      std::vector<BlobSlot> slots;
      CollectSlots(*rec, slots);
      for (const BlobSlot& s : slots) blobs_.MarkUsed(s);
      if (rec->pending) pending_.insert(*id);
      records_[*id] = std::move(*rec);
    }
    if (rows.size() < kLoadPage) break;
    begin = rows.back().key + '\0';
  }
  blobs_.DiscardFree();
  co_return Status();
}

const ChunkRecord* ChunkEngine::Find(ChunkId chunk) const {
  auto it = records_.find(chunk);
  return it == records_.end() ? nullptr : &it->second;
}

Task<Result<ChunkRecord>> ChunkEngine::Store(ChunkUpdate u, std::span<const char> data,
                                             bool commit) {
  CO_RETURN_IF_ERROR(CheckFits(u, data));
  const ChunkRecord* found = Find(u.chunk);
  ChunkRecord old = found ? *found : ChunkRecord{};
  if (found && !old.committed.removed && old.committed.version > 0 &&
      old.chunk_size_bytes != u.chunk_size_bytes && u.kind != UpdateKind::kReplace &&
      u.kind != UpdateKind::kRemove) {
    co_return InvalidArgument(fmt::format("chunk {}: chunk size {} but the chunk has {}", u.chunk,
                                          u.chunk_size_bytes, old.chunk_size_bytes));
  }
  if (u.kind != UpdateKind::kReplace) {
    if (u.version != old.committed.version + 1) {
      co_return OutOfRange(fmt::format("chunk {}: update version {} but committed version is {}",
                                       u.chunk, u.version, old.committed.version));
    }
  }
  CO_ASSIGN_OR_RETURN(ChunkVersion built, co_await Build(old, u, data));
  ChunkRecord now = old;
  if (u.kind != UpdateKind::kRemove) now.chunk_size_bytes = u.chunk_size_bytes;
  now.chain_version = u.chain_version;
  if (commit) {
    now.committed = std::move(built);
    now.pending.reset();
  } else {
    now.pending = std::move(built);
  }
  bool gone = now.committed.removed && !now.pending;
  Status persisted = co_await Persist(u.chunk, gone ? nullptr : &now);
  if (!persisted.ok()) {
    FreeUnused(now, &old);
    co_return persisted;
  }
  FreeUnused(old, gone ? nullptr : &now);
  co_return now;
}

Task<Status> ChunkEngine::Commit(ChunkId chunk, uint64_t version) {
  const ChunkRecord* found = Find(chunk);
  if (found == nullptr || found->committed.version == version) co_return Status();
  if (!found->pending || found->pending->version != version) {
    co_return OutOfRange(fmt::format("chunk {}: no pending version {} to commit (committed {})",
                                     chunk, version, found->committed.version));
  }
  ChunkRecord old = *found;
  ChunkRecord now = old;
  now.committed = std::move(*now.pending);
  now.pending.reset();
  bool gone = now.committed.removed;
  CO_RETURN_IF_ERROR(co_await Persist(chunk, gone ? nullptr : &now));
  FreeUnused(old, gone ? nullptr : &now);
  co_return Status();
}

Task<Status> ChunkEngine::DropPending(ChunkId chunk) {
  const ChunkRecord* found = Find(chunk);
  if (found == nullptr || !found->pending) co_return Status();
  ChunkRecord old = *found;
  ChunkRecord now = old;
  now.pending.reset();
  bool gone = now.committed.version == 0 || now.committed.removed;
  CO_RETURN_IF_ERROR(co_await Persist(chunk, gone ? nullptr : &now));
  FreeUnused(old, gone ? nullptr : &now);
  co_return Status();
}

Task<Status> ChunkEngine::Forget(ChunkId chunk) {
  const ChunkRecord* found = Find(chunk);
  if (found == nullptr) co_return Status();
  ChunkRecord old = *found;
  CO_RETURN_IF_ERROR(co_await Persist(chunk, nullptr));
  FreeUnused(old, nullptr);
  co_return Status();
}

Task<Status> ChunkEngine::Persist(ChunkId chunk, const ChunkRecord* rec) {
  if (closed_) co_return Unavailable(fmt::format("chunk {}: the target is closed", chunk));
  std::unique_ptr<kv::Transaction> txn = store_.Begin();
  std::string key = ChunkKey(chunk);
  if (rec != nullptr) {
    txn->Set(key, rpc::Encode(*rec));
  } else {
    txn->Clear(key);
  }
  Status st = co_await txn->Commit();
  if (!st.ok()) {
    co_return Status(StatusCode::kIoError,
                     fmt::format("chunk {}: metadata not stored: {}", chunk, st.ToString()));
  }
  if (rec != nullptr) {
    records_[chunk] = *rec;
  } else {
    records_.erase(chunk);
  }
  if (rec != nullptr && rec->pending) {
    pending_.insert(chunk);
  } else {
    pending_.erase(chunk);
  }
  co_return Status();
}

void ChunkEngine::FreeUnused(const ChunkRecord& old, const ChunkRecord* now) {
  std::vector<BlobSlot> before, after;
  CollectSlots(old, before);
  if (now != nullptr) CollectSlots(*now, after);
  // A chunk left with no bytes at all (removed, or emptied) gives its space back to the disk;
  // the slot a rewrite leaves is kept for the next write, which then needs no new blocks.
  bool discard = after.empty();
  for (const BlobSlot& s : before) {
    if (std::find(after.begin(), after.end(), s) == after.end()) blobs_.Free(s, discard);
  }
}

std::optional<std::pair<ChunkId, ChunkRecord>> ChunkEngine::LastChunk(InodeId inode) const {
  auto it = inode.value() == UINT64_MAX
                ? records_.end()
                : records_.lower_bound(ChunkId{InodeId(inode.value() + 1), 0});
  while (it != records_.begin()) {
    --it;
    if (it->first.inode != inode) break;
    const ChunkVersion& c = it->second.committed;
    if (c.version > 0 && !c.removed) return *it;
  }
  return std::nullopt;
}

}  // namespace chainfs::storage
