#pragma once

#include <span>
#include <vector>

#include "client/chunk_io.h"
#include "client/storage_client.h"
#include "meta/schema/records.h"

namespace chainfs::client {

// A file's bytes as chunks on chains: where each chunk lives (computed here from the file's
// layout and the routing's chain table; the metadata servers are never asked), and reads,
// writes, truncation and zeroing of byte ranges, split per chunk and run on all their chains
// at once. Belongs to the storage client's thread.
class FileChunks : public ChunkReader, public ChunkWriter {
 public:
  FileChunks(StorageClient& storage, mgmtd::RoutingFollower& routing)
      : storage_(storage), routing_(routing) {}

  // The chain holding chunk `index`. kUnavailable when the routing lacks the file's table.
  Result<ChainId> ChainOf(const meta::Layout& layout, uint64_t index) const;
  // Every chain the file's chunks may be on, each once.
  Result<std::vector<ChainId>> ChainsOf(const meta::Layout& layout) const;

  // Fills `out` with the bytes at `offset`; where no chunk or a short chunk holds them, zeros.
  Task<Status> Read(InodeId inode, meta::Layout layout, uint64_t offset,
                    std::span<char> out) override;
  Task<Status> Write(InodeId inode, meta::Layout layout, uint64_t offset,
                     std::span<const char> data) override;
  // Drops every byte at or past `size`: the chunk holding it is cut, later ones removed.
  Task<Status> Truncate(InodeId inode, meta::Layout layout, uint64_t size);
  // Makes [offset, offset + length) read as zeros, removing the chunks it covers whole.
  Task<Status> Zero(InodeId inode, meta::Layout layout, uint64_t offset, uint64_t length);

 private:
  Task<Status> WriteChunk(ChainId chain, storage::ChunkUpdate update, std::span<const char> data);
  Task<Status> RemoveFrom(ChainId chain, InodeId inode, uint64_t begin, uint64_t end);

  StorageClient& storage_;
  mgmtd::RoutingFollower& routing_;
};

}  // namespace chainfs::client
