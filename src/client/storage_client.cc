#include "client/storage_client.h"

#include <fmt/format.h>

#include <algorithm>

#include "client/replica_order.h"
#include "common/crc32c.h"
#include "storage/service/storage_service.h"

namespace chainfs::client {
namespace {

using storage::StorageService;

Status NoChain(ChainId chain, uint64_t version) {
  return Status(StatusCode::kStaleRouting,
                fmt::format("chain {} is not in routing version {}", chain, version));
}

// Where updates of `chain_id` go: its head, with the chain version to route by.
Result<std::pair<storage::ChainRef, Address>> HeadOf(const mgmtd::RoutingInfo& routing,
                                                     ChainId chain_id) {
  const mgmtd::Chain* chain = routing.FindChain(chain_id);
  if (chain == nullptr) return NoChain(chain_id, routing.version);
  std::vector<TargetId> path = mgmtd::WritePath(*chain);
  if (path.empty()) return Unavailable(fmt::format("chain {} has no serving replica", chain_id));
  ASSIGN_OR_RETURN(Address address, routing.AddressOf(path.front()));
  return std::pair(storage::ChainRef{chain_id, chain->version, path.front()}, address);
}

}  // namespace

bool RetryableStorageError(StatusCode code) {
  switch (code) {
    case StatusCode::kStaleRouting:
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kBusy:
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
      return true;
    default:
      return false;
  }
}

StorageClient::StorageClient(Runtime& rt, rpc::ClientPool& pool, mgmtd::RoutingFollower& routing,
                             StorageClientOptions options)
    : rt_(rt), pool_(pool), routing_(routing), options_(options) {}

Task<void> StorageClient::Backoff(const Status& why, uint64_t routing_version) {
  if (why.code() == StatusCode::kStaleRouting || why.code() == StatusCode::kUnavailable) {
    co_await routing_.WaitNewer(routing_version, rt_.clock().Now() + options_.routing_wait);
  } else {
    co_await rt_.clock().Sleep(options_.pause);
  }
}

Task<Result<storage::WriteRsp>> StorageClient::Update(ChainId chain, storage::ChunkUpdate update,
                                                      std::span<const char> data) {
  update.tag = storage::UpdateTag{options_.client_id, ++seq_};
  Status last = Unavailable("no attempt made");
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
    Result<storage::WriteRsp> rsp = co_await TryUpdate(*routing, chain, update, data);
    if (rsp.ok() || !RetryableStorageError(rsp.status().code())) co_return rsp;
    last = rsp.status();
    co_await Backoff(last, routing->version);
  }
  co_return Status(last.code(),
                   fmt::format("chunk {} on chain {}: gave up after {} attempts: {}", update.chunk,
                               chain, options_.max_attempts, last.message()));
}

Task<Result<storage::WriteRsp>> StorageClient::TryUpdate(const mgmtd::RoutingInfo& routing,
                                                         ChainId chain_id,
                                                         storage::ChunkUpdate update,
                                                         std::span<const char> data) {
  CO_ASSIGN_OR_RETURN(auto head, HeadOf(routing, chain_id));
  storage::WriteReq req;
  req.ref = head.first;
  req.update = std::move(update);
  rpc::CallOptions options;
  options.request_bulk = data;
  StorageService::Client client(rpc::Channel{&pool_, head.second});
  co_return co_await client.Write(std::move(req), options);
}

Task<Result<size_t>> StorageClient::Read(ChainId chain_id, ChunkId chunk, uint32_t offset,
                                         std::span<char> out, uint64_t* version) {
  Status last = Unavailable("no attempt made");
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
    const mgmtd::Chain* chain = routing->FindChain(chain_id);
    std::vector<TargetId> serving;
    if (chain != nullptr) serving = ReplicaOrder(*chain, chunk, attempt, reads_in_flight_);
    last = chain == nullptr ? NoChain(chain_id, routing->version)
                            : Unavailable(fmt::format("chain {} has no serving replica", chain_id));
    for (TargetId from : serving) {
      Result<size_t> n = co_await TryRead(*routing, *chain, from, chunk, offset, out, version);
      if (n.ok() || !RetryableStorageError(n.status().code())) co_return n;
      last = n.status();
    }
    co_await Backoff(last, routing->version);
  }
  co_return last;
}

Task<Result<size_t>> StorageClient::TryRead(const mgmtd::RoutingInfo& routing,
                                            const mgmtd::Chain& chain, TargetId from, ChunkId chunk,
                                            uint32_t offset, std::span<char> out,
                                            uint64_t* version) {
  CO_ASSIGN_OR_RETURN(Address address, routing.AddressOf(from));
  storage::ReadReq req;
  req.ref = storage::ChainRef{chain.id, chain.version, from};
  req.chunk = chunk;
  req.offset = offset;
  req.length = static_cast<uint32_t>(out.size());
  size_t got = 0;
  rpc::CallOptions options{.response_bulk = out, .response_bulk_len = &got};
  StorageService::Client client(rpc::Channel{&pool_, address});
  ++reads_in_flight_[from];
  Result<storage::ReadRsp> rsp = co_await client.Read(std::move(req), options);
  --reads_in_flight_[from];
  if (!rsp.ok()) co_return rsp.status();
  if (Crc32c(out.first(got)) != rsp->bulk_crc) {
    co_return Corruption(
        fmt::format("chunk {} from target {}: bytes fail their checksum", chunk, from));
  }
  if (version != nullptr) *version = rsp->version;
  co_return got;
}

Task<Result<storage::LastChunkRsp>> StorageClient::LastChunk(ChainId chain_id, InodeId inode) {
  Status last = Unavailable("no attempt made");
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
    const mgmtd::Chain* chain = routing->FindChain(chain_id);
    std::optional<TargetId> tail = chain ? mgmtd::ServingTail(*chain) : std::nullopt;
    if (tail) {
      CO_ASSIGN_OR_RETURN(Address address, routing->AddressOf(*tail));
      storage::LastChunkReq req;
      req.ref = storage::ChainRef{chain_id, chain->version, *tail};
      req.inode = inode;
      StorageService::Client client(rpc::Channel{&pool_, address});
      Result<storage::LastChunkRsp> rsp = co_await client.LastChunk(std::move(req));
      if (rsp.ok() || !RetryableStorageError(rsp.status().code())) co_return rsp;
      last = rsp.status();
    } else {
      last = Unavailable(fmt::format("chain {} has no serving replica", chain_id));
    }
    co_await Backoff(last, routing->version);
  }
  co_return last;
}

Task<Result<storage::RemoveChunksRsp>> StorageClient::TryRemove(const mgmtd::RoutingInfo& routing,
                                                                ChainId chain_id,
                                                                storage::RemoveChunksReq req) {
  CO_ASSIGN_OR_RETURN(auto head, HeadOf(routing, chain_id));
  req.ref = head.first;
  StorageService::Client client(rpc::Channel{&pool_, head.second});
  co_return co_await client.RemoveChunks(std::move(req));
}

Task<Result<uint64_t>> StorageClient::RemoveChunks(ChainId chain, InodeId inode,
                                                   uint64_t begin_index, uint64_t end_index) {
  storage::RemoveChunksReq req;
  req.inode = inode;
  req.begin_index = begin_index;
  req.end_index = end_index;
  co_return co_await RemoveUntilDone(chain, std::move(req));
}

Task<Result<uint64_t>> StorageClient::RemoveFiles(ChainId chain, std::vector<InodeId> inodes) {
  storage::RemoveChunksReq req;
  req.end_index = 0;  // no range: only the whole files
  req.whole_files = std::move(inodes);
  co_return co_await RemoveUntilDone(chain, std::move(req));
}

Task<Result<uint64_t>> StorageClient::RemoveUntilDone(ChainId chain, storage::RemoveChunksReq req) {
  req.client = options_.client_id;
  uint64_t removed = 0;
  Status last = Unavailable("no attempt made");
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
    Result<storage::RemoveChunksRsp> rsp = co_await TryRemove(*routing, chain, req);
    if (rsp.ok()) {
      removed += rsp->removed;
      if (!rsp->more) co_return removed;
      attempt = -1;  // progress: a fresh budget for the next batch
      continue;
    }
    if (!RetryableStorageError(rsp.status().code())) co_return rsp.status();
    last = rsp.status();
    co_await Backoff(last, routing->version);
  }
  co_return last;
}

}  // namespace chainfs::client
