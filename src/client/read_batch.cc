// StorageClient::ReadBatch: many chunk reads, one call per storage server.
#include <fmt/format.h>
#include <asio/this_coro.hpp>

#include <cstring>
#include <map>

#include "client/replica_order.h"
#include "client/storage_client.h"
#include "common/crc32c.h"
#include "runtime/wait_slot.h"
#include "storage/service/storage_service.h"

namespace chainfs::client {

struct StorageClient::Calls {
  int left = 0;
  WaitSlot slot;
};

Task<void> StorageClient::SendBatch(const mgmtd::RoutingInfo& routing, std::vector<ReadItem>* items,
                                    const std::vector<std::pair<size_t, storage::ChainRef>>& group,
                                    std::vector<size_t>* retry, Status* last) {
  storage::BatchReadReq req;
  for (const auto& [i, ref] : group) {
    storage::ReadReq r;
    r.ref = ref;
    r.chunk = (*items)[i].chunk;
    r.offset = (*items)[i].offset;
    r.length = static_cast<uint32_t>((*items)[i].out.size());
    req.reads.push_back(r);
  }
  Result<Address> address = routing.AddressOf(group.front().second.target);
  // The answer's bytes go straight into each read's own memory.
  std::vector<std::span<char>> parts;
  for (const auto& [i, ref] : group) parts.push_back((*items)[i].out);
  size_t got = 0;
  Result<storage::BatchReadRsp> rsp = Status(StatusCode::kUnavailable, "not sent");
  if (!address.ok()) {
    rsp = address.status();
  } else {
    rpc::CallOptions options{.response_bulk_parts = parts, .response_bulk_len = &got};
    storage::StorageService::Client client(rpc::Channel{&pool_, *address});
    for (const auto& [i, ref] : group) ++reads_in_flight_[ref.target];
    rsp = co_await client.BatchRead(std::move(req), options);
    for (const auto& [i, ref] : group) --reads_in_flight_[ref.target];
  }
  bool whole = rsp.ok() && rsp->results.size() == group.size() &&
               rsp->lengths.size() == group.size() && rsp->codes.size() == group.size() &&
               rsp->errors.size() == group.size();
  if (rsp.ok() && !whole) rsp = Status(StatusCode::kProtocolError, "batch answer does not match");
  uint64_t at = 0;
  for (size_t k = 0; k < group.size(); ++k) {
    ReadItem& item = (*items)[group[k].first];
    Status st = rsp.status();
    if (st.ok() && rsp->codes[k] != 0) {
      StatusCode code = IsKnownStatusCode(rsp->codes[k]) ? static_cast<StatusCode>(rsp->codes[k])
                                                         : StatusCode::kInternal;
      st = Status(code, rsp->errors[k]);
    }
    if (st.ok()) {
      uint32_t n = rsp->lengths[k];
      if (n > item.out.size() || at + n > got) {
        st = Status(StatusCode::kProtocolError, "batch answer longer than asked for");
      } else if (Crc32c(item.out.first(n)) != rsp->results[k].bulk_crc) {
        st = Corruption(fmt::format("chunk {} from target {}: bytes fail their checksum",
                                    item.chunk, group[k].second.target));
      }
    }
    at += item.out.size();
    if (st.ok()) {
      item.result = rsp->lengths[k];
      item.version = rsp->results[k].version;
    } else if (RetryableStorageError(st.code())) {
      retry->push_back(group[k].first);
      *last = st;
    } else {
      item.result = st;
    }
  }
}

Task<std::vector<size_t>> StorageClient::BatchRound(const mgmtd::RoutingInfo& routing,
                                                    std::vector<ReadItem>* items,
                                                    std::vector<size_t> pending, int attempt,
                                                    Status* last) {
  std::map<Address, std::vector<std::pair<size_t, storage::ChainRef>>> by_server;
  std::vector<size_t> retry;
  for (size_t i : pending) {
    const mgmtd::Chain* chain = routing.FindChain((*items)[i].chain);
    std::vector<TargetId> order;
    if (chain != nullptr)
      order = ReplicaOrder(*chain, (*items)[i].chunk, attempt, reads_in_flight_);
    std::optional<TargetId> from;
    if (!order.empty()) from = order.front();
    if (!from) {
      *last = Unavailable(fmt::format("chain {} has no serving replica", (*items)[i].chain));
      retry.push_back(i);
      continue;
    }
    Result<Address> server = routing.AddressOf(*from);
    if (!server.ok()) {
      *last = server.status();
      retry.push_back(i);
      continue;
    }
    by_server[*server].emplace_back(i, storage::ChainRef{chain->id, chain->version, *from});
  }
  // One call per storage server (several when the batch passes the bound on reads per call),
  // all in flight together; this round ends when every call has answered.
  auto calls = std::make_shared<Calls>();
  for (const auto& [server, group] : by_server) {
    for (size_t first = 0; first < group.size(); first += 256) {
      std::vector<std::pair<size_t, storage::ChainRef>> part(
          group.begin() + first, group.begin() + std::min(group.size(), first + 256));
      ++calls->left;
      Spawn(co_await asio::this_coro::executor,
            SendCounted(calls, &routing, items, std::move(part), &retry, last), "batch read");
    }
  }
  while (calls->left > 0) (void)co_await calls->slot.Park();
  co_return retry;
}

Task<void> StorageClient::SendCounted(std::shared_ptr<Calls> calls,
                                      const mgmtd::RoutingInfo* routing,
                                      std::vector<ReadItem>* items,
                                      std::vector<std::pair<size_t, storage::ChainRef>> group,
                                      std::vector<size_t>* retry, Status* last) {
  co_await SendBatch(*routing, items, group, retry, last);
  if (--calls->left == 0) calls->slot.Wake(WaitSlot::WaitResult::kWoken);
}

Task<Status> StorageClient::ReadBatch(std::vector<ReadItem>* items) {
  for (const ReadItem& item : *items) {
    if (item.out.size() > (64u << 20)) {
      co_return InvalidArgument(fmt::format("a read of {} bytes in a batch", item.out.size()));
    }
  }
  std::vector<size_t> pending(items->size());
  for (size_t i = 0; i < pending.size(); ++i) pending[i] = i;
  Status last = Unavailable("no attempt made");
  for (int attempt = 0; attempt < options_.max_attempts && !pending.empty(); ++attempt) {
    std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
    pending = co_await BatchRound(*routing, items, std::move(pending), attempt, &last);
    if (!pending.empty()) co_await Backoff(last, routing->version);
  }
  for (size_t i : pending) (*items)[i].result = last;
  co_return Status();
}

}  // namespace chainfs::client
