#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "mgmtd/routing.h"
#include "rpc/client.h"
#include "storage/chain/local_target.h"
#include "storage/service/storage_messages.h"

namespace chainfs::storage {

// CRAQ over this server's targets (DESIGN.md section 7). Writes enter at the head, which
// assigns the version; each replica stores the update as pending, forwards it, and commits when
// its successor acknowledges; the end of the write path commits at once. Any serving replica
// answers reads: one holding a pending version asks the serving tail which version is
// committed and serves that one, so reads never go back in time and never ask the client to
// retry.
//
// A pending version left behind (its sender failed, or the chain changed) is resolved before
// the chunk changes again or its committed version is reported: forwarded whole to the
// successor, then committed. Every request names the chain version it was routed by, and a
// replica whose chain differs answers kStaleRouting. Belongs to one executor.
class Replicator {
 public:
  Replicator(rpc::ClientPool& pool, Clock& clock);

  void AddTarget(std::unique_ptr<LocalTarget> target);
  // Closes every target and sends nothing more: what is still in flight fails.
  void Stop();
  LocalTarget* target(TargetId id);
  const std::map<TargetId, std::unique_ptr<LocalTarget>>& targets() const { return targets_; }
  void SetRouting(std::shared_ptr<const mgmtd::RoutingInfo> routing);
  std::shared_ptr<const mgmtd::RoutingInfo> routing() const { return routing_; }
  // Until when (Clock::Now scale) this server may act on its routing: the cluster manager fails
  // a server only after a silence longer than this lease, so a server cut off from it stops
  // serving before its chains can go on without it. Unlimited until set.
  void set_serving_until(Nanos until) { serving_until_ = until; }
  // Completes pending versions that no update holds any more (their sender failed); at most
  // `limit` per call. Returns how many it completed.
  Task<size_t> ResolveLeftovers(size_t limit);
  // What the target tells the cluster manager about itself.
  mgmtd::LocalState LocalStateOf(const LocalTarget& t) const;
  // Lets each target that missed an update rejoin once its chain has marked it offline (or
  // LASTSRV) and its disk has `min_free_bytes` free: it then reports itself online, like a
  // restarted target, and its predecessor syncs it back (a LASTSRV target serves again).
  void RejoinWhenRoom(uint64_t min_free_bytes);

  Task<Result<WriteRsp>> Write(WriteReq req, std::span<const char> data);
  // At the head: removes the chunks of a file in an index range and those of whole files, each
  // as an update down the chain, at most kMaxRemovalsPerCall per call (`more` says whether to
  // call again).
  Task<Result<RemoveChunksRsp>> RemoveChunks(RemoveChunksReq req);
  static constexpr size_t kMaxRemovalsPerCall = 256;
  // Removals of one call under way at once.
  static constexpr size_t kRemovalsInFlight = 64;
  Task<Result<ForwardRsp>> Forward(ForwardReq req, std::span<const char> data);
  // Reads into `out` (req.length bytes at most); sets `n` to the bytes read.
  Task<Result<ReadRsp>> Read(ReadReq req, std::span<char> out, size_t& n);
  Task<Result<CommittedRsp>> Committed(CommittedReq req);
  Task<Result<ListChunksRsp>> ListChunks(ListChunksReq req);
  Task<Result<Empty>> SyncDone(SyncDoneReq req);
  Task<Result<LastChunkRsp>> LastChunk(LastChunkReq req);

  // Replaces this replica's copy of `chunk` (its committed version) with the same version read
  // from another serving replica: after a checksum error. The caller holds the chunk's lock.
  Task<Status> Repair(TargetId target, ChunkId chunk);
  // Where a scrub step stopped: the last chunk it looked at (nullopt once a pass is complete)
  // and the bytes it read.
  struct ScrubStep {
    std::optional<ChunkId> next;
    uint64_t bytes = 0;
  };
  // Re-reads the committed chunks of `target` after `after`, verifying every block, until
  // `max_bytes` are read (at least one chunk), and repairs the ones that fail.
  Task<ScrubStep> Scrub(TargetId target, std::optional<ChunkId> after, uint64_t max_bytes);
  uint64_t repairs() const { return repairs_; }

  // Sends every chunk that differs, and removals of chunks that should not exist, from `from`
  // to its syncing successor, then tells it the sync is done.
  Task<Status> SyncSuccessor(TargetId from);
  // The local target whose successor is syncing and should be synced from, if any.
  std::optional<TargetId> TargetToSyncFrom() const;

 private:
  // Where a local target stands in a chain, as of one routing version.
  struct Position {
    std::shared_ptr<const mgmtd::RoutingInfo> routing;
    LocalTarget* local = nullptr;
    mgmtd::Chain chain;
    mgmtd::PublicState state = mgmtd::PublicState::kOffline;
    bool is_head = false;
    std::optional<TargetId> successor;
    bool successor_syncing = false;
  };

  Result<Position> Locate(const ChainRef& ref) const;
  Task<Result<WriteRsp>> ApplyAtHead(const Position& pos, ChunkUpdate u,
                                     std::span<const char> data);
  Task<Status> RemoveAtHead(const Position& pos, ChunkId chunk, uint64_t client);
  // The chain `id` is in, per the current routing (kStaleRouting when it is not known).
  Result<const mgmtd::Chain*> ChainOf(TargetId id) const;
  Result<Position> LocateTarget(TargetId id) const;
  // Sends `u` on to the successor; `force` when it is syncing (then `u` carries the whole chunk).
  Task<Status> Propagate(const Position& pos, ChunkUpdate u, std::span<const char> data);
  Task<Status> SendForward(const Position& pos, TargetId to, ChunkUpdate u,
                           std::span<const char> data, bool force);
  // Completes a leftover pending version of `chunk`; the caller holds the chunk's lock.
  Task<Status> Resolve(const Position& pos, ChunkId chunk);
  // The committed version of `chunk` as an update that recreates it whole (kReplace), or a
  // removal when it does not exist.
  Task<Result<std::pair<ChunkUpdate, std::string>>> WholeChunk(LocalTarget& t, ChunkId chunk,
                                                               bool pending);
  // For a read: waits until no update of `chunk` is being stored here without a pending version
  // to show for it (its successors may have committed it already). kUnavailable if the target
  // left its chain meanwhile.
  Task<Status> AwaitStoreInFlight(const Position& pos, ChunkId chunk);
  // The committed version of `chunk` according to the serving tail (this replica, or a call).
  Task<Result<uint64_t>> CommittedAtTail(const Position& pos, ChunkId chunk);
  // At the tail: resolves a pending version first, so that what it reports stays committed.
  Task<Result<uint64_t>> CommittedHere(const Position& pos, ChunkId chunk);
  Task<Status> RepairLocked(const Position& pos, ChunkId chunk);
  // The whole chunk at `version` from another serving replica, its checksum checked.
  Task<Result<std::string>> FetchFromPeer(const Position& pos, ChunkId chunk, uint64_t version,
                                          uint32_t chunk_size);
  // Stores, as this replica's pending version, the result of `u` that another replica has: for
  // an update that could not be built here (the bytes it copies fail their checksum) after it
  // went down the chain. The caller holds the chunk's lock.
  Task<Status> AdoptFromPeer(const Position& pos, const ChunkUpdate& u);
  // Stores `u` here and, beside it, sends it on down the chain; commits here once both are done.
  Task<Status> StoreAndPropagate(const Position& pos, const ChunkUpdate& u,
                                 std::span<const char> data);
  struct Beside;
  Task<void> StoreBeside(std::shared_ptr<Beside> beside, const Position& pos, ChunkUpdate u,
                         std::span<const char> data);
  // Stores `u`, repairing the chunk first if the bytes it builds on fail their checksum.
  Task<Status> StoreOrRepair(const Position& pos, const ChunkUpdate& u, std::span<const char> data,
                             bool commit);
  Task<Status> SyncChunk(const Position& pos, ChunkId chunk, const ChunkSummary* theirs);
  Task<Result<std::map<ChunkId, ChunkSummary>>> FetchSummaries(const Position& pos);
  Task<Result<ForwardRsp>> ApplyForward(const Position& pos, ForwardReq req,
                                        std::span<const char> data);

  rpc::ClientPool& pool_;
  Clock& clock_;
  Nanos serving_until_ = Nanos::max();
  std::map<TargetId, std::unique_ptr<LocalTarget>> targets_;
  std::shared_ptr<const mgmtd::RoutingInfo> routing_;
  bool stopped_ = false;
  uint64_t repairs_ = 0;
};

// Marks `t` failed when `st` is a disk error, so it reports itself offline and serves nothing.
Status NoteDiskError(LocalTarget& t, Status st);
// After `t` could not store `u` (error `st`) while the rest of its chain did: a disk error
// fails it, anything else (a full disk) takes it out of the chain until it is synced back.
void NoteMissedUpdate(LocalTarget& t, const ChunkUpdate& u, const Status& st);

}  // namespace chainfs::storage
