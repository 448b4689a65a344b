#pragma once

#include <map>

#include "client/storage_client.h"
#include "meta/gc/chunk_remover.h"

namespace chainfs::meta {

// Removes files' chunks through the storage client: every chain of a file's chain table is
// asked to drop the inode's chunks (a file's chains are a subset of its table; asking them all
// stays right however the table grew since the file was made). The files of one table go to
// each of its chains in one call, and the chains are asked all at once: a pass of small files
// costs one call per chain, not one per file and chain.
class StorageChunkRemover : public ChunkRemover {
 public:
  StorageChunkRemover(client::StorageClient& storage, mgmtd::RoutingFollower& routing)
      : storage_(storage), routing_(routing) {}
  Task<std::vector<Status>> RemoveChunks(const std::vector<DoomedFile>& files) override;

 private:
  // The status of removing `inodes` from every chain of `table`.
  Task<Status> RemoveFromTable(uint32_t table, std::vector<InodeId> inodes);
  Task<Status> RemoveFrom(ChainId chain, std::vector<InodeId> inodes);

  client::StorageClient& storage_;
  mgmtd::RoutingFollower& routing_;
};

}  // namespace chainfs::meta
