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

// One read of a batch, and what became of it.
struct ReadItem {
  ChainId chain;
  ChunkId chunk;
  uint32_t offset = 0;
  std::span<char> out;
  Result<size_t> result = Status(StatusCode::kUnavailable, "not read yet");
  uint64_t version = 0;
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
  // Reads every item, with one BatchRead call per storage server and round; items that fail
  // with a retryable error go again (to another replica) in the next round. Each item's
  // `result` says how it ended; the call itself fails only for a bad batch.
  Task<Status> ReadBatch(std::vector<ReadItem>* items);
  // Removes the chunks of `inode` on `chain` with begin_index <= index < end_index; returns
  // how many there were.
  Task<Result<uint64_t>> RemoveChunks(ChainId chain, InodeId inode, uint64_t begin_index,
                                      uint64_t end_index);
  // Removes every chunk of each of `inodes` on `chain` (at most
  // storage::kMaxWholeFilesPerRemoval); returns how many there were.
  Task<Result<uint64_t>> RemoveFiles(ChainId chain, std::vector<InodeId> inodes);

 private:
  Task<Result<storage::WriteRsp>> TryUpdate(const mgmtd::RoutingInfo& routing, ChainId chain,
                                            storage::ChunkUpdate update,
                                            std::span<const char> data);
  Task<Result<size_t>> TryRead(const mgmtd::RoutingInfo& routing, const mgmtd::Chain& chain,
                               TargetId from, ChunkId chunk, uint32_t offset, std::span<char> out,
                               uint64_t* version);
  Task<Result<storage::RemoveChunksRsp>> TryRemove(const mgmtd::RoutingInfo& routing, ChainId chain,
                                                   storage::RemoveChunksReq req);
  // Sends `req` to the chain's head until it answers that nothing is left, retrying failures.
  Task<Result<uint64_t>> RemoveUntilDone(ChainId chain, storage::RemoveChunksReq req);
  // One round of ReadBatch: the items in `pending`, grouped by the replica chosen for each.
  // Returns the items still pending (retryable failures) and the last such failure.
  Task<std::vector<size_t>> BatchRound(const mgmtd::RoutingInfo& routing,
                                       std::vector<ReadItem>* items, std::vector<size_t> pending,
                                       int attempt, Status* last);
  Task<void> SendBatch(const mgmtd::RoutingInfo& routing, std::vector<ReadItem>* items,
                       const std::vector<std::pair<size_t, storage::ChainRef>>& group,
                       std::vector<size_t>* retry, Status* last);
  // Counts the calls of one round still in flight.
  struct Calls;
  Task<void> SendCounted(std::shared_ptr<Calls> calls, const mgmtd::RoutingInfo* routing,
                         std::vector<ReadItem>* items,
                         std::vector<std::pair<size_t, storage::ChainRef>> group,
                         std::vector<size_t>* retry, Status* last);
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
