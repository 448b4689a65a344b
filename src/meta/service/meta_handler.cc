#include "meta/service/meta_handler.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>
#include <sys/xattr.h>

#include <algorithm>

#include "kv/retry.h"
#include "meta/ops/idempotent.h"
#include "meta/ops/remove_ops.h"
#include "meta/ops/rename_op.h"
#include "meta/ops/sessions.h"
#include "meta/ops/xattr_ops.h"

namespace chainfs::meta {

namespace {

constexpr uint32_t kMaxReaddirPage = 16384;
constexpr size_t kMaxCloseBatch = 4096;
constexpr size_t kMaxSessionName = 256;
// How often a waiting lock request looks again for releases through other servers.
constexpr Nanos kLockRecheck{50'000'000};

// The name a client gives its session, or the peer's address; kInvalidArgument past 256 bytes.
Result<std::string> SessionName(std::string given, const rpc::CallContext& ctx) {
  if (given.size() > kMaxSessionName) {
    return InvalidArgument(
        fmt::format("session name of {} bytes (at most {})", given.size(), kMaxSessionName));
  }
  return given.empty() ? ctx.peer : std::move(given);
}

Result<RenameMode> RenameModeOf(uint32_t flags) {
  switch (flags) {
    case 0:
      return RenameMode::kReplace;
    case RENAME_NOREPLACE:
      return RenameMode::kNoReplace;
    case RENAME_EXCHANGE:
      return RenameMode::kExchange;
    default:
      return InvalidArgument(fmt::format("rename flags {:#x}", flags));
  }
}

// An open that truncates is synced before the client cuts the file's chunks.
bool Truncates(uint32_t open_flags) {
  return (open_flags & O_TRUNC) && (open_flags & O_ACCMODE) != O_RDONLY;
}

Result<XattrMode> XattrModeOf(uint32_t flags) {
  switch (flags) {
    case 0:
      return XattrMode::kAny;
    case XATTR_CREATE:
      return XattrMode::kCreate;
    case XATTR_REPLACE:
      return XattrMode::kReplace;
    default:
      return InvalidArgument(fmt::format("setxattr flags {:#x}", flags));
  }
}

}  // namespace

MetaHandler::MetaHandler(kv::Engine& engine, Runtime& rt, MetaHandlerOptions options)
    : engine_(engine),
      rt_(rt),
      options_(options),
      allocator_(engine, rt),
      lock_waiters_(rt.clock()),
      syncer_(engine, rt, options.sync_interval),
      next_chain_(static_cast<uint32_t>(rt.random().Next())) {}

int64_t MetaHandler::Now() { return rt_.clock().WallNow().count(); }

Task<Status> MetaHandler::Run(kv::TxnBody& body, bool idempotent, Durability durability) {
  // PostgreSQL's predicate locks cover whole index pages, so busy servers see conflicts that
  // FoundationDB's rules would not; a generous budget keeps them from reaching callers.
  kv::RetryOptions retry;
  retry.max_attempts = 50;
  retry.idempotent = idempotent;
  retry.relaxed_durability =
      durability == Durability::kRelaxed && syncer_.relaxed() && !body.read_only();
  Status st = co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), body, retry);
  // Whatever the outcome: a commit whose answer was lost may have taken effect, and counting
  // one that did not costs one sync at most.
  if (retry.relaxed_durability) syncer_.NoteRelaxed();
  co_return st;
}

Task<Status> MetaHandler::RunTagged(kv::TxnBody& body, const RequestTag& tag, Attr* result,
                                    bool* replayed) {
  IdempotentOp once(body, tag, result);
  // A commit whose outcome is unknown is tried again: if it took effect, the stored answer
  // is found.
  Status st = co_await Run(once, /*idempotent=*/tag.session != 0);
  if (replayed != nullptr) *replayed = once.replayed;
  co_return st;
}

Task<Status> MetaHandler::EnsureRoot() {
  Layout layout;
  layout.stripe = std::min<uint32_t>(layout.stripe, std::max<uint32_t>(options_.chains, 1));
  EnsureRootOp op(Now(), layout);
  co_return co_await Run(op);
}

Task<Result<Attr>> MetaHandler::NewInode(Caller caller, InodeId parent, std::string name,
                                         NewEntry entry, uint64_t open_session, uint64_t open_stamp,
                                         RequestTag tag) {
  if (options_.room) CO_RETURN_IF_ERROR(options_.room());
  Result<InodeId> id = co_await allocator_.Next();
  if (!id.ok()) co_return id.status();
  CreateOptions options;
  options.first_chain = next_chain_++;
  options.seed = rt_.random().Next();
  options.chains = options_.chains;
  options.open_session = open_session;
  options.open_stamp = open_stamp;
  CreateOp op(std::move(caller), parent, std::move(name), std::move(entry), *id, Now(), options);
  CO_RETURN_IF_ERROR(co_await RunTagged(op, tag, &op.result));
  co_return std::move(op.result);
}

Task<Result<AttrRsp>> MetaHandler::Lookup(LookupReq req, rpc::CallContext&) {
  LookupOp op(std::move(req.caller), req.parent, std::move(req.name));
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return AttrRsp{std::move(op.result)};
}

Task<Result<AttrRsp>> MetaHandler::GetAttr(InodeReq req, rpc::CallContext&) {
  GetAttrOp op(req.id);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return AttrRsp{std::move(op.result)};
}

Task<Result<AttrRsp>> MetaHandler::SetAttr(SetAttrReq req, rpc::CallContext&) {
  // A new size is synced before the client cuts the chunks past it.
  Durability durability = req.change.size ? Durability::kSynced : Durability::kRelaxed;
  SetAttrOp op(std::move(req.caller), req.id, req.change, Now());
  CO_RETURN_IF_ERROR(co_await Run(op, false, durability));
  co_return AttrRsp{std::move(op.result)};
}

Task<Result<AttrRsp>> MetaHandler::Mknod(MknodReq req, rpc::CallContext&) {
  Result<Attr> attr = co_await NewInode(std::move(req.caller), req.parent, std::move(req.name),
                                        std::move(req.entry), 0, 0, req.tag);
  if (!attr.ok()) co_return attr.status();
  co_return AttrRsp{std::move(*attr)};
}

Task<Result<ReadlinkRsp>> MetaHandler::Readlink(InodeReq req, rpc::CallContext&) {
  ReadlinkOp op(req.id);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return ReadlinkRsp{std::move(op.target)};
}

Task<Result<AttrRsp>> MetaHandler::Link(LinkReq req, rpc::CallContext&) {
  if (options_.room) CO_RETURN_IF_ERROR(options_.room());
  LinkOp op(std::move(req.caller), req.id, req.parent, std::move(req.name), Now());
  CO_RETURN_IF_ERROR(co_await RunTagged(op, req.tag, &op.result));
  co_return AttrRsp{std::move(op.result)};
}

Task<Result<UnlinkRsp>> MetaHandler::Unlink(RemoveReq req, rpc::CallContext&) {
  int64_t now = Now();
  UnlinkOp op(std::move(req.caller), req.parent, std::move(req.name), now);
  bool replayed = false;
  CO_RETURN_IF_ERROR(co_await RunTagged(op, req.tag, nullptr, &replayed));
  co_return UnlinkRsp{replayed ? 0 : now};
}

Task<Result<Empty>> MetaHandler::Rmdir(RemoveReq req, rpc::CallContext&) {
  RmdirOp op(std::move(req.caller), req.parent, std::move(req.name), Now());
  CO_RETURN_IF_ERROR(co_await RunTagged(op, req.tag));
  co_return Empty{};
}

Task<Result<Empty>> MetaHandler::Rename(RenameReq req, rpc::CallContext&) {
  CO_ASSIGN_OR_RETURN(RenameMode mode, RenameModeOf(req.flags));
  RenameOp op(std::move(req.caller), req.src_parent, std::move(req.src_name), req.dst_parent,
              std::move(req.dst_name), mode, Now());
  CO_RETURN_IF_ERROR(co_await RunTagged(op, req.tag));
  co_return Empty{};
}

Task<Result<OpenRsp>> MetaHandler::Open(OpenReq req, rpc::CallContext&) {
  Durability durability = Truncates(req.flags) ? Durability::kSynced : Durability::kRelaxed;
  OpenOp op(std::move(req.caller), req.id, req.flags, req.session, Now(), req.stamp);
  CO_RETURN_IF_ERROR(co_await Run(op, false, durability));
  co_return OpenRsp{std::move(op.result), false};
}

Task<Result<OpenRsp>> MetaHandler::Create(CreateReq req, rpc::CallContext&) {
  uint32_t open_flags = req.flags & ~(O_CREAT | O_EXCL);
  CO_RETURN_IF_ERROR(ValidateOpenFlags(open_flags));
  uint64_t session = req.session;
  if (WantsWrite(open_flags) && session == 0) {
    co_return InvalidArgument("creating a file open for writing needs a session");
  }
  NewEntry entry{FileType::kRegular, req.mode};
  Caller caller = req.caller;
  Result<Attr> created = co_await NewInode(std::move(caller), req.parent, req.name,
                                           std::move(entry), session, req.stamp);
  if (created.ok()) co_return OpenRsp{std::move(*created), true};
  if (created.status().code() != StatusCode::kAlreadyExists) co_return created.status();
  LookupOp lookup(req.caller, req.parent, std::move(req.name));
  if (req.flags & O_EXCL) {
    // This very create, sent again after its answer was lost, finds its own file.
    if (!(co_await Run(lookup)).ok()) co_return created.status();
    OwnsOpenOp own(lookup.result.id, session, req.stamp);
    if (!(co_await Run(own)).ok() || !own.owns) co_return created.status();
    co_return OpenRsp{std::move(lookup.result), true};
  }
  CO_RETURN_IF_ERROR(co_await Run(lookup));
  Durability durability = Truncates(open_flags) ? Durability::kSynced : Durability::kRelaxed;
  OpenOp op(std::move(req.caller), lookup.result.id, open_flags, session, Now(), req.stamp);
  CO_RETURN_IF_ERROR(co_await Run(op, false, durability));
  co_return OpenRsp{std::move(op.result), false};
}

Task<Result<AttrRsp>> MetaHandler::ReportLength(ReportLengthReq req, rpc::CallContext&) {
  ReportLengthOp op(std::move(req.caller), req.id, req.session, req.report, req.close, Now(),
                    req.stamp);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return AttrRsp{std::move(op.result)};
}

Task<Result<Empty>> MetaHandler::CloseFiles(CloseFilesReq req, rpc::CallContext&) {
  if (req.session == 0) co_return InvalidArgument("closing files needs a client session");
  if (req.ids.size() > kMaxCloseBatch) {
    co_return InvalidArgument(
        fmt::format("{} files closed at once; at most {}", req.ids.size(), kMaxCloseBatch));
  }
  CloseFilesOp op(req.session, std::move(req.ids), std::move(req.stamps), Now());
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return Empty{};
}

Task<Result<ReaddirRsp>> MetaHandler::Readdir(ReaddirReq req, rpc::CallContext&) {
  uint32_t limit = req.limit == 0 ? options_.readdir_page : std::min(req.limit, kMaxReaddirPage);
  ReaddirOp op(std::move(req.caller), req.id, std::move(req.after), limit, req.plus);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return ReaddirRsp{std::move(op.entries), op.more, std::move(op.attrs), op.version, op.parent};
}

Task<Result<StatfsRsp>> MetaHandler::Statfs(Empty, rpc::CallContext&) {
  StatfsOp op;
  CO_RETURN_IF_ERROR(co_await Run(op));
  StatfsRsp rsp;
  rsp.total_bytes = options_.capacity_bytes;
  rsp.used_bytes = std::min(op.bytes_used, rsp.total_bytes);
  rsp.total_inodes = options_.max_inodes;
  rsp.used_inodes = std::min(op.inodes_used, rsp.total_inodes);
  rsp.block_size = 4096;
  rsp.max_name = static_cast<uint32_t>(kMaxNameBytes);
  co_return rsp;
}

Task<Result<Empty>> MetaHandler::SetXattr(SetXattrReq req, rpc::CallContext&) {
  if (options_.room) CO_RETURN_IF_ERROR(options_.room());
  CO_ASSIGN_OR_RETURN(XattrMode mode, XattrModeOf(req.flags));
  SetXattrOp op(req.id, std::move(req.name), std::move(req.value), mode, Now(), req.caller);
  CO_RETURN_IF_ERROR(co_await RunTagged(op, req.tag));
  co_return Empty{};
}

Task<Result<XattrValueRsp>> MetaHandler::GetXattr(XattrNameReq req, rpc::CallContext&) {
  GetXattrOp op(req.id, std::move(req.name));
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return XattrValueRsp{std::move(op.value)};
}

Task<Result<XattrListRsp>> MetaHandler::ListXattr(XattrNameReq req, rpc::CallContext&) {
  ListXattrOp op(req.id);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return XattrListRsp{std::move(op.names)};
}

Task<Result<Empty>> MetaHandler::RemoveXattr(RemoveXattrReq req, rpc::CallContext&) {
  RemoveXattrOp op(req.id, std::move(req.name), Now());
  CO_RETURN_IF_ERROR(co_await RunTagged(op, req.tag));
  co_return Empty{};
}

Task<Result<Empty>> MetaHandler::SetLock(LockReq req, rpc::CallContext&) {
  Nanos until =
      rt_.clock().Now() + Nanos(int64_t{std::min(req.wait_ms, kMaxLockWaitMs)} * 1'000'000);
  for (;;) {
    SetLockOp op(req.id, req.request);
    Status st = co_await Run(op);
    if (st.ok()) {
      lock_waiters_.Changed(req.id);
      co_return Empty{};
    }
    Nanos now = rt_.clock().Now();
    if (st.code() != StatusCode::kWouldBlock || now >= until) co_return st;
    // Woken by a release through this server; a release through another is seen at the
    // next look.
    co_await lock_waiters_.WaitForChange(req.id, std::min(until, now + kLockRecheck));
    if (lock_waiters_.closed()) co_return Unavailable("the metadata server is stopping");
  }
}

Task<void> MetaHandler::Drain() {
  lock_waiters_.Close();
  while (lock_waiters_.waiting_inodes() > 0) co_await rt_.clock().Sleep(Nanos(1'000'000));
  co_await syncer_.Stop();
}

Task<Result<GetLockRsp>> MetaHandler::GetLock(LockReq req, rpc::CallContext&) {
  GetLockOp op(req.id, req.request);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return GetLockRsp{op.conflict};
}

Task<Result<SessionRsp>> MetaHandler::OpenSession(SessionReq req, rpc::CallContext& ctx) {
  if (req.session != 0) co_return InvalidArgument("a new session's id is the server's to pick");
  CO_ASSIGN_OR_RETURN(std::string name, SessionName(std::move(req.name), ctx));
  uint64_t session = 0;
  while (session == 0) session = rt_.random().Next();
  PutClientOp op(session, ClientRecord{std::move(name), Now() + options_.session_lease.count()},
                 /*renew=*/false);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return SessionRsp{session, options_.session_lease.count()};
}

Task<Result<SessionRsp>> MetaHandler::RenewSession(SessionReq req, rpc::CallContext& ctx) {
  if (req.session == 0) co_return InvalidArgument("renewing session 0");
  CO_ASSIGN_OR_RETURN(std::string name, SessionName(std::move(req.name), ctx));
  PutClientOp op(req.session, ClientRecord{std::move(name), Now() + options_.session_lease.count()},
                 /*renew=*/true);
  CO_RETURN_IF_ERROR(co_await Run(op));
  co_return SessionRsp{req.session, options_.session_lease.count()};
}

Task<Result<Empty>> MetaHandler::EndSession(SessionReq req, rpc::CallContext&) {
  EndClientOp op(req.session, Now(), /*only_if_expired=*/false);
  CO_RETURN_IF_ERROR(co_await Run(op));
  lock_waiters_.ChangedAll();
  co_return Empty{};
}

Task<Result<Empty>> MetaHandler::Sync(Empty, rpc::CallContext&) {
  CO_RETURN_IF_ERROR(co_await syncer_.Sync());
  co_return Empty{};
}

}  // namespace chainfs::meta
