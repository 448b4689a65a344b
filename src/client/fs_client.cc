// FsClient: start and stop, the client session, and the metadata calls.
#include "client/fs_client.h"

#include <fmt/format.h>
#include <unistd.h>

#include "client/open_file.h"
#include "common/logging.h"

namespace chainfs::client {

using meta::MetaService;

FsClient::FsClient(Runtime& rt, ClientConfig config)
    : rt_(rt),
      config_(std::move(config)),
      read_ahead_budget_(static_cast<uint64_t>(config_.read_ahead_total_mib) << 20) {
  pool_ = std::make_unique<rpc::ClientPool>(rt_, config_.rpc, config_.secret, "client");
  mgmtd_ = std::make_unique<mgmtd::MgmtdClient>(*pool_, config_.managers());
  routing_ = std::make_unique<mgmtd::RoutingFollower>(rt_, *mgmtd_);
  StorageClientOptions storage;
  storage.client_id = rt_.random().Next() | 1;
  storage_ = std::make_unique<StorageClient>(rt_, *pool_, *routing_, storage);
  chunks_ = std::make_unique<FileChunks>(*storage_, *routing_);
  MetaClientOptions meta;
  meta.give_up_after = Nanos(config_.meta_timeout_ms * 1'000'000);
  meta_ = std::make_unique<MetaClient>(rt_, *pool_, config_.metas(), meta);
  // Session calls give up sooner: a renewal is tried again soon, and Stop must not linger.
  MetaClientOptions session;
  session.give_up_after = Nanos(5'000'000'000);
  session_meta_ = std::make_unique<MetaClient>(rt_, *pool_, config_.metas(), session);
  closes_ = std::make_unique<CloseQueue>(rt_, *meta_, Nanos(config_.close_delay_ms * 1'000'000));
}

FsClient::~FsClient() = default;

Task<Status> FsClient::Start() {
  Nanos deadline = rt_.clock().Now() + Nanos(config_.start_timeout_ms * 1'000'000);
  // One direct call first, so a wrong secret or an absent manager is named now.
  for (;;) {
    mgmtd::WatchRoutingReq req;
    req.known_version = 0;
    req.wait_ms = 0;
    Result<mgmtd::RoutingRsp> r = co_await mgmtd_->WatchRouting(std::move(req));
    if (r.ok()) break;
    if (r.status().code() == StatusCode::kAuthFailed) {
      co_return Status(StatusCode::kAuthFailed, fmt::format("cluster manager at {}: {}",
                                                            config_.mgmtd, r.status().message()));
    }
    if (rt_.clock().Now() >= deadline) {
      co_return Unavailable(fmt::format("no cluster manager at {} answered within {} ms ({})",
                                        config_.mgmtd, config_.start_timeout_ms,
                                        r.status().message()));
    }
    co_await rt_.clock().Sleep(Nanos(200'000'000));
  }
  routing_->Start();
  while (routing_->current()->version == 0 && rt_.clock().Now() < deadline) {
    co_await routing_->WaitNewer(0, std::min(deadline, rt_.clock().Now() + Nanos(200'000'000)));
  }
  if (routing_->current()->version == 0) {
    co_return Unavailable(fmt::format("the cluster manager at {} sent no routing within {} ms",
                                      config_.mgmtd, config_.start_timeout_ms));
  }
  // A metadata server that does not answer at start is an error now, not a minute later.
  MetaClientOptions quick;
  quick.give_up_after = deadline - rt_.clock().Now();
  MetaClient probe(rt_, *pool_, config_.metas(), quick);
  meta::InodeReq root{kRootInode};
  Result<meta::AttrRsp> r = co_await probe.Call(&MetaService::Client::GetAttr, root);
  if (!r.ok()) {
    co_return Status(r.status().code(),
                     fmt::format("metadata server at {}: {}", config_.meta, r.status().message()));
  }
  CO_RETURN_IF_ERROR(co_await RegisterSession());
  keeper_running_ = true;
  Spawn(rt_.executor(), RunKeeper(this), "client session");
  co_return Status();
}

Task<void> FsClient::RunKeeper(FsClient* self) {
  (void)co_await self->KeepSession();
  self->keeper_running_ = false;
}

Task<Status> FsClient::RegisterSession() {
  meta::SessionReq req;
  req.name = config_.name.empty() ? fmt::format("pid {}", getpid()) : config_.name;
  CO_ASSIGN_OR_RETURN(meta::SessionRsp rsp,
                      co_await meta_->Call(&MetaService::Client::OpenSession, req));
  session_ = rsp.session;
  session_lease_ = Nanos(rsp.lease_ns);
  meta_->set_session(session_);
  co_return Status();
}

Task<Status> FsClient::KeepSession() {
  while (!stopping_) {
    Nanos pause = std::max(session_lease_ / 4, Nanos(100'000'000));
    for (Nanos slept{0}; slept < pause && !stopping_; slept += Nanos(100'000'000)) {
      co_await rt_.clock().Sleep(Nanos(100'000'000));
    }
    if (stopping_) break;
    meta::SessionReq req;
    req.session = session_;
    Result<meta::SessionRsp> r =
        co_await session_meta_->Call(&MetaService::Client::RenewSession, req);
    if (r.ok()) continue;
    if (r.status().code() == StatusCode::kNotFound) {
      LOG_WARN("client session {} expired: its locks are gone; registering a new one", session_);
      Status st = co_await RegisterSession();
      if (!st.ok()) LOG_WARN("registering a client session: {}", st.ToString());
    } else {
      LOG_WARN("renewing client session {}: {}", session_, r.status().ToString());
    }
  }
  co_return Status();
}

Task<void> FsClient::Stop() {
  std::vector<uint64_t> open;
  for (const auto& [handle, h] : handles_) open.push_back(handle);
  for (uint64_t handle : open) (void)co_await Flush(handle);
  co_await closes_->Drain();
  // Read-ahead fetches use the storage client, which goes with this client.
  while (read_aheads_ > 0) co_await rt_.clock().Sleep(Nanos(1'000'000));
  stopping_ = true;
  while (keeper_running_) co_await rt_.clock().Sleep(Nanos(10'000'000));
  if (session_ != 0) {
    // Best effort and brief: an expired session is reaped by the servers anyway.
    meta::SessionReq req;
    req.session = session_;
    (void)co_await session_meta_->Call(&MetaService::Client::EndSession, req);
  }
  routing_->Stop();
  pool_->CloseAll();
  // The follower's loop uses mgmtd_, which goes with this client.
  co_await routing_->Join();
}

meta::Attr FsClient::Overlay(meta::Attr attr) const {
  auto it = open_inodes_.find(attr.id);
  if (it != open_inodes_.end()) {
    attr.record.size = std::max(attr.record.size, it->second->written_end);
  }
  return attr;
}

Task<Result<meta::Attr>> FsClient::Lookup(meta::Caller caller, InodeId parent, std::string name) {
  meta::LookupReq req{std::move(caller), parent, std::move(name)};
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp, co_await meta_->Call(&MetaService::Client::Lookup, req));
  co_return Overlay(rsp.attr);
}

Task<Result<meta::Attr>> FsClient::GetAttr(InodeId id) {
  meta::InodeReq req{id};
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp, co_await meta_->Call(&MetaService::Client::GetAttr, req));
  co_return Overlay(rsp.attr);
}

Task<Result<meta::Attr>> FsClient::Mknod(meta::Caller caller, InodeId parent, std::string name,
                                         meta::NewEntry entry) {
  meta::MknodReq req{std::move(caller), parent, std::move(name), std::move(entry)};
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp, co_await meta_->Call(&MetaService::Client::Mknod, req));
  co_return rsp.attr;
}

Task<Result<std::string>> FsClient::Readlink(InodeId id) {
  meta::InodeReq req{id};
  CO_ASSIGN_OR_RETURN(meta::ReadlinkRsp rsp,
                      co_await meta_->Call(&MetaService::Client::Readlink, req));
  co_return rsp.target;
}

Task<Result<meta::Attr>> FsClient::Link(meta::Caller caller, InodeId id, InodeId parent,
                                        std::string name) {
  meta::LinkReq req{std::move(caller), id, parent, std::move(name)};
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp, co_await meta_->Call(&MetaService::Client::Link, req));
  co_return Overlay(rsp.attr);
}

Task<Result<int64_t>> FsClient::Unlink(meta::Caller caller, InodeId parent, std::string name) {
  meta::RemoveReq req{std::move(caller), parent, std::move(name)};
  CO_ASSIGN_OR_RETURN(meta::UnlinkRsp rsp, co_await meta_->Call(&MetaService::Client::Unlink, req));
  co_return rsp.dir_time_ns;
}

Task<Status> FsClient::Rmdir(meta::Caller caller, InodeId parent, std::string name) {
  meta::RemoveReq req{std::move(caller), parent, std::move(name)};
  co_return (co_await meta_->Call(&MetaService::Client::Rmdir, req)).status();
}

Task<Status> FsClient::Rename(meta::Caller caller, InodeId src_parent, std::string src_name,
                              InodeId dst_parent, std::string dst_name, uint32_t flags) {
  meta::RenameReq req{std::move(caller), src_parent,          std::move(src_name),
                      dst_parent,        std::move(dst_name), flags};
  co_return (co_await meta_->Call(&MetaService::Client::Rename, req)).status();
}

Task<Result<meta::ReaddirRsp>> FsClient::Readdir(meta::Caller caller, InodeId id, std::string after,
                                                 uint32_t limit, bool plus) {
  meta::ReaddirReq req{std::move(caller), id, std::move(after), limit, plus};
  CO_ASSIGN_OR_RETURN(meta::ReaddirRsp rsp,
                      co_await meta_->Call(&MetaService::Client::Readdir, req));
  for (meta::Attr& a : rsp.attrs) a = Overlay(std::move(a));
  co_return rsp;
}

Task<Result<FsStat>> FsClient::Statfs() {
  meta::Empty req;
  CO_ASSIGN_OR_RETURN(meta::StatfsRsp rsp, co_await meta_->Call(&MetaService::Client::Statfs, req));
  FsStat st;
  st.total_inodes = rsp.total_inodes;
  st.free_inodes = rsp.total_inodes > rsp.used_inodes ? rsp.total_inodes - rsp.used_inodes : 0;
  st.max_name = rsp.max_name;
  // Space is what the storage targets report (see mgmtd::CapacityOf).
  mgmtd::Capacity space = mgmtd::CapacityOf(*routing_->current());
  st.total_bytes = space.total_bytes;
  st.free_bytes = space.free_bytes;
  co_return st;
}

Task<Status> FsClient::SetXattr(meta::Caller caller, InodeId id, std::string name,
                                std::string value, uint32_t flags) {
  meta::SetXattrReq req{std::move(caller), id, std::move(name), std::move(value), flags};
  co_return (co_await meta_->Call(&MetaService::Client::SetXattr, req)).status();
}

Task<Result<std::string>> FsClient::GetXattr(meta::Caller caller, InodeId id, std::string name) {
  meta::XattrNameReq req{std::move(caller), id, std::move(name)};
  CO_ASSIGN_OR_RETURN(meta::XattrValueRsp rsp,
                      co_await meta_->Call(&MetaService::Client::GetXattr, req));
  co_return rsp.value;
}

Task<Result<std::vector<std::string>>> FsClient::ListXattr(meta::Caller caller, InodeId id) {
  meta::XattrNameReq req{std::move(caller), id, {}};
  CO_ASSIGN_OR_RETURN(meta::XattrListRsp rsp,
                      co_await meta_->Call(&MetaService::Client::ListXattr, req));
  co_return rsp.names;
}

Task<Status> FsClient::RemoveXattr(meta::Caller caller, InodeId id, std::string name) {
  meta::RemoveXattrReq req{std::move(caller), id, std::move(name)};
  co_return (co_await meta_->Call(&MetaService::Client::RemoveXattr, req)).status();
}

Task<Status> FsClient::SetLock(InodeId id, meta::LockKind kind, uint64_t owner,
                               meta::LockRange range, bool wait,
                               std::function<bool()> interrupted) {
  // The server waits for the holder's release (it wakes at once for a release through it) for
  // up to kLockWaitMs per call; between calls the caller may have given up (an interrupt).
  constexpr uint32_t kLockWaitMs = 500;
  Nanos pause(1'000'000);
  for (;;) {
    meta::LockReq req;
    req.id = id;
    req.request.kind = kind;
    req.request.owner = meta::LockOwner{session_, owner};
    req.request.range = range;
    req.wait_ms = wait ? kLockWaitMs : 0;
    Nanos asked = rt_.clock().Now();
    Result<meta::Empty> r = co_await meta_->Call(&MetaService::Client::SetLock, req);
    if (r.ok() || r.status().code() != StatusCode::kWouldBlock || !wait) co_return r.status();
    if (interrupted && interrupted())
      co_return Status(StatusCode::kCancelled, "lock wait interrupted");
    if (rt_.clock().Now() - asked < Nanos(int64_t{kLockWaitMs} * 1'000'000 / 2)) {
      // A server that answered without waiting: ask again after a pause that grows.
      co_await rt_.clock().Sleep(pause);
      pause = std::min(pause * 2, Nanos(200'000'000));
    }
  }
}

Task<Result<std::optional<meta::LockConflict>>> FsClient::GetLock(InodeId id, meta::LockKind kind,
                                                                  uint64_t owner,
                                                                  meta::LockRange range) {
  meta::LockReq req;
  req.id = id;
  req.request.kind = kind;
  req.request.owner = meta::LockOwner{session_, owner};
  req.request.range = range;
  CO_ASSIGN_OR_RETURN(meta::GetLockRsp rsp,
                      co_await meta_->Call(&MetaService::Client::GetLock, req));
  co_return rsp.conflict;
}

}  // namespace chainfs::client
