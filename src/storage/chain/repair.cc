// Checksum errors: the Replicator's repair from another replica, and the scrubber.
#include <fmt/format.h>

#include "common/buffer_pool.h"
#include "common/crc32c.h"
#include "common/logging.h"
#include "storage/chain/replicator.h"
#include "storage/service/storage_service.h"

namespace chainfs::storage {

Task<Status> Replicator::Repair(TargetId target, ChunkId chunk) {
  CO_ASSIGN_OR_RETURN(Position pos, LocateTarget(target));
  CO_ASSIGN_OR_RETURN(auto guard, co_await pos.local->locks.Lock(chunk));
  co_return co_await RepairLocked(pos, chunk);
}

Task<Result<std::string>> Replicator::FetchFromPeer(const Position& pos, ChunkId chunk,
                                                    uint64_t version, uint32_t chunk_size) {
  Status last = Unavailable(fmt::format("chunk {}: no other serving replica to fetch from", chunk));
  for (const mgmtd::ChainTarget& peer : pos.chain.targets) {
    if (peer.target == pos.local->id || peer.state != mgmtd::PublicState::kServing) continue;
    if (stopped_) co_return Unavailable("this storage server is stopping");
    Result<Address> address = pos.routing->AddressOf(peer.target);
    if (!address.ok()) continue;
    ReadReq req;
    req.ref = ChainRef{pos.chain.id, pos.chain.version, peer.target};
    req.chunk = chunk;
    req.length = chunk_size;
    req.version = version;
    std::string bytes(chunk_size, '\0');
    size_t got = 0;
    rpc::CallOptions options{.response_bulk = bytes, .response_bulk_len = &got};
    StorageService::Client client(rpc::Channel{&pool_, *address});
    Result<ReadRsp> rsp = co_await client.Read(std::move(req), options);
    if (!rsp.ok()) {
      last = rsp.status();
      continue;
    }
    bytes.resize(got);
    if (rsp->version != version || Crc32c(bytes) != rsp->bulk_crc) {
      last = Unavailable(fmt::format("chunk {}: target {} has version {}, not {}", chunk,
                                     peer.target, rsp->version, version));
      continue;
    }
    LOG_WARN("target {}: chunk {} version {} fetched from target {}", pos.local->id, chunk, version,
             peer.target);
    co_return bytes;
  }
  co_return last;
}

Task<Status> Replicator::RepairLocked(const Position& pos, ChunkId chunk) {
  const ChunkRecord* rec = pos.local->engine->Find(chunk);
  if (rec == nullptr || rec->pending) {
    co_return Unavailable(fmt::format("chunk {}: nothing committed to repair", chunk));
  }
  ChunkVersion mine = rec->committed;
  uint32_t chunk_size = rec->chunk_size_bytes;
  uint64_t chain_version = rec->chain_version;
  CO_ASSIGN_OR_RETURN(std::string bytes,
                      co_await FetchFromPeer(pos, chunk, mine.version, chunk_size));
  ChunkUpdate u;
  u.chunk = chunk;
  u.kind = UpdateKind::kReplace;
  u.chunk_size_bytes = chunk_size;
  u.length = static_cast<uint32_t>(bytes.size());
  u.version = mine.version;
  u.chain_version = chain_version;
  u.tag = mine.tag;
  CO_RETURN_IF_ERROR(
      NoteDiskError(*pos.local, (co_await pos.local->engine->Store(u, bytes, true)).status()));
  ++repairs_;
  co_return Status();
}

Task<Status> Replicator::AdoptFromPeer(const Position& pos, const ChunkUpdate& u) {
  CO_ASSIGN_OR_RETURN(std::string bytes,
                      co_await FetchFromPeer(pos, u.chunk, u.version, u.chunk_size_bytes));
  ChunkUpdate whole = u;
  whole.kind = UpdateKind::kReplace;
  whole.offset = 0;
  whole.length = static_cast<uint32_t>(bytes.size());
  CO_RETURN_IF_ERROR(
      NoteDiskError(*pos.local, (co_await pos.local->engine->Store(whole, bytes, false)).status()));
  ++repairs_;
  co_return Status();
}

Task<Replicator::ScrubStep> Replicator::Scrub(TargetId target, std::optional<ChunkId> after,
                                              uint64_t max_bytes) {
  // Records with no bytes cost no read: at most this many are passed over in one step.
  constexpr size_t kMaxVisits = 4096;
  LocalTarget* t = this->target(target);
  if (t == nullptr || t->out()) co_return ScrubStep{};
  std::vector<ChunkId> batch;
  uint64_t planned = 0;
  const auto& records = t->engine->records();
  auto it = after ? records.upper_bound(*after) : records.begin();
  for (; it != records.end() && planned < max_bytes && batch.size() < kMaxVisits; ++it) {
    const ChunkVersion& v = it->second.committed;
    batch.push_back(it->first);
    planned += v.removed ? 0 : v.length;
  }
  ScrubStep step;
  if (it != records.end() && !batch.empty()) step.next = batch.back();
  PooledBuffer buffer;  // never zero-filled, and the same one for the whole step
  for (ChunkId chunk : batch) {
    const ChunkRecord* rec = t->engine->Find(chunk);
    if (rec == nullptr || rec->committed.removed || rec->committed.length == 0) continue;
    uint32_t length = rec->committed.length;
    if (buffer.capacity() < length) buffer = BufferPool::Default().Get(length);
    step.bytes += length;
    Result<size_t> n = co_await t->engine->Read(chunk, false, 0, buffer.first(length));
    if (n.ok() || n.status().code() != StatusCode::kCorruption) continue;
    LOG_WARN("target {}: scrub: {}", target, n.status().ToString());
    Status repaired = co_await Repair(target, chunk);
    if (!repaired.ok())
      LOG_WARN("target {}: chunk {} not repaired: {}", target, chunk, repaired.ToString());
  }
  co_return step;
}

}  // namespace chainfs::storage
