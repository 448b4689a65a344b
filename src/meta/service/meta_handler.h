#pragma once

#include <cstdint>
#include <functional>

#include "kv/kv.h"
#include "meta/schema/inode_allocator.h"
#include "meta/service/commit_syncer.h"
#include "meta/service/lock_waiters.h"
#include "meta/service/meta_service.h"
#include "runtime/runtime.h"

namespace chainfs::meta {

struct MetaHandlerOptions {
  // Entries in the chain table new files are placed on (from config until the cluster
  // manager hands out chain tables).
  uint32_t chains = 1;
  // statfs totals until storage reports its capacity.
  uint64_t capacity_bytes = 1ULL << 40;
  uint64_t max_inodes = 1ULL << 32;
  Nanos session_lease{30'000'000'000};
  uint32_t readdir_page = 1024;
  // CommitSyncer: 0 syncs every commit before answering it.
  Nanos sync_interval{100'000'000};
  // kNoSpace when the store's disk is short of room for new entries: new inodes, links and
  // extended attributes are refused then, and removals still go through. Empty: no check.
  std::function<Status()> room;
};

// Serves MetaService: each call is one operation class run in a retried transaction. Holds no
// file system state of its own (any number of servers share one store), only the inode
// allocator's current batch and the round-robin position for new files. Belongs to the thread
// of `rt`.
class MetaHandler : public MetaService::Handler {
 public:
  MetaHandler(kv::Engine& engine, Runtime& rt, MetaHandlerOptions options);

  Task<Result<AttrRsp>> Lookup(LookupReq req, rpc::CallContext& ctx) override;
  Task<Result<AttrRsp>> GetAttr(InodeReq req, rpc::CallContext& ctx) override;
  Task<Result<AttrRsp>> SetAttr(SetAttrReq req, rpc::CallContext& ctx) override;
  Task<Result<AttrRsp>> Mknod(MknodReq req, rpc::CallContext& ctx) override;
  Task<Result<ReadlinkRsp>> Readlink(InodeReq req, rpc::CallContext& ctx) override;
  Task<Result<AttrRsp>> Link(LinkReq req, rpc::CallContext& ctx) override;
  Task<Result<UnlinkRsp>> Unlink(RemoveReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> Rmdir(RemoveReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> Rename(RenameReq req, rpc::CallContext& ctx) override;
  Task<Result<OpenRsp>> Open(OpenReq req, rpc::CallContext& ctx) override;
  Task<Result<OpenRsp>> Create(CreateReq req, rpc::CallContext& ctx) override;
  Task<Result<AttrRsp>> ReportLength(ReportLengthReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> CloseFiles(CloseFilesReq req, rpc::CallContext& ctx) override;
  Task<Result<ReaddirRsp>> Readdir(ReaddirReq req, rpc::CallContext& ctx) override;
  Task<Result<StatfsRsp>> Statfs(Empty req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> SetXattr(SetXattrReq req, rpc::CallContext& ctx) override;
  Task<Result<XattrValueRsp>> GetXattr(XattrNameReq req, rpc::CallContext& ctx) override;
  Task<Result<XattrListRsp>> ListXattr(XattrNameReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> RemoveXattr(RemoveXattrReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> SetLock(LockReq req, rpc::CallContext& ctx) override;
  Task<Result<GetLockRsp>> GetLock(LockReq req, rpc::CallContext& ctx) override;
  Task<Result<SessionRsp>> OpenSession(SessionReq req, rpc::CallContext& ctx) override;
  Task<Result<SessionRsp>> RenewSession(SessionReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> EndSession(SessionReq req, rpc::CallContext& ctx) override;
  Task<Result<Empty>> Sync(Empty req, rpc::CallContext& ctx) override;

  // Syncs relaxed commits until Drain(); the server runs it beside the handler.
  Task<void> SyncCommits() { return syncer_.Run(); }
  // Creates the root directory when the store is new.
  Task<Status> EnsureRoot();
  // Before the handler goes: lock requests waiting for a release answer kUnavailable (the
  // client asks another server, or this one once it is back) and have left, and relaxed
  // commits are synced.
  Task<void> Drain();

 private:
  enum class Durability { kRelaxed /* as options.sync_interval says */, kSynced };
  // Runs `body` in a retried transaction; `idempotent` retries a commit-unknown too.
  Task<Status> Run(kv::TxnBody& body, bool idempotent = false,
                   Durability durability = Durability::kRelaxed);
  // Runs `body` at most once per tag (IdempotentOp); `result` is its answer, if it has one;
  // `replayed`, if given, says whether the answer came from the store (`body` did not run).
  Task<Status> RunTagged(kv::TxnBody& body, const RequestTag& tag, Attr* result = nullptr,
                         bool* replayed = nullptr);
  Task<Result<Attr>> NewInode(Caller caller, InodeId parent, std::string name, NewEntry entry,
                              uint64_t open_session, uint64_t open_stamp = 0, RequestTag tag = {});
  int64_t Now();

  kv::Engine& engine_;
  Runtime& rt_;
  MetaHandlerOptions options_;
  InodeAllocator allocator_;
  LockWaiters lock_waiters_;
  CommitSyncer syncer_;
  uint32_t next_chain_;
};

}  // namespace chainfs::meta
