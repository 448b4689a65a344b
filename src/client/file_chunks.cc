#include "client/file_chunks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "meta/schema/chunk_placement.h"
#include "runtime/all_of.h"

namespace chainfs::client {
namespace {

// One chunk's share of a byte range.
struct Piece {
  uint64_t index = 0;
  uint32_t offset = 0;  // within the chunk
  size_t at = 0;        // within the range
  size_t length = 0;
};

std::vector<Piece> Split(const meta::Layout& layout, uint64_t offset, uint64_t length) {
  std::vector<Piece> pieces;
  uint64_t cs = layout.chunk_size_bytes;
  for (uint64_t done = 0; done < length;) {
    uint64_t pos = offset + done;
    uint64_t in_chunk = pos % cs;
    uint64_t n = std::min(length - done, cs - in_chunk);
    pieces.push_back(Piece{pos / cs, static_cast<uint32_t>(in_chunk), done, n});
    done += n;
  }
  return pieces;
}

// The update writing piece `p` of a range.
storage::ChunkUpdate WriteOf(InodeId inode, const meta::Layout& layout, const Piece& p) {
  storage::ChunkUpdate u;
  u.chunk = ChunkId{inode, p.index};
  u.kind = storage::UpdateKind::kWrite;
  u.chunk_size_bytes = layout.chunk_size_bytes;
  u.offset = p.offset;
  u.length = static_cast<uint32_t>(p.length);
  return u;
}

}  // namespace

Result<ChainId> FileChunks::ChainOf(const meta::Layout& layout, uint64_t index) const {
  std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
  for (const mgmtd::ChainTable& t : routing->chain_tables) {
    if (t.id != layout.chain_table) continue;
    ASSIGN_OR_RETURN(std::vector<uint32_t> positions,
                     meta::FileChains(layout, static_cast<uint32_t>(t.chains.size())));
    return t.chains[meta::ChainOfChunk(positions, index)];
  }
  return Unavailable(fmt::format("chain table {} is not in routing version {}", layout.chain_table,
                                 routing->version));
}

Result<std::vector<ChainId>> FileChunks::ChainsOf(const meta::Layout& layout) const {
  std::set<ChainId> chains;
  for (uint64_t i = 0; i < layout.stripe; ++i) {
    ASSIGN_OR_RETURN(ChainId chain, ChainOf(layout, i));
    chains.insert(chain);
  }
  return std::vector<ChainId>(chains.begin(), chains.end());
}

Task<Status> FileChunks::Read(InodeId inode, meta::Layout layout, uint64_t offset,
                              std::span<char> out) {
  std::vector<ReadItem> items;
  for (const Piece& p : Split(layout, offset, out.size())) {
    CO_ASSIGN_OR_RETURN(ChainId chain, ChainOf(layout, p.index));
    ReadItem item;
    item.chain = chain;
    item.chunk = ChunkId{inode, p.index};
    item.offset = p.offset;
    item.out = out.subspan(p.at, p.length);
    items.push_back(std::move(item));
  }
  CO_RETURN_IF_ERROR(co_await storage_.ReadBatch(&items));
  for (ReadItem& item : items) {
    if (!item.result.ok()) co_return item.result.status();
    std::memset(item.out.data() + *item.result, 0, item.out.size() - *item.result);
  }
  co_return Status();
}

Task<Status> FileChunks::WriteChunk(ChainId chain, storage::ChunkUpdate update,
                                    std::span<const char> data) {
  co_return (co_await storage_.Update(chain, update, data)).status();
}

Task<Status> FileChunks::Write(InodeId inode, meta::Layout layout, uint64_t offset,
                               std::span<const char> data) {
  std::vector<Task<Status>> writes;
  for (const Piece& p : Split(layout, offset, data.size())) {
    CO_ASSIGN_OR_RETURN(ChainId chain, ChainOf(layout, p.index));
    writes.push_back(WriteChunk(chain, WriteOf(inode, layout, p), data.subspan(p.at, p.length)));
  }
  co_return FirstError(co_await AllOf(std::move(writes)));
}

Task<Status> FileChunks::RemoveFrom(ChainId chain, InodeId inode, uint64_t begin, uint64_t end) {
  co_return (co_await storage_.RemoveChunks(chain, inode, begin, end)).status();
}

Task<Status> FileChunks::Truncate(InodeId inode, meta::Layout layout, uint64_t size) {
  uint64_t cs = layout.chunk_size_bytes;
  uint64_t first_removed = size / cs;
  if (size % cs != 0) {
    CO_ASSIGN_OR_RETURN(ChainId chain, ChainOf(layout, size / cs));
    storage::ChunkUpdate u;
    u.chunk = ChunkId{inode, size / cs};
    u.kind = storage::UpdateKind::kTruncate;
    u.chunk_size_bytes = layout.chunk_size_bytes;
    u.length = static_cast<uint32_t>(size % cs);
    std::span<const char> none;
    CO_RETURN_IF_ERROR(co_await WriteChunk(chain, u, none));
    ++first_removed;
  }
  CO_ASSIGN_OR_RETURN(std::vector<ChainId> chains, ChainsOf(layout));
  std::vector<Task<Status>> removals;
  for (ChainId chain : chains)
    removals.push_back(RemoveFrom(chain, inode, first_removed, UINT64_MAX));
  co_return FirstError(co_await AllOf(std::move(removals)));
}

Task<Status> FileChunks::Zero(InodeId inode, meta::Layout layout, uint64_t offset,
                              uint64_t length) {
  std::vector<Task<Status>> changes;
  // Sized before any task holds a view of it.
  std::string zeros(std::min<uint64_t>(length, layout.chunk_size_bytes), '\0');
  for (const Piece& p : Split(layout, offset, length)) {
    CO_ASSIGN_OR_RETURN(ChainId chain, ChainOf(layout, p.index));
    if (p.length == layout.chunk_size_bytes) {
      changes.push_back(RemoveFrom(chain, inode, p.index, p.index + 1));
      continue;
    }
    std::span<const char> none(zeros.data(), p.length);
    changes.push_back(WriteChunk(chain, WriteOf(inode, layout, p), none));
  }
  co_return FirstError(co_await AllOf(std::move(changes)));
}

}  // namespace chainfs::client
