// How ChunkEngine builds new versions and reads them back, with their checksums.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "common/buffer_pool.h"
#include "common/crc32c.h"
#include "storage/chunk/chunk_engine.h"

namespace chainfs::storage {
namespace {

// The checksums of a chunk `old_len` bytes long, after `bytes` are appended at old_len.
std::vector<uint32_t> ExtendCrcs(std::vector<uint32_t> crcs, uint32_t old_len,
                                 std::span<const char> bytes) {
  size_t at = 0;
  if (old_len % kBlockBytes != 0 && !bytes.empty()) {
    at = std::min<size_t>(kBlockBytes - old_len % kBlockBytes, bytes.size());
    crcs.back() = Crc32cExtend(crcs.back(), bytes.first(at));
  }
  std::vector<uint32_t> rest = BlockCrcs(bytes.subspan(at));
  crcs.insert(crcs.end(), rest.begin(), rest.end());
  return crcs;
}

// Pins a slot for as long as it lives, so the slot is not reused under a read.
class SlotPin {
 public:
  SlotPin(BlobStore& blobs, std::optional<BlobSlot> slot) : blobs_(blobs), slot_(slot) {
    if (slot_) blobs_.Pin(*slot_);
  }
  ~SlotPin() {
    if (slot_) blobs_.Unpin(*slot_);
  }
  SlotPin(const SlotPin&) = delete;
  SlotPin& operator=(const SlotPin&) = delete;

 private:
  BlobStore& blobs_;
  std::optional<BlobSlot> slot_;
};

}  // namespace

Task<Result<ChunkVersion>> ChunkEngine::Build(const ChunkRecord& rec, const ChunkUpdate& u,
                                              std::span<const char> data) {
  // A removed chunk grows again from nothing.
  ChunkVersion base = rec.committed.removed ? ChunkVersion{} : rec.committed;
  Result<ChunkVersion> built = ChunkVersion{};
  switch (u.kind) {
    case UpdateKind::kRemove:
      built->removed = true;
      break;
    case UpdateKind::kReplace:
      built = co_await WriteFresh(u, data);
      break;
    case UpdateKind::kWrite: {
      uint32_t end = u.offset + u.length;
      if (base.slot && u.offset == base.length) {
        built = co_await AppendInPlace(base, base.length, data);
        break;
      }
      if (base.slot && u.offset > base.length) {
        std::string bytes(u.offset - base.length, '\0');
        bytes.append(data.begin(), data.end());
        built = co_await AppendInPlace(base, base.length, bytes);
        break;
      }
      bool keeps_base = base.slot && (u.offset > 0 || end < base.length);
      if (!keeps_base && u.offset == 0) {
        // The new version is the written bytes: stored as they came, without a copy.
        built = co_await WriteFresh(u, data);
        break;
      }
      std::string content;
      if (keeps_base) {
        CO_ASSIGN_OR_RETURN(content, co_await ReadWhole(u.chunk, base));
      }
      content.resize(std::max<size_t>(content.size(), end), '\0');
      std::memcpy(content.data() + u.offset, data.data(), data.size());
      built = co_await WriteFresh(u, content);
      break;
    }
    case UpdateKind::kTruncate: {
      if (u.length <= base.length) {
        built = co_await Shrink(base, u);
        break;
      }
      std::string zeros(u.length - (base.slot ? base.length : 0), '\0');
      if (base.slot) {
        built = co_await AppendInPlace(base, base.length, zeros);
      } else {
        built = co_await WriteFresh(u, zeros);
      }
      break;
    }
  }
  if (!built.ok()) co_return built.status();
  built->version = u.version;
  built->tag = u.tag;
  co_return built;
}

Task<Result<ChunkVersion>> ChunkEngine::WriteFresh(const ChunkUpdate& u,
                                                   std::span<const char> content) {
  ChunkVersion v;
  v.length = static_cast<uint32_t>(content.size());
  if (content.empty()) co_return v;
  BlobSlot slot = blobs_.Allocate(u.chunk_size_bytes);
  Status st = co_await blobs_.Write(slot, 0, content);
  if (st.ok()) st = co_await blobs_.Sync(slot);
  if (!st.ok()) {
    blobs_.Free(slot);
    co_return st;
  }
  v.slot = slot;
  v.block_crcs = BlockCrcs(content);
  co_return v;
}

Task<Result<ChunkVersion>> ChunkEngine::AppendInPlace(const ChunkVersion& base, uint32_t at,
                                                      std::span<const char> bytes) {
  CO_RETURN_IF_ERROR(co_await blobs_.Write(*base.slot, at, bytes));
  CO_RETURN_IF_ERROR(co_await blobs_.Sync(*base.slot));
  ChunkVersion v;
  v.slot = base.slot;
  v.length = at + static_cast<uint32_t>(bytes.size());
  v.block_crcs = ExtendCrcs(base.block_crcs, base.length, bytes);
  co_return v;
}

Task<Result<ChunkVersion>> ChunkEngine::Shrink(const ChunkVersion& base, const ChunkUpdate& u) {
  ChunkVersion v;
  v.length = u.length;
  if (u.length == 0) co_return v;
  v.slot = base.slot;
  size_t blocks = (u.length + kBlockBytes - 1) / kBlockBytes;
  v.block_crcs.assign(base.block_crcs.begin(), base.block_crcs.begin() + blocks);
  uint32_t tail = u.length % kBlockBytes;
  if (tail != 0) {
    // The new last block is shorter: check it as it was, then checksum what is left of it.
    uint32_t start = u.length - tail;
    std::string block(std::min(kBlockBytes, base.length - start), '\0');
    SlotPin pin(blobs_, base.slot);
    CO_RETURN_IF_ERROR(co_await VerifiedRead(u.chunk, base, start, block));
    v.block_crcs.back() = Crc32c(std::span<const char>(block).first(tail));
  }
  co_return v;
}

Task<Result<std::string>> ChunkEngine::ReadWhole(ChunkId chunk, const ChunkVersion& v) {
  std::string content(v.length, '\0');
  SlotPin pin(blobs_, v.slot);
  CO_RETURN_IF_ERROR(co_await VerifiedRead(chunk, v, 0, content));
  co_return content;
}

Task<Result<size_t>> ChunkEngine::Read(ChunkId chunk, bool pending, uint32_t offset,
                                       std::span<char> out) {
  const ChunkRecord* rec = Find(chunk);
  if (rec == nullptr) co_return size_t{0};
  ChunkVersion v = pending && rec->pending ? *rec->pending : rec->committed;
  if (v.removed || offset >= v.length || out.empty()) co_return size_t{0};
  size_t n = std::min<size_t>(out.size(), v.length - offset);
  SlotPin pin(blobs_, v.slot);
  CO_RETURN_IF_ERROR(co_await VerifiedRead(chunk, v, offset, out.first(n)));
  co_return n;
}

Task<Status> ChunkEngine::VerifiedRead(ChunkId chunk, const ChunkVersion& v, uint32_t offset,
                                       std::span<char> out) {
  if (out.empty()) co_return Status();
  uint32_t first = offset / kBlockBytes;
  uint32_t last = static_cast<uint32_t>((offset + out.size() - 1) / kBlockBytes);
  if (!v.slot || last >= v.block_crcs.size()) {
    co_return Corruption(
        fmt::format("chunk {}: version {} has no checksum for block {}", chunk, v.version, last));
  }
  uint32_t start = first * kBlockBytes;
  uint32_t end = std::min<uint32_t>((last + 1) * kBlockBytes, v.length);
  // Whole blocks are read straight into `out`; a partial block at either end goes through a
  // buffer so that the whole block can be checked.
  bool aligned = start == offset && end == offset + out.size();
  PooledBuffer buffer;
  std::span<char> blocks = out;
  if (!aligned) {
    buffer = BufferPool::Default().Get(end - start);
    blocks = buffer.first(end - start);
  }
  CO_RETURN_IF_ERROR(co_await blobs_.Read(*v.slot, start, blocks));
  for (uint32_t b = first; b <= last; ++b) {
    size_t at = size_t{b - first} * kBlockBytes;
    size_t len = std::min<size_t>(kBlockBytes, blocks.size() - at);
    if (Crc32c(blocks.subspan(at, len)) != v.block_crcs[b]) {
      co_return Corruption(
          fmt::format("chunk {}: version {} block {} fails its checksum", chunk, v.version, b));
    }
  }
  if (!aligned) std::memcpy(out.data(), buffer.data() + (offset - start), out.size());
  co_return Status();
}

}  // namespace chainfs::storage
