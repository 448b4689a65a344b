#include "storage/service/storage_handler.h"

#include <fmt/format.h>

#include "common/buffer_pool.h"

namespace chainfs::storage {

Task<Result<WriteRsp>> StorageHandler::Write(WriteReq req, rpc::CallContext& ctx) {
  co_return co_await replicator_.Write(std::move(req), ctx.request_bulk);
}

Task<Result<ForwardRsp>> StorageHandler::Forward(ForwardReq req, rpc::CallContext& ctx) {
  co_return co_await replicator_.Forward(std::move(req), ctx.request_bulk);
}

Task<Result<ReadRsp>> StorageHandler::Read(ReadReq req, rpc::CallContext& ctx) {
  if (req.length > kMaxReadBytes) {
    co_return InvalidArgument(
        fmt::format("read of {} bytes; at most {}", req.length, kMaxReadBytes));
  }
  ctx.response_bulk = BufferPool::Default().Get(req.length);
  size_t n = 0;
  Result<ReadRsp> rsp = co_await replicator_.Read(std::move(req), ctx.response_bulk.span(), n);
  ctx.response_bulk_len = rsp.ok() ? n : 0;
  co_return rsp;
}

Task<Result<CommittedRsp>> StorageHandler::Committed(CommittedReq req, rpc::CallContext&) {
  co_return co_await replicator_.Committed(std::move(req));
}

Task<Result<ListChunksRsp>> StorageHandler::ListChunks(ListChunksReq req, rpc::CallContext&) {
  co_return co_await replicator_.ListChunks(std::move(req));
}

Task<Result<Empty>> StorageHandler::SyncDone(SyncDoneReq req, rpc::CallContext&) {
  co_return co_await replicator_.SyncDone(std::move(req));
}

Task<Result<LastChunkRsp>> StorageHandler::LastChunk(LastChunkReq req, rpc::CallContext&) {
  co_return co_await replicator_.LastChunk(std::move(req));
}

Task<Result<RemoveChunksRsp>> StorageHandler::RemoveChunks(RemoveChunksReq req, rpc::CallContext&) {
  co_return co_await replicator_.RemoveChunks(std::move(req));
}

}  // namespace chainfs::storage
