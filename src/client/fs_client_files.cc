// FsClient: open files, their bytes, and the lengths reported for them.
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/falloc.h>

#include <cstring>

#include "client/fs_client.h"
#include "client/open_file.h"
#include "common/logging.h"

namespace chainfs::client {

using meta::MetaService;

namespace {

bool Writes(uint32_t flags) { return (flags & O_ACCMODE) != O_RDONLY; }

uint64_t KnownSize(const FsClient::OpenInode& file) {
  return std::max(file.attr.record.size, file.written_end);
}

}  // namespace

Result<FsClient::Handle*> FsClient::FindHandle(uint64_t handle) {
  auto it = handles_.find(handle);
  if (it == handles_.end()) return InvalidArgument(fmt::format("no open file handle {}", handle));
  return it->second.get();
}

Task<Result<OpenedFile>> FsClient::Open(meta::Caller caller, InodeId id, uint32_t flags) {
  uint64_t stamp = ++last_stamp_;
  meta::OpenReq req{caller, id, flags, session_, stamp};
  CO_ASSIGN_OR_RETURN(meta::OpenRsp rsp, co_await meta_->Call(&MetaService::Client::Open, req));
  co_return co_await Opened(std::move(caller), rsp.attr, flags, false, stamp);
}

Task<Result<OpenedFile>> FsClient::Create(meta::Caller caller, InodeId parent, std::string name,
                                          uint32_t mode, uint32_t flags) {
  uint64_t stamp = ++last_stamp_;
  meta::CreateReq req{caller, parent, std::move(name), mode, flags, session_, stamp};
  CO_ASSIGN_OR_RETURN(meta::OpenRsp rsp, co_await meta_->Call(&MetaService::Client::Create, req));
  co_return co_await Opened(std::move(caller), rsp.attr, flags, rsp.created, stamp);
}

Task<Result<OpenedFile>> FsClient::Opened(meta::Caller caller, meta::Attr attr, uint32_t flags,
                                          bool created, uint64_t stamp) {
  if (attr.record.type != meta::FileType::kRegular || !attr.record.layout) {
    co_return InvalidArgument(fmt::format("inode {} is not a regular file", attr.id));
  }
  std::shared_ptr<OpenInode>& file = open_inodes_[attr.id];
  if (!file) {
    file = std::make_shared<OpenInode>();
    WriterOptions w;
    w.flush_delay = Nanos(config_.flush_delay_ms * 1'000'000);
    w.max_in_flight = static_cast<int>(config_.max_in_flight);
    file->writer = std::make_unique<FileWriter>(rt_, *chunks_, attr.id, *attr.record.layout, w);
  }
  std::shared_ptr<OpenInode> keep = file;
  ++keep->handles;
  keep->attr = attr;
  keep->stamp = std::max(keep->stamp, stamp);
  if ((flags & O_TRUNC) && Writes(flags) && !created) {
    // The metadata server emptied the file; its chunks go too.
    Status st = co_await keep->writer->Flush();
    if (st.ok()) st = co_await chunks_->Truncate(attr.id, *attr.record.layout, 0);
    keep->written_end = 0;
    ++keep->generation;
    if (!st.ok()) LOG_WARN("emptying the chunks of inode {}: {}", attr.id, st.ToString());
  }
  auto handle = std::make_unique<Handle>();
  handle->file = keep;
  handle->read_ahead = std::make_unique<ReadAhead>(
      rt_, static_cast<uint64_t>(config_.read_ahead_kib) << 10, read_ahead_budget_, &read_aheads_);
  handle->caller = std::move(caller);
  handle->flags = flags;
  uint64_t id = next_handle_++;
  handles_[id] = std::move(handle);
  co_return OpenedFile{id, Overlay(attr), created};
}

Task<Status> FsClient::ReportLength(OpenInode& file, const meta::Caller& caller, bool close) {
  meta::ReportLengthReq req;
  req.caller = caller;
  req.id = file.attr.id;
  req.session = session_;
  req.report.length = file.written_end;
  req.report.truncate_version = file.attr.record.truncate_version;
  req.report.wrote = file.wrote;
  req.close = close;
  req.stamp = file.stamp;
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp,
                      co_await meta_->Call(&MetaService::Client::ReportLength, req));
  file.attr = rsp.attr;
  file.wrote = false;
  co_return Status();
}

Task<Status> FsClient::RefreshSize(OpenInode& file) {
  meta::InodeReq req{file.attr.id};
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp, co_await meta_->Call(&MetaService::Client::GetAttr, req));
  if (rsp.attr.record.truncate_version != file.attr.record.truncate_version) ++file.generation;
  file.attr = rsp.attr;
  co_return Status();
}

Task<Result<size_t>> FsClient::Read(uint64_t handle_id, uint64_t offset, std::span<char> out) {
  CO_ASSIGN_OR_RETURN(Handle * handle, FindHandle(handle_id));
  std::shared_ptr<OpenInode> file = handle->file;
  if (file->writer->busy()) CO_RETURN_IF_ERROR(co_await file->writer->Flush());
  // Past the length known here: another client may have written more and closed.
  if (offset + out.size() > KnownSize(*file)) CO_RETURN_IF_ERROR(co_await RefreshSize(*file));
  uint64_t size = KnownSize(*file);
  if (offset >= size || out.empty()) co_return size_t{0};
  size_t n = std::min<uint64_t>(out.size(), size - offset);
  co_return co_await ReadFile(*handle, offset, out.first(n));
}

Task<Result<size_t>> FsClient::ReadFile(Handle& handle, uint64_t offset, std::span<char> out) {
  const OpenInode& file = *handle.file;
  ReadAhead::Source src{chunks_.get(), file.attr.id, *file.attr.record.layout, KnownSize(file),
                        file.generation};
  CO_RETURN_IF_ERROR(co_await handle.read_ahead->Read(src, offset, out));
  co_return out.size();
}

Task<Status> FsClient::Write(uint64_t handle_id, uint64_t offset, std::span<const char> data) {
  CO_ASSIGN_OR_RETURN(Handle * handle, FindHandle(handle_id));
  if (!Writes(handle->flags))
    co_return Status(StatusCode::kPermissionDenied, "not open for writing");
  std::shared_ptr<OpenInode> file = handle->file;
  ++file->generation;
  file->written_end = std::max(file->written_end, offset + data.size());
  file->wrote = true;
  co_return co_await file->writer->Write(offset, data);
}

Task<Status> FsClient::Flush(uint64_t handle_id) {
  CO_ASSIGN_OR_RETURN(Handle * handle, FindHandle(handle_id));
  std::shared_ptr<OpenInode> file = handle->file;
  meta::Caller caller = handle->caller;
  CO_RETURN_IF_ERROR(co_await file->writer->Flush());
  if (!file->wrote) co_return Status();
  co_return co_await ReportLength(*file, caller, false);
}

Task<Status> FsClient::Fsync(uint64_t handle_id) {
  CO_RETURN_IF_ERROR(co_await Flush(handle_id));
  co_return co_await SyncMetadata();
}

Task<Status> FsClient::SyncMetadata() {
  meta::Empty req;
  co_return (co_await meta_->Call(&MetaService::Client::Sync, req)).status();
}

Task<Status> FsClient::Release(uint64_t handle_id) {
  CO_ASSIGN_OR_RETURN(Handle * handle, FindHandle(handle_id));
  std::shared_ptr<OpenInode> file = handle->file;
  meta::Caller caller = handle->caller;
  handles_.erase(handle_id);
  Status st = co_await file->writer->Flush();
  if (--file->handles > 0) {
    if (st.ok() && file->wrote) st = co_await ReportLength(*file, caller, false);
    co_return st;
  }
  // The last handle here: the close ends this client's write session on the file, with the
  // length when there is one to report, else in a batch with other closes.
  Status reported;
  if (st.ok() && !file->wrote) {
    closes_->Add(session_, file->attr.id, file->stamp);
  } else {
    reported = co_await ReportLength(*file, caller, true);
  }
  if (file->handles == 0) open_inodes_.erase(file->attr.id);
  co_return st.ok() ? reported : st;
}

Task<Result<meta::Attr>> FsClient::SetAttr(meta::Caller caller, InodeId id,
                                           meta::AttrChange change) {
  auto open = open_inodes_.find(id);
  std::shared_ptr<OpenInode> file = open == open_inodes_.end() ? nullptr : open->second;
  if (change.size) co_return co_await Resize(std::move(caller), id, change, file);
  meta::SetAttrReq req{std::move(caller), id, change};
  CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp, co_await meta_->Call(&MetaService::Client::SetAttr, req));
  if (file) file->attr = rsp.attr;
  co_return Overlay(rsp.attr);
}

// What this client buffered lands first, then the store takes the new size (checking
// permissions), then bytes past it leave the chunks.
Task<Result<meta::Attr>> FsClient::Resize(meta::Caller caller, InodeId id, meta::AttrChange change,
                                          std::shared_ptr<OpenInode> file) {
  uint64_t size = *change.size;
  if (file) CO_RETURN_IF_ERROR(co_await file->writer->Flush());
  Result<meta::Attr> before = co_await GetAttr(id);
  if (!before.ok()) co_return before.status();
  uint64_t old_size = before->record.size;
  meta::SetAttrReq req{std::move(caller), id, change};
  Result<meta::AttrRsp> rsp = co_await meta_->Call(&MetaService::Client::SetAttr, req);
  if (!rsp.ok()) co_return rsp.status();
  if (file) {
    file->attr = rsp->attr;
    file->written_end = std::min(file->written_end, size);
    ++file->generation;
  }
  if (size < old_size && rsp->attr.record.layout) {
    Status st = co_await chunks_->Truncate(id, *rsp->attr.record.layout, size);
    if (!st.ok()) co_return st;
  }
  co_return Overlay(rsp->attr);
}

Task<Status> FsClient::Fallocate(uint64_t handle_id, int mode, uint64_t offset, uint64_t length) {
  CO_ASSIGN_OR_RETURN(Handle * handle, FindHandle(handle_id));
  std::shared_ptr<OpenInode> file = handle->file;
  meta::Caller caller = handle->caller;
  bool keep_size = mode & FALLOC_FL_KEEP_SIZE;
  int kind = mode & ~FALLOC_FL_KEEP_SIZE;
  if (kind != 0 && kind != FALLOC_FL_PUNCH_HOLE && kind != FALLOC_FL_ZERO_RANGE) {
    co_return Status(StatusCode::kUnimplemented, fmt::format("fallocate mode {:#x}", mode));
  }
  if (kind == FALLOC_FL_PUNCH_HOLE && !keep_size) {
    co_return InvalidArgument("fallocate: PUNCH_HOLE needs KEEP_SIZE");
  }
  if (!Writes(handle->flags))
    co_return Status(StatusCode::kPermissionDenied, "not open for writing");
  CO_RETURN_IF_ERROR(co_await file->writer->Flush());
  CO_RETURN_IF_ERROR(co_await RefreshSize(*file));
  uint64_t size = KnownSize(*file);
  if (kind != 0 && offset < size) {
    uint64_t n = keep_size ? std::min(length, size - offset) : length;
    CO_RETURN_IF_ERROR(co_await chunks_->Zero(file->attr.id, *file->attr.record.layout, offset, n));
    ++file->generation;
  }
  if (!keep_size && offset + length > size) {
    // Space is not reserved ahead (chunks are written when data comes); the length grows.
    meta::AttrChange change;
    change.size = offset + length;
    meta::SetAttrReq req{caller, file->attr.id, change};
    CO_ASSIGN_OR_RETURN(meta::AttrRsp rsp,
                        co_await meta_->Call(&MetaService::Client::SetAttr, req));
    file->attr = rsp.attr;
  }
  co_return Status();
}

Task<Result<size_t>> FsClient::CopyRange(uint64_t from, uint64_t from_offset, uint64_t to,
                                         uint64_t to_offset, size_t length) {
  std::string buffer(std::min<size_t>(length, 4u << 20), '\0');
  size_t copied = 0;
  while (copied < length) {
    size_t want = std::min(buffer.size(), length - copied);
    CO_ASSIGN_OR_RETURN(
        size_t n, co_await Read(from, from_offset + copied, std::span<char>(buffer.data(), want)));
    if (n == 0) break;
    CO_RETURN_IF_ERROR(
        co_await Write(to, to_offset + copied, std::span<const char>(buffer.data(), n)));
    copied += n;
  }
  co_return copied;
}

}  // namespace chainfs::client
