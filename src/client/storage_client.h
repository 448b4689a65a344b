#pragma once

#include <map>
#include <span>

#include "mgmtd/routing_follower.h"
#include "rpc/client.h"
#include "storage/service/storage_messages.h"

namespace chainfs::client {

struct StorageClientOptions {
  // Names this client in update tags; must not be 0.
  uint64_t client_id = 1;
  // Attempts per operation, each after a routing change or a short pause.
  int max_attempts = 60;
  // How long to wait for newer routing after a routing error.
  Nanos routing_wait{1'000'000'000};
  Nanos pause{50'000'000};
};

// Reads and writes chunks on the chains the routing info describes: updates go to the head
// (retried with the same tag after a routing change, so a retry completes rather than repeats
// an update); reads go to the serving replica with the fewest reads in flight from this client,
// then the others, and their bytes are checked against the CRC32C the replica sent. Belongs to
// the thread of `rt`.
class StorageClient {
 public:
  StorageClient(Runtime& rt, rpc::ClientPool& pool, mgmtd::RoutingFollower& routing,
                StorageClientOptions options);

  // `update.kind` is kWrite (with `data`), kTruncate or kRemove; the tag is assigned here.
  Task<Result<storage::WriteRsp>> Update(ChainId chain, storage::ChunkUpdate update,
                                         std::span<const char> data);
  // Reads up to out.size() bytes from `offset`; returns how many (fewer at the chunk's end).
  // `version`, when given, receives the version of the chunk that was read (0: none).
  Task<Result<size_t>> Read(ChainId chain, ChunkId chunk, uint32_t offset, std::span<char> out,
                            uint64_t* version = nullptr);
  Task<Result<storage::LastChunkRsp>> LastChunk(ChainId chain, InodeId inode);
  // Removes the chunks of `inode` on `chain` with begin_index <= index < end_index; returns
  // how many there were.
  Task<Result<uint64_t>> RemoveChunks(ChainId chain, InodeId inode, uint64_t begin_index,
                                      uint64_t end_index);

 private:
  Task<Result<storage::WriteRsp>> TryUpdate(const mgmtd::RoutingInfo& routing, ChainId chain,
                                            storage::ChunkUpdate update,
                                            std::span<const char> data);
  Task<Result<size_t>> TryRead(const mgmtd::RoutingInfo& routing, const mgmtd::Chain& chain,
                               TargetId from, ChunkId chunk, uint32_t offset, std::span<char> out,
                               uint64_t* version);
  Task<Result<storage::RemoveChunksRsp>> TryRemove(const mgmtd::RoutingInfo& routing, ChainId chain,
                                                   storage::RemoveChunksReq req);
  // After a failed attempt: waits for newer routing (routing errors) or pauses.
  Task<void> Backoff(const Status& why, uint64_t routing_version);

  Runtime& rt_;
  rpc::ClientPool& pool_;
  mgmtd::RoutingFollower& routing_;
  StorageClientOptions options_;
  uint64_t seq_ = 0;
  std::map<TargetId, int> reads_in_flight_;
};

// Whether a storage call that failed with `code` may succeed when tried again.
bool RetryableStorageError(StatusCode code);

}  // namespace chainfs::client
