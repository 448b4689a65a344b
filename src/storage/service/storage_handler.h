#pragma once

#include "storage/chain/replicator.h"
#include "storage/service/storage_service.h"

namespace chainfs::storage {

// The storage service over RPC: moves bulk payloads between the wire and the Replicator.
class StorageHandler : public StorageService::Handler {
 public:
  // Reads larger than this are refused.
  static constexpr uint32_t kMaxReadBytes = kMaxChunkBytes;

  explicit StorageHandler(Replicator& replicator) : replicator_(replicator) {}

  Task<Result<WriteRsp>> Write(WriteReq req, rpc::CallContext& ctx) override;
  Task<Result<ForwardRsp>> Forward(ForwardReq req, rpc::CallContext& ctx) override;
  Task<Result<ReadRsp>> Read(ReadReq req, rpc::CallContext& ctx) override;
  Task<Result<CommittedRsp>> Committed(CommittedReq req, rpc::CallContext& ctx) override;
  Task<Result<ListChunksRsp>> ListChunks(ListChunksReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> SyncDone(SyncDoneReq req, rpc::CallContext& ctx) override;
  Task<Result<LastChunkRsp>> LastChunk(LastChunkReq req, rpc::CallContext& ctx) override;
  Task<Result<RemoveChunksRsp>> RemoveChunks(RemoveChunksReq req, rpc::CallContext& ctx) override;
  Task<Result<BatchReadRsp>> BatchRead(BatchReadReq req, rpc::CallContext& ctx) override;
  // Bounds of one batch.
  static constexpr size_t kMaxBatchReads = 1024;
  static constexpr uint64_t kMaxBatchBytes = 64 << 20;

 private:
  // Item `i` of a batch: the read into `out`, its answer into rsp's i-th slots.
  Task<Status> ReadItem(ReadReq req, std::span<char> out, BatchReadRsp* rsp, size_t i);

  Replicator& replicator_;
};

}  // namespace chainfs::storage
