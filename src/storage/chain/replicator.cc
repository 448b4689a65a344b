#include "storage/chain/replicator.h"

#include <fmt/format.h>
#include <asio/this_coro.hpp>

#include "common/logging.h"
#include "runtime/all_of.h"
#include "storage/service/storage_service.h"

namespace chainfs::storage {
namespace {

using mgmtd::PublicState;

Status Stale(std::string message) { return Status(StatusCode::kStaleRouting, std::move(message)); }

WriteRsp Done(const ChunkEngine& engine, ChunkId chunk) {
  const ChunkRecord* rec = engine.Find(chunk);
  if (rec == nullptr) return WriteRsp{};
  return WriteRsp{rec->committed.version, rec->committed.length};
}

// Appends the chunks of `inode` with begin <= index < end to `doomed`, while it holds fewer than
// Replicator::kMaxRemovalsPerCall.
void CollectChunks(const ChunkEngine& engine, InodeId inode, uint64_t begin, uint64_t end,
                   std::vector<ChunkId>& doomed) {
  const auto& records = engine.records();
  for (auto it = records.lower_bound(ChunkId{inode, begin});
       it != records.end() && it->first.inode == inode && it->first.index < end &&
       doomed.size() < Replicator::kMaxRemovalsPerCall;
       ++it) {
    doomed.push_back(it->first);
  }
}

}  // namespace

Replicator::Replicator(rpc::ClientPool& pool, Clock& clock) : pool_(pool), clock_(clock) {}

void Replicator::AddTarget(std::unique_ptr<LocalTarget> target) {
  TargetId id = target->id;
  targets_[id] = std::move(target);
}

void Replicator::Stop() {
  stopped_ = true;
  for (auto& [id, t] : targets_) t->engine->Close();
}

Status NoteDiskError(LocalTarget& t, Status st) {
  if (st.code() == StatusCode::kIoError && !t.failed) {
    LOG_ERROR("target {} goes offline after a disk error: {}", t.id, st.ToString());
    t.failed = true;
    t.out_reason = fmt::format("disk error, out until its server restarts: {}", st.message());
  }
  return st;
}

void NoteMissedUpdate(LocalTarget& t, const ChunkUpdate& u, const Status& st) {
  if (st.code() == StatusCode::kIoError) {
    (void)NoteDiskError(t, st);
    return;
  }
  if (t.out()) return;
  LOG_ERROR(
      "target {} leaves its chain: it could not store chunk {} version {}, which the rest "
      "of the chain may have: {}",
      t.id, u.chunk, u.version, st.ToString());
  t.missed_update = true;
  t.out_reason = fmt::format("missed chunk {} version {}: {}", u.chunk, u.version, st.message());
}

LocalTarget* Replicator::target(TargetId id) {
  auto it = targets_.find(id);
  return it == targets_.end() ? nullptr : it->second.get();
}

void Replicator::SetRouting(std::shared_ptr<const mgmtd::RoutingInfo> routing) {
  routing_ = std::move(routing);
}

Result<Replicator::Position> Replicator::Locate(const ChainRef& ref) const {
  if (!routing_) return Stale("this storage server has no routing info yet");
  if (clock_.Now() >= serving_until_) {
    return Unavailable("this storage server lost contact with the cluster manager");
  }
  const mgmtd::Chain* chain = routing_->FindChain(ref.chain);
  if (chain == nullptr) {
    return Stale(
        fmt::format("chain {} is not in routing version {}", ref.chain, routing_->version));
  }
  if (chain->version != ref.chain_version) {
    return Stale(fmt::format("chain {}: request routed by chain version {}, this replica has {}",
                             ref.chain, ref.chain_version, chain->version));
  }
  auto it = targets_.find(ref.target);
  if (it == targets_.end()) {
    return Stale(fmt::format("target {} is not on this storage server", ref.target));
  }
  if (it->second->failed) {
    return Unavailable(fmt::format("target {} failed (disk error)", ref.target));
  }
  if (it->second->missed_update) {
    return Unavailable(
        fmt::format("target {} missed an update and waits to be synced back", ref.target));
  }
  std::optional<PublicState> state = mgmtd::StateIn(*chain, ref.target);
  if (!state) return Stale(fmt::format("target {} is not in chain {}", ref.target, ref.chain));
  Position pos;
  pos.routing = routing_;
  pos.local = it->second.get();
  pos.chain = *chain;
  pos.state = *state;
  std::vector<TargetId> path = mgmtd::WritePath(*chain);
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] != ref.target) continue;
    pos.is_head = i == 0;
    if (i + 1 < path.size()) {
      pos.successor = path[i + 1];
      pos.successor_syncing = mgmtd::StateIn(*chain, path[i + 1]) == PublicState::kSyncing;
    }
  }
  return pos;
}

Result<const mgmtd::Chain*> Replicator::ChainOf(TargetId id) const {
  if (!routing_) return Stale("this storage server has no routing info yet");
  auto it = routing_->targets.find(id);
  if (it == routing_->targets.end()) {
    return Stale(fmt::format("target {} is not in routing version {}", id, routing_->version));
  }
  const mgmtd::Chain* chain = routing_->FindChain(it->second.chain);
  if (chain == nullptr) return Stale(fmt::format("target {} has no chain", id));
  return chain;
}

Result<Replicator::Position> Replicator::LocateTarget(TargetId id) const {
  ASSIGN_OR_RETURN(const mgmtd::Chain* chain, ChainOf(id));
  return Locate(ChainRef{chain->id, chain->version, id});
}

Task<Result<WriteRsp>> Replicator::Write(WriteReq req, std::span<const char> data) {
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  if (!pos.is_head || pos.state != PublicState::kServing) {
    co_return Stale(fmt::format("target {} is not the head of chain {} version {}", req.ref.target,
                                req.ref.chain, req.ref.chain_version));
  }
  if (req.update.kind == UpdateKind::kReplace) {
    co_return InvalidArgument("whole-chunk replacement is for replicas, not clients");
  }
  if (req.update.tag.client == 0) {
    co_return InvalidArgument("an update needs a client id in its tag");
  }
  co_return co_await ApplyAtHead(pos, std::move(req.update), data);
}

Task<Result<WriteRsp>> Replicator::ApplyAtHead(const Position& pos, ChunkUpdate u,
                                               std::span<const char> data) {
  CO_ASSIGN_OR_RETURN(auto guard, co_await pos.local->locks.Lock(u.chunk));
  ChunkEngine& engine = *pos.local->engine;
  const ChunkRecord* rec = engine.Find(u.chunk);
  if (rec != nullptr && rec->pending) {
    bool retry = rec->pending->tag == u.tag;
    CO_RETURN_IF_ERROR(co_await Resolve(pos, u.chunk));
    if (retry) co_return Done(engine, u.chunk);
    rec = engine.Find(u.chunk);
  }
  if (rec != nullptr && rec->committed.version > 0 && rec->committed.tag == u.tag) {
    co_return Done(engine, u.chunk);
  }
  if (rec == nullptr && u.kind == UpdateKind::kRemove) co_return WriteRsp{};
  u.version = (rec ? rec->committed.version : 0) + 1;
  u.chain_version = pos.chain.version;
  CO_RETURN_IF_ERROR(co_await StoreAndPropagate(pos, u, data));
  co_return Done(engine, u.chunk);
}

Task<Result<RemoveChunksRsp>> Replicator::RemoveChunks(RemoveChunksReq req) {
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  if (!pos.is_head || pos.state != PublicState::kServing) {
    co_return Stale(fmt::format("target {} is not the head of chain {} version {}", req.ref.target,
                                req.ref.chain, req.ref.chain_version));
  }
  if (req.client == 0) co_return InvalidArgument("a removal needs a client id");
  std::vector<ChunkId> doomed;
  CollectChunks(*pos.local->engine, req.inode, req.begin_index, req.end_index, doomed);
  for (InodeId file : req.whole_files)
    CollectChunks(*pos.local->engine, file, 0, UINT64_MAX, doomed);
  // Many at once: each replica's record changes then share the syncs of its store, where one
  // after the other each took a sync of its own (5 per chunk over a chain of three).
  RemoveChunksRsp rsp;
  for (size_t wave = 0; wave < doomed.size(); wave += kRemovalsInFlight) {
    std::vector<Task<Status>> removals;
    for (size_t i = wave; i < std::min(doomed.size(), wave + kRemovalsInFlight); ++i) {
      removals.push_back(RemoveAtHead(pos, doomed[i], req.client));
    }
    auto count = static_cast<uint32_t>(removals.size());
    CO_RETURN_IF_ERROR(FirstError(co_await AllOf(std::move(removals))));
    rsp.removed += count;
  }
  rsp.more = doomed.size() == kMaxRemovalsPerCall;
  co_return rsp;
}

Task<Status> Replicator::RemoveAtHead(const Position& pos, ChunkId chunk, uint64_t client) {
  ChunkUpdate u;
  u.chunk = chunk;
  u.kind = UpdateKind::kRemove;
  u.tag = UpdateTag{client, chunk.index};
  co_return (co_await ApplyAtHead(pos, std::move(u), {})).status();
}

Task<Result<ForwardRsp>> Replicator::Forward(ForwardReq req, std::span<const char> data) {
  CO_ASSIGN_OR_RETURN(Position pos, Locate(req.ref));
  bool takes =
      pos.state == PublicState::kSyncing || (pos.state == PublicState::kServing && !pos.is_head);
  if (!takes || (req.force && pos.state != PublicState::kSyncing)) {
    co_return Stale(fmt::format("target {} takes no {}forwarded updates in chain {} version {}",
                                req.ref.target, req.force ? "forced " : "", req.ref.chain,
                                req.ref.chain_version));
  }
  CO_ASSIGN_OR_RETURN(auto guard, co_await pos.local->locks.Lock(req.update.chunk));
  ChunkUpdate update = req.update;
  Result<ForwardRsp> rsp = co_await ApplyForward(pos, std::move(req), data);
  if (pos.state == PublicState::kSyncing && rsp.status().code() == StatusCode::kNoSpace) {
    // Out of room, a syncing target would refuse every write of its chain until it had room:
    // it leaves instead, and the chain writes on without it.
    NoteMissedUpdate(*pos.local, update, rsp.status());
  }
  co_return rsp;
}

Task<Result<ForwardRsp>> Replicator::ApplyForward(const Position& pos, ForwardReq req,
                                                  std::span<const char> data) {
  ChunkEngine& engine = *pos.local->engine;
  const ChunkUpdate& u = req.update;
  if (req.force) {
    if (u.kind == UpdateKind::kRemove) {
      CO_RETURN_IF_ERROR(NoteDiskError(*pos.local, co_await engine.Forget(u.chunk)));
    } else {
      CO_RETURN_IF_ERROR(
          NoteDiskError(*pos.local, (co_await engine.Store(u, data, true)).status()));
    }
    co_return ForwardRsp{u.version};
  }
  const ChunkRecord* rec = engine.Find(u.chunk);
  uint64_t committed = rec ? rec->committed.version : 0;
  bool end = !pos.successor;
  if (rec == nullptr && u.kind == UpdateKind::kRemove) {
    // Gone here already: this replica committed the removal after its successor did.
    if (!end) CO_RETURN_IF_ERROR(co_await Propagate(pos, u, data));
    co_return ForwardRsp{u.version};
  }
  if (committed >= u.version) {
    if (rec->committed.tag == u.tag) co_return ForwardRsp{committed};
    co_return Internal(
        fmt::format("chunk {}: version {} arrived but version {} with another tag "
                    "is committed here",
                    u.chunk, u.version, committed));
  }
  if (u.version != committed + 1) {
    co_return OutOfRange(fmt::format("chunk {}: version {} arrived after committed version {}",
                                     u.chunk, u.version, committed));
  }
  CO_RETURN_IF_ERROR(co_await StoreAndPropagate(pos, u, data));
  co_return ForwardRsp{u.version};
}

// The outcome of a store run beside the forward that waits for it.
struct Replicator::Beside {
  Status status;
  bool done = false;
  WaitSlot slot;
};

Task<void> Replicator::StoreBeside(std::shared_ptr<Beside> beside, const Position& pos,
                                   ChunkUpdate u, std::span<const char> data) {
  // No repair from the other replicas here: they are taking this update meanwhile
  // (StoreAndPropagate adopts their result instead).
  beside->status =
      NoteDiskError(*pos.local, (co_await pos.local->engine->Store(u, data, false)).status());
  // The update is on its way down the chain, and may be committed there whatever the forward
  // returns (an acknowledgement can be lost). Out of room or with a failing disk, this replica
  // does not have it: it leaves at once, before any read here could answer with the version
  // before. Other errors (an update that does not fit) fail the same way everywhere.
  StatusCode code = beside->status.code();
  if (code == StatusCode::kNoSpace || code == StatusCode::kIoError) {
    NoteMissedUpdate(*pos.local, u, beside->status);
  }
  beside->done = true;
  beside->slot.Wake(WaitSlot::WaitResult::kWoken);
}

Task<Status> Replicator::StoreAndPropagate(const Position& pos, const ChunkUpdate& u,
                                           std::span<const char> data) {
  ChunkEngine& engine = *pos.local->engine;
  // Short of room, refuse before anything goes down the chain. The check is here and not in
  // the store: once an update has gone on, a replica that cannot store it must leave its chain
  // (StoreBeside), so it may use the reserve.
  CO_RETURN_IF_ERROR(engine.RoomFor(u));
  if (!pos.successor) co_return co_await StoreOrRepair(pos, u, data, true);
  if (pos.successor_syncing) {
    // The syncing successor gets the whole chunk, which is built by the local store.
    CO_RETURN_IF_ERROR(co_await StoreOrRepair(pos, u, data, false));
    CO_RETURN_IF_ERROR(co_await Propagate(pos, u, data));
    co_return NoteDiskError(*pos.local, co_await engine.Commit(u.chunk, u.version));
  }
  // The update goes down the chain while it is stored here: only the acknowledgement back
  // needs this replica's copy durable, and it waits for it. Both finish before this returns
  // (the store reads `data`, which lives as long as the caller).
  auto beside = std::make_shared<Beside>();
  Spawn(co_await asio::this_coro::executor, StoreBeside(beside, pos, u, data), "store");
  Status forwarded = co_await Propagate(pos, u, data);
  while (!beside->done) (void)co_await beside->slot.Park();
  if (beside->status.code() == StatusCode::kCorruption && forwarded.ok()) {
    // The bytes this update copies fail their checksum here, and the rest of the chain has it.
    beside->status = co_await AdoptFromPeer(pos, u);
  }
  if (!beside->status.ok()) {
    // Its successors have the update, or may (a corrupt base fails only here): it syncs again.
    if (forwarded.ok() || beside->status.code() == StatusCode::kCorruption) {
      NoteMissedUpdate(*pos.local, u, beside->status);
    }
    co_return beside->status;
  }
  CO_RETURN_IF_ERROR(forwarded);
  co_return NoteDiskError(*pos.local, co_await engine.Commit(u.chunk, u.version));
}

Task<Status> Replicator::StoreOrRepair(const Position& pos, const ChunkUpdate& u,
                                       std::span<const char> data, bool commit) {
  ChunkEngine& engine = *pos.local->engine;
  Status stored = (co_await engine.Store(u, data, commit)).status();
  if (stored.code() == StatusCode::kCorruption) {
    // The bytes an overwrite had to copy fail their checksum: repair, then try once more.
    CO_RETURN_IF_ERROR(co_await RepairLocked(pos, u.chunk));
    stored = (co_await engine.Store(u, data, commit)).status();
  }
  co_return NoteDiskError(*pos.local, stored);
}

Task<Status> Replicator::Propagate(const Position& pos, ChunkUpdate u, std::span<const char> data) {
  if (!pos.successor_syncing) {
    co_return co_await SendForward(pos, *pos.successor, std::move(u), data, false);
  }
  CO_ASSIGN_OR_RETURN(auto whole, co_await WholeChunk(*pos.local, u.chunk, /*pending=*/true));
  co_return co_await SendForward(pos, *pos.successor, whole.first, whole.second, true);
}

Task<Status> Replicator::SendForward(const Position& pos, TargetId to, ChunkUpdate u,
                                     std::span<const char> data, bool force) {
  if (stopped_) co_return Unavailable("this storage server is stopping");
  CO_ASSIGN_OR_RETURN(Address address, pos.routing->AddressOf(to));
  StorageService::Client client(rpc::Channel{&pool_, address});
  ForwardReq req;
  req.ref = ChainRef{pos.chain.id, pos.chain.version, to};
  req.update = std::move(u);
  req.force = force;
  rpc::CallOptions options;
  options.request_bulk = data;
  Result<ForwardRsp> rsp = co_await client.Forward(std::move(req), options);
  co_return rsp.status();
}

Task<Status> Replicator::Resolve(const Position& pos, ChunkId chunk) {
  ChunkEngine& engine = *pos.local->engine;
  const ChunkRecord* rec = engine.Find(chunk);
  if (rec == nullptr || !rec->pending) co_return Status();
  uint64_t version = rec->pending->version;
  if (pos.successor) {
    CO_ASSIGN_OR_RETURN(auto whole, co_await WholeChunk(*pos.local, chunk, /*pending=*/true));
    CO_RETURN_IF_ERROR(co_await SendForward(pos, *pos.successor, whole.first, whole.second,
                                            pos.successor_syncing));
  }
  co_return NoteDiskError(*pos.local, co_await engine.Commit(chunk, version));
}

Task<size_t> Replicator::ResolveLeftovers(size_t limit) {
  std::vector<std::pair<TargetId, ChunkId>> leftovers;
  for (const auto& [id, t] : targets_) {
    for (ChunkId chunk : t->engine->pending_chunks()) {
      if (leftovers.size() >= limit) break;
      if (!t->locks.held(chunk)) leftovers.emplace_back(id, chunk);
    }
  }
  size_t done = 0;
  for (const auto& [id, chunk] : leftovers) {
    Result<Position> pos = LocateTarget(id);
    if (!pos.ok() || pos->state != PublicState::kServing) continue;
    Result<KeyedLocks<ChunkId>::Guard> guard = co_await pos->local->locks.Lock(chunk);
    if (!guard.ok()) break;
    if ((co_await Resolve(*pos, chunk)).ok()) ++done;
  }
  co_return done;
}

Task<Result<std::pair<ChunkUpdate, std::string>>> Replicator::WholeChunk(LocalTarget& t,
                                                                         ChunkId chunk,
                                                                         bool pending) {
  const ChunkRecord* rec = t.engine->Find(chunk);
  ChunkUpdate u;
  u.chunk = chunk;
  u.kind = UpdateKind::kRemove;
  u.version = 1;
  if (rec == nullptr) co_return std::pair(u, std::string());
  const ChunkVersion& v = pending && rec->pending ? *rec->pending : rec->committed;
  u.chunk_size_bytes = rec->chunk_size_bytes;
  u.chain_version = rec->chain_version;
  u.version = v.version;
  u.tag = v.tag;
  if (v.removed) co_return std::pair(u, std::string());
  u.kind = UpdateKind::kReplace;
  u.length = v.length;
  std::string content(v.length, '\0');
  CO_ASSIGN_OR_RETURN(size_t n, co_await t.engine->Read(chunk, pending, 0, content));
  if (n != content.size()) {
    co_return Internal(fmt::format("chunk {}: read {} of its {} bytes", chunk, n, content.size()));
  }
  co_return std::pair(u, std::move(content));
}

}  // namespace chainfs::storage
