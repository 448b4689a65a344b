#pragma once

#include "client/storage_client.h"
#include "meta/gc/chunk_remover.h"

namespace chainfs::meta {

// Removes a file's chunks through the storage client: every chain of the file's chain table is
// asked to drop the inode's chunks (a file's chains are a subset of its table; asking them all
// stays right however the table grew since the file was made), all at once.
class StorageChunkRemover : public ChunkRemover {
 public:
  StorageChunkRemover(client::StorageClient& storage, mgmtd::RoutingFollower& routing)
      : storage_(storage), routing_(routing) {}
  Task<Status> RemoveChunks(InodeId inode, const Layout& layout, uint64_t length) override;

 private:
  Task<Status> RemoveFrom(ChainId chain, InodeId inode);

  client::StorageClient& storage_;
  mgmtd::RoutingFollower& routing_;
};

}  // namespace chainfs::meta
