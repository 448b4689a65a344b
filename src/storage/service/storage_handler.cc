#include "storage/service/storage_handler.h"

#include <fmt/format.h>

#include "common/buffer_pool.h"
#include "runtime/all_of.h"

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
  if (req.whole_files.size() > kMaxWholeFilesPerRemoval) {
    co_return InvalidArgument(fmt::format("removal of {} whole files; at most {}",
                                          req.whole_files.size(), kMaxWholeFilesPerRemoval));
  }
  co_return co_await replicator_.RemoveChunks(std::move(req));
}

Task<Result<BatchReadRsp>> StorageHandler::BatchRead(BatchReadReq req, rpc::CallContext& ctx) {
  if (req.reads.size() > kMaxBatchReads) {
    co_return InvalidArgument(
        fmt::format("batch of {} reads; at most {}", req.reads.size(), kMaxBatchReads));
  }
  uint64_t total = 0;
  for (const ReadReq& r : req.reads) total += r.length;
  if (total > kMaxBatchBytes) {
    co_return InvalidArgument(fmt::format("batch of {} bytes; at most {}", total, kMaxBatchBytes));
  }
  ctx.response_bulk = BufferPool::Default().Get(total);
  std::span<char> bulk = ctx.response_bulk.span();
  size_t count = req.reads.size();
  BatchReadRsp rsp;
  rsp.results.resize(count);
  rsp.lengths.resize(count);
  rsp.codes.resize(count);
  rsp.errors.resize(count);
  // All at once: the disk reads of a batch's chunks overlap instead of queueing one behind
  // the other.
  std::vector<Task<Status>> reads;
  uint64_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    uint32_t length = req.reads[i].length;
    reads.push_back(ReadItem(std::move(req.reads[i]), bulk.subspan(at, length), &rsp, i));
    at += length;
  }
  (void)co_await AllOf(std::move(reads));
  ctx.response_bulk_len = at;
  co_return rsp;
}

Task<Status> StorageHandler::ReadItem(ReadReq req, std::span<char> out, BatchReadRsp* rsp,
                                      size_t i) {
  size_t n = 0;
  Result<ReadRsp> one = co_await replicator_.Read(std::move(req), out, n);
  rsp->results[i] = one.ok() ? *one : ReadRsp{};
  rsp->lengths[i] = one.ok() ? static_cast<uint32_t>(n) : 0;
  rsp->codes[i] = static_cast<uint16_t>(one.status().code());
  rsp->errors[i] = one.ok() ? std::string() : std::string(one.status().message());
  co_return Status();
}

}  // namespace chainfs::storage
