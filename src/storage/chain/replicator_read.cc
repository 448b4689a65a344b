// The read side of the Replicator, and chain sync.
#include <fmt/format.h>

#include <set>

#include "common/crc32c.h"
#include "common/logging.h"
#include "storage/chain/replicator.h"
#include "storage/service/storage_service.h"

namespace chainfs::storage {
namespace {

using mgmtd::PublicState;

Status Stale(std::string message) { return Status(StatusCode::kStaleRouting, std::move(message)); }

ChunkSummary Summarize(ChunkId id, const ChunkRecord& rec) {
  const ChunkVersion& v = rec.committed;
  return ChunkSummary{id, v.version, v.length, v.block_crcs, rec.pending.has_value()};
}

bool Exists(const ChunkVersion& v) { return v.version > 0 && !v.removed; }

}  // namespace

Task<Result<ReadRsp>> Replicator::Read(ReadReq req, std::span<char> out, size_t& n) {
  n = 0;
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  if (pos.state != PublicState::kServing) {
    co_return Stale(
        fmt::format("target {} is not serving in chain {}", req.ref.target, req.ref.chain));
  }
  if (req.length > out.size()) {
    co_return InvalidArgument(fmt::format("read of {} bytes, at most {}", req.length, out.size()));
  }
  ChunkEngine& engine = *pos.local->engine;
  bool for_peer = req.version != 0;
  if (!for_peer) CO_RETURN_IF_ERROR(co_await AwaitStoreInFlight(pos, req.chunk));
  bool use_pending = false;
  if (const ChunkRecord* rec = engine.Find(req.chunk);
      !for_peer && rec != nullptr && rec->pending) {
    CO_ASSIGN_OR_RETURN(uint64_t committed, co_await CommittedAtTail(pos, req.chunk));
    // Decided with no suspension before the read starts, so the version cannot move under it.
    rec = engine.Find(req.chunk);
    use_pending = rec != nullptr && rec->pending && rec->pending->version == committed;
  }
  ReadRsp rsp;
  if (const ChunkRecord* rec = engine.Find(req.chunk); rec != nullptr) {
    const ChunkVersion& v = use_pending ? *rec->pending : rec->committed;
    rsp.version = v.version;
    rsp.chunk_length = v.removed ? 0 : v.length;
  }
  Result<size_t> read =
      co_await engine.Read(req.chunk, use_pending, req.offset, out.first(req.length));
  if (!read.ok() && read.status().code() == StatusCode::kCorruption && !use_pending && !for_peer) {
    // Serve the bytes another replica has, and keep them.
    LOG_WARN("target {}: {}", req.ref.target, read.status().ToString());
    if ((co_await Repair(req.ref.target, req.chunk)).ok()) {
      read = co_await engine.Read(req.chunk, false, req.offset, out.first(req.length));
    }
  }
  if (!read.ok()) co_return NoteDiskError(*pos.local, read.status());
  n = *read;
  rsp.bulk_crc = Crc32c(out.first(n));
  co_return rsp;
}

Task<Status> Replicator::AwaitStoreInFlight(const Position& pos, ChunkId chunk) {
  const ChunkRecord* rec = pos.local->engine->Find(chunk);
  if (!pos.local->locks.held(chunk) || (rec != nullptr && rec->pending)) co_return Status();
  // The lock is held and no pending version is here yet: an update may be being stored here
  // while it goes on down the chain, where the tail may have committed it already. Until it is
  // stored, this replica's committed version may be the one before. The update holds the lock
  // until its successor acknowledges it; the read goes on once it is released.
  CO_ASSIGN_OR_RETURN(auto guard, co_await pos.local->locks.Lock(chunk));
  if (pos.local->out()) {
    co_return Unavailable(fmt::format("target {} left its chain", pos.local->id));
  }
  co_return Status();
}

Task<Result<uint64_t>> Replicator::CommittedAtTail(const Position& pos, ChunkId chunk) {
  std::optional<TargetId> tail = mgmtd::ServingTail(pos.chain);
  if (!tail) co_return Stale(fmt::format("chain {} has no serving target", pos.chain.id));
  if (*tail == pos.local->id) co_return co_await CommittedHere(pos, chunk);
  if (stopped_) co_return Unavailable("this storage server is stopping");
  CO_ASSIGN_OR_RETURN(Address address, pos.routing->AddressOf(*tail));
  StorageService::Client client(rpc::Channel{&pool_, address});
  CommittedReq req;
  req.ref = ChainRef{pos.chain.id, pos.chain.version, *tail};
  req.chunk = chunk;
  CO_ASSIGN_OR_RETURN(CommittedRsp rsp, co_await client.Committed(std::move(req)));
  co_return rsp.version;
}

Task<Result<uint64_t>> Replicator::CommittedHere(const Position& pos, ChunkId chunk) {
  ChunkEngine& engine = *pos.local->engine;
  const ChunkRecord* rec = engine.Find(chunk);
  if (rec != nullptr && rec->pending) {
    CO_ASSIGN_OR_RETURN(auto guard, co_await pos.local->locks.Lock(chunk));
    CO_RETURN_IF_ERROR(co_await Resolve(pos, chunk));
    rec = engine.Find(chunk);
  }
  co_return rec == nullptr ? uint64_t{0} : rec->committed.version;
}

Task<Result<CommittedRsp>> Replicator::Committed(CommittedReq req) {
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  if (mgmtd::ServingTail(pos.chain) != req.ref.target) {
    co_return Stale(fmt::format("target {} is not the serving tail of chain {}", req.ref.target,
                                req.ref.chain));
  }
  CO_ASSIGN_OR_RETURN(uint64_t version, co_await CommittedHere(pos, req.chunk));
  co_return CommittedRsp{version};
}

Task<Result<ListChunksRsp>> Replicator::ListChunks(ListChunksReq req) {
  LocalTarget* t = target(req.target);
  if (t == nullptr)
    co_return Stale(fmt::format("target {} is not on this storage server", req.target));
  const auto& records = t->engine->records();
  auto it = req.from_start ? records.begin() : records.upper_bound(req.after);
  uint32_t limit = std::clamp<uint32_t>(req.limit, 1, 4096);
  ListChunksRsp rsp;
  for (; it != records.end() && rsp.chunks.size() < limit; ++it) {
    rsp.chunks.push_back(Summarize(it->first, it->second));
  }
  rsp.more = it != records.end();
  co_return rsp;
}

Task<Result<Empty>> Replicator::SyncDone(SyncDoneReq req) {
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  if (pos.state != PublicState::kSyncing) {
    co_return Stale(
        fmt::format("target {} is not syncing in chain {}", req.ref.target, req.ref.chain));
  }
  pos.local->synced_chain_version = req.ref.chain_version;
  co_return Empty{};
}

Task<Result<LastChunkRsp>> Replicator::LastChunk(LastChunkReq req) {
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  if (mgmtd::ServingTail(pos.chain) != req.ref.target) {
    co_return Stale(fmt::format("target {} is not the serving tail of chain {}", req.ref.target,
                                req.ref.chain));
  }
  LastChunkRsp rsp;
  if (auto last = pos.local->engine->LastChunk(req.inode)) {
    rsp.found = true;
    rsp.index = last->first.index;
    rsp.length = last->second.committed.length;
  }
  co_return rsp;
}

mgmtd::LocalState Replicator::LocalStateOf(const LocalTarget& t) const {
  if (t.out()) return mgmtd::LocalState::kOffline;
  Result<Position> pos = LocateTarget(t.id);
  if (!pos.ok()) return mgmtd::LocalState::kOnline;
  bool synced = pos->state == PublicState::kSyncing && t.synced_chain_version == pos->chain.version;
  if (pos->state == PublicState::kServing || synced) return mgmtd::LocalState::kUpToDate;
  return mgmtd::LocalState::kOnline;
}

void Replicator::RejoinWhenRoom(uint64_t min_free_bytes) {
  for (auto& [id, t] : targets_) {
    if (!t->missed_update || t->failed) continue;
    Result<const mgmtd::Chain*> chain_of = ChainOf(id);
    if (!chain_of.ok()) continue;
    const mgmtd::Chain* chain = *chain_of;
    // Offline: dropped, to be synced back. LASTSRV: it was the chain's last serving target, and
    // the chain has nothing newer to sync it from until another target comes back.
    std::optional<PublicState> state = mgmtd::StateIn(*chain, id);
    if (state != PublicState::kOffline && state != PublicState::kLastServing) continue;
    Result<uint64_t> free = t->engine->free_bytes();
    if (!free.ok() || *free < min_free_bytes) continue;
    LOG_INFO("target {} rejoins chain {} to be synced back: its disk has {} MiB free", id,
             chain->id, *free >> 20);
    t->missed_update = false;
    t->out_reason.clear();
  }
}

std::optional<TargetId> Replicator::TargetToSyncFrom() const {
  for (const auto& [id, t] : targets_) {
    Result<Position> pos = LocateTarget(id);
    if (pos.ok() && pos->state == PublicState::kServing && pos->successor_syncing) return id;
  }
  return std::nullopt;
}

Task<Result<std::map<ChunkId, ChunkSummary>>> Replicator::FetchSummaries(const Position& pos) {
  CO_ASSIGN_OR_RETURN(Address address, pos.routing->AddressOf(*pos.successor));
  StorageService::Client client(rpc::Channel{&pool_, address});
  std::map<ChunkId, ChunkSummary> theirs;
  ListChunksReq req;
  req.target = *pos.successor;
  while (true) {
    ListChunksReq page = req;
    CO_ASSIGN_OR_RETURN(ListChunksRsp rsp, co_await client.ListChunks(std::move(page)));
    for (ChunkSummary& s : rsp.chunks) theirs[s.chunk] = std::move(s);
    if (!rsp.more || theirs.empty()) break;
    req.from_start = false;
    req.after = theirs.rbegin()->first;
  }
  co_return theirs;
}

Task<Status> Replicator::SyncSuccessor(TargetId from) {
  CO_ASSIGN_OR_RETURN(Position pos, LocateTarget(from));
  if (pos.state != PublicState::kServing || !pos.successor_syncing) co_return Status();
  CO_ASSIGN_OR_RETURN(auto theirs, co_await FetchSummaries(pos));
  std::set<ChunkId> chunks;
  for (const auto& [id, rec] : pos.local->engine->records()) chunks.insert(id);
  for (const auto& [id, summary] : theirs) chunks.insert(id);
  for (ChunkId id : chunks) {
    auto it = theirs.find(id);
    CO_RETURN_IF_ERROR(co_await SyncChunk(pos, id, it == theirs.end() ? nullptr : &it->second));
  }
  CO_ASSIGN_OR_RETURN(Address address, pos.routing->AddressOf(*pos.successor));
  StorageService::Client client(rpc::Channel{&pool_, address});
  SyncDoneReq done;
  done.ref = ChainRef{pos.chain.id, pos.chain.version, *pos.successor};
  co_return (co_await client.SyncDone(std::move(done))).status();
}

Task<Status> Replicator::SyncChunk(const Position& pos, ChunkId chunk, const ChunkSummary* theirs) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await pos.local->locks.Lock(chunk));
  // A leftover pending version goes to the successor as part of completing it.
  CO_RETURN_IF_ERROR(co_await Resolve(pos, chunk));
  const ChunkRecord* rec = pos.local->engine->Find(chunk);
  bool mine = rec != nullptr && Exists(rec->committed);
  // A pending version on the syncing replica is left from another position in the chain: no
  // replica before it may have it, so it must go, with everything else that differs.
  if (mine && theirs != nullptr && Summarize(chunk, *rec) == *theirs) co_return Status();
  if (!mine && theirs == nullptr) co_return Status();
  CO_ASSIGN_OR_RETURN(auto whole, co_await WholeChunk(*pos.local, chunk, /*pending=*/false));
  co_return co_await SendForward(pos, *pos.successor, whole.first, whole.second, true);
}

}  // namespace chainfs::storage
