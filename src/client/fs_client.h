#pragma once

#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "client/client_config.h"
#include "client/close_queue.h"
#include "client/file_chunks.h"
#include "client/file_writer.h"
#include "client/meta_client.h"
#include "client/read_ahead.h"

namespace chainfs::client {

struct OpenedFile {
  uint64_t handle = 0;
  meta::Attr attr;
  bool created = false;
};

struct FsStat {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t total_inodes = 0;
  uint64_t free_inodes = 0;
  uint32_t block_size = 4096;
  uint32_t max_name = 255;
};

// The file system as one client sees it, by inode: metadata calls go to any metadata server,
// file bytes straight to the storage chains. Open files keep per-file state here: the write
// buffer (FileWriter), the length this client wrote, and per handle a read-ahead window.
// Close-to-open: Flush (every close(2)) and Fsync send buffered bytes and report the length,
// so a later open anywhere sees both. Belongs to the thread of `rt`.
class FsClient {
 public:
  FsClient(Runtime& rt, ClientConfig config);
  ~FsClient();
  FsClient(const FsClient&) = delete;
  FsClient& operator=(const FsClient&) = delete;

  // Follows the routing and registers a client session; kUnavailable naming what did not
  // answer within client.start_timeout_ms, kAuthFailed for a wrong secret.
  Task<Status> Start();
  // Flushes open files, ends the session.
  Task<void> Stop();
  uint64_t session() const { return session_; }

  Task<Result<meta::Attr>> Lookup(meta::Caller caller, InodeId parent, std::string name);
  Task<Result<meta::Attr>> GetAttr(InodeId id);
  Task<Result<meta::Attr>> SetAttr(meta::Caller caller, InodeId id, meta::AttrChange change);
  Task<Result<meta::Attr>> Mknod(meta::Caller caller, InodeId parent, std::string name,
                                 meta::NewEntry entry);
  Task<Result<std::string>> Readlink(InodeId id);
  Task<Result<meta::Attr>> Link(meta::Caller caller, InodeId id, InodeId parent, std::string name);
  // The directory's new modification time (0: not known).
  Task<Result<int64_t>> Unlink(meta::Caller caller, InodeId parent, std::string name);
  Task<Status> Rmdir(meta::Caller caller, InodeId parent, std::string name);
  Task<Status> Rename(meta::Caller caller, InodeId src_parent, std::string src_name,
                      InodeId dst_parent, std::string dst_name, uint32_t flags);
  // With `plus`, the page carries each entry's attributes (one call per page).
  Task<Result<meta::ReaddirRsp>> Readdir(meta::Caller caller, InodeId id, std::string after,
                                         uint32_t limit, bool plus = false);
  Task<Result<FsStat>> Statfs();
  Task<Status> SetXattr(meta::Caller caller, InodeId id, std::string name, std::string value,
                        uint32_t flags);
  Task<Result<std::string>> GetXattr(meta::Caller caller, InodeId id, std::string name);
  Task<Result<std::vector<std::string>>> ListXattr(meta::Caller caller, InodeId id);
  Task<Status> RemoveXattr(meta::Caller caller, InodeId id, std::string name);
  // Sets or releases a lock owned by (this session, `owner`). With `wait`, a conflicting lock
  // is waited out on the metadata server (which answers as soon as the holder lets go), asked
  // again every half second until it goes or `interrupted` says so (kCancelled).
  Task<Status> SetLock(InodeId id, meta::LockKind kind, uint64_t owner, meta::LockRange range,
                       bool wait, std::function<bool()> interrupted);
  Task<Result<std::optional<meta::LockConflict>>> GetLock(InodeId id, meta::LockKind kind,
                                                          uint64_t owner, meta::LockRange range);

  Task<Result<OpenedFile>> Open(meta::Caller caller, InodeId id, uint32_t flags);
  Task<Result<OpenedFile>> Create(meta::Caller caller, InodeId parent, std::string name,
                                  uint32_t mode, uint32_t flags);
  // Reads up to out.size() bytes; fewer only at the end of the file.
  Task<Result<size_t>> Read(uint64_t handle, uint64_t offset, std::span<char> out);
  Task<Status> Write(uint64_t handle, uint64_t offset, std::span<const char> data);
  // Sends buffered bytes and reports the length (every close(2)).
  Task<Status> Flush(uint64_t handle);
  // Flush, then SyncMetadata: the file's bytes, length and name survive a machine failure.
  Task<Status> Fsync(uint64_t handle);
  // Every metadata change this client has seen answered is durable when it returns (the
  // metadata servers may answer before they sync; fsyncdir).
  Task<Status> SyncMetadata();
  Task<Status> Release(uint64_t handle);
  // fallocate(2) modes 0, KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE; kNotSupported others.
  Task<Status> Fallocate(uint64_t handle, int mode, uint64_t offset, uint64_t length);
  Task<Result<size_t>> CopyRange(uint64_t from, uint64_t from_offset, uint64_t to,
                                 uint64_t to_offset, size_t length);

  struct OpenInode;
  struct Handle;

 private:
  Task<Status> KeepSession();
  static Task<void> RunKeeper(FsClient* self);
  Task<Status> RegisterSession();
  Task<Result<OpenedFile>> Opened(meta::Caller caller, meta::Attr attr, uint32_t flags,
                                  bool created, uint64_t stamp);
  Task<Status> ReportLength(OpenInode& file, const meta::Caller& caller, bool close);
  Task<Status> RefreshSize(OpenInode& file);
  Task<Result<meta::Attr>> Resize(meta::Caller caller, InodeId id, meta::AttrChange change,
                                  std::shared_ptr<OpenInode> file);
  Task<Result<size_t>> ReadFile(Handle& handle, uint64_t offset, std::span<char> out);
  Result<Handle*> FindHandle(uint64_t handle);
  // What this client knows beyond the store: the length it wrote into open files.
  meta::Attr Overlay(meta::Attr attr) const;

  Runtime& rt_;
  ClientConfig config_;
  ReadAheadBudget read_ahead_budget_;  // before the handles: their windows give back to it
  std::unique_ptr<rpc::ClientPool> pool_;
  std::unique_ptr<mgmtd::MgmtdClient> mgmtd_;
  std::unique_ptr<mgmtd::RoutingFollower> routing_;
  std::unique_ptr<StorageClient> storage_;
  std::unique_ptr<FileChunks> chunks_;
  std::unique_ptr<MetaClient> meta_;
  std::unique_ptr<MetaClient> session_meta_;
  std::unique_ptr<CloseQueue> closes_;  // write sessions to end, sent in batches
  uint64_t session_ = 0;
  Nanos session_lease_{0};
  bool stopping_ = false;
  bool keeper_running_ = false;
  uint64_t next_handle_ = 1;
  uint64_t last_stamp_ = 0;  // of the last open sent
  int read_aheads_ = 0;      // background fetches running
  std::map<InodeId, std::shared_ptr<OpenInode>> open_inodes_;
  std::map<uint64_t, std::unique_ptr<Handle>> handles_;
};

}  // namespace chainfs::client
