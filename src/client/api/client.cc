// chainfs::Client: the public API over FsClient, which runs on a worker thread of its own.
#include "chainfs/client.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "client/api/client_impl.h"
#include "client/api/convert.h"
#include "common/load_config.h"

namespace chainfs {

using api::Errno;
using api::ToCaller;
using api::ToFileAttr;

namespace {

Task<Status> StartOn(Client::Impl* impl, client::ClientConfig config) {
  impl->fs = std::make_unique<client::FsClient>(impl->rt.worker(0), std::move(config));
  co_return co_await impl->fs->Start();
}

Task<Status> StopOn(Client::Impl* impl) {
  if (impl->fs) {
    co_await impl->fs->Stop();
    impl->fs.reset();
  }
  co_return Status();
}

int Fill(const Result<meta::Attr>& r, FileAttr* attr) {
  if (!r.ok()) return Errno(r.status());
  if (attr != nullptr) *attr = ToFileAttr(*r);
  return 0;
}

}  // namespace

std::unique_ptr<Client> Client::Connect(const std::string& config_path,
                                        const std::vector<std::string>& overrides,
                                        std::string* error) {
  client::ClientConfig config;
  Status st = LoadConfig(config_path, overrides, config);
  if (st.ok()) st = config.Validate();
  if (!st.ok()) {
    if (error) *error = std::string(st.message());
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  st = impl->Run([&] { return StartOn(impl.get(), std::move(config)); });
  if (!st.ok()) {
    if (error) *error = std::string(st.message());
    (void)impl->Run([&] { return StopOn(impl.get()); });
    return nullptr;
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  (void)impl_->Run([&] { return StopOn(impl_.get()); });
}

int Client::Lookup(const Credentials& who, uint64_t parent, const std::string& name,
                   FileAttr* attr) {
  return Fill(impl_->Run([&] { return impl_->fs->Lookup(ToCaller(who), InodeId(parent), name); }),
              attr);
}

int Client::GetAttr(uint64_t ino, FileAttr* attr) {
  return Fill(impl_->Run([&] { return impl_->fs->GetAttr(InodeId(ino)); }), attr);
}

int Client::SetAttr(const Credentials& who, uint64_t ino, const AttrChange& change,
                    FileAttr* attr) {
  return Fill(impl_->Run([&] {
    return impl_->fs->SetAttr(ToCaller(who), InodeId(ino), api::ToAttrChange(change));
  }),
              attr);
}

int Client::Mknod(const Credentials& who, uint64_t parent, const std::string& name, uint32_t mode,
                  uint64_t rdev, FileAttr* attr) {
  Result<meta::FileType> type = api::TypeOf(mode);
  if (!type.ok() || *type == meta::FileType::kSymlink) return -EINVAL;
  meta::NewEntry entry;
  entry.type = *type;
  entry.mode = mode & 07777;
  entry.rdev = rdev;
  return Fill(
      impl_->Run([&] { return impl_->fs->Mknod(ToCaller(who), InodeId(parent), name, entry); }),
      attr);
}

int Client::Symlink(const Credentials& who, uint64_t parent, const std::string& name,
                    const std::string& target, FileAttr* attr) {
  meta::NewEntry entry;
  entry.type = meta::FileType::kSymlink;
  entry.mode = 0777;
  entry.symlink_target = target;
  return Fill(
      impl_->Run([&] { return impl_->fs->Mknod(ToCaller(who), InodeId(parent), name, entry); }),
      attr);
}

int Client::Readlink(uint64_t ino, std::string* target) {
  Result<std::string> r = impl_->Run([&] { return impl_->fs->Readlink(InodeId(ino)); });
  if (!r.ok()) return Errno(r.status());
  *target = std::move(*r);
  return 0;
}

int Client::Link(const Credentials& who, uint64_t ino, uint64_t parent, const std::string& name,
                 FileAttr* attr) {
  return Fill(impl_->Run([&] {
    return impl_->fs->Link(ToCaller(who), InodeId(ino), InodeId(parent), name);
  }),
              attr);
}

int Client::Unlink(const Credentials& who, uint64_t parent, const std::string& name) {
  return Errno(
      impl_->Run([&] { return impl_->fs->Unlink(ToCaller(who), InodeId(parent), name); }).status());
}

int Client::Rmdir(const Credentials& who, uint64_t parent, const std::string& name) {
  return Errno(impl_->Run([&] { return impl_->fs->Rmdir(ToCaller(who), InodeId(parent), name); }));
}

int Client::Rename(const Credentials& who, uint64_t parent, const std::string& name,
                   uint64_t new_parent, const std::string& new_name, unsigned flags) {
  return Errno(impl_->Run([&] {
    return impl_->fs->Rename(ToCaller(who), InodeId(parent), name, InodeId(new_parent), new_name,
                             flags);
  }));
}

int Client::ReadDir(const Credentials& who, uint64_t ino, const std::string& after, uint32_t limit,
                    DirPage* page, bool plus) {
  Result<meta::ReaddirRsp> r = impl_->Run(
      [&] { return impl_->fs->Readdir(ToCaller(who), InodeId(ino), after, limit, plus); });
  if (!r.ok()) return Errno(r.status());
  *page = api::ToDirPage(*r);
  return 0;
}

int Client::StatFs(FsStats* stats) {
  Result<client::FsStat> r = impl_->Run([&] { return impl_->fs->Statfs(); });
  if (!r.ok()) return Errno(r.status());
  stats->total_bytes = r->total_bytes;
  stats->free_bytes = r->free_bytes;
  stats->total_inodes = r->total_inodes;
  stats->free_inodes = r->free_inodes;
  stats->block_size = r->block_size;
  stats->max_name = r->max_name;
  return 0;
}

int Client::SetXattr(const Credentials& who, uint64_t ino, const std::string& name,
                     const std::string& value, int flags) {
  return Errno(impl_->Run([&] {
    return impl_->fs->SetXattr(ToCaller(who), InodeId(ino), name, value,
                               static_cast<uint32_t>(flags));
  }));
}

int Client::GetXattr(const Credentials& who, uint64_t ino, const std::string& name,
                     std::string* value) {
  Result<std::string> r =
      impl_->Run([&] { return impl_->fs->GetXattr(ToCaller(who), InodeId(ino), name); });
  if (!r.ok()) return Errno(r.status());
  *value = std::move(*r);
  return 0;
}

int Client::ListXattr(const Credentials& who, uint64_t ino, std::vector<std::string>* names) {
  Result<std::vector<std::string>> r =
      impl_->Run([&] { return impl_->fs->ListXattr(ToCaller(who), InodeId(ino)); });
  if (!r.ok()) return Errno(r.status());
  *names = std::move(*r);
  return 0;
}

int Client::RemoveXattr(const Credentials& who, uint64_t ino, const std::string& name) {
  return Errno(
      impl_->Run([&] { return impl_->fs->RemoveXattr(ToCaller(who), InodeId(ino), name); }));
}

int Client::SetLock(uint64_t ino, LockKind kind, uint64_t owner, const LockRange& range, bool wait,
                    bool (*interrupted)(void*), void* arg) {
  std::function<bool()> check;
  if (interrupted != nullptr) check = [interrupted, arg] { return interrupted(arg); };
  return Errno(impl_->Run([&] {
    return impl_->fs->SetLock(InodeId(ino), api::ToLockKind(kind), owner, api::ToLockRange(range),
                              wait, std::move(check));
  }));
}

int Client::GetLock(uint64_t ino, LockKind kind, uint64_t owner, const LockRange& range,
                    LockRange* conflict) {
  Result<std::optional<meta::LockConflict>> r = impl_->Run([&] {
    return impl_->fs->GetLock(InodeId(ino), api::ToLockKind(kind), owner, api::ToLockRange(range));
  });
  if (!r.ok()) return Errno(r.status());
  *conflict = LockRange{};
  conflict->type = LockType::kUnlock;
  if (r->has_value()) *conflict = api::FromLockRange((*r)->range);
  return 0;
}

int Client::Open(const Credentials& who, uint64_t ino, int flags, uint64_t* fh, FileAttr* attr) {
  Result<client::OpenedFile> r = impl_->Run(
      [&] { return impl_->fs->Open(ToCaller(who), InodeId(ino), static_cast<uint32_t>(flags)); });
  if (!r.ok()) return Errno(r.status());
  *fh = r->handle;
  if (attr != nullptr) *attr = ToFileAttr(r->attr);
  return 0;
}

int Client::Create(const Credentials& who, uint64_t parent, const std::string& name, uint32_t mode,
                   int flags, uint64_t* fh, FileAttr* attr) {
  Result<client::OpenedFile> r = impl_->Run([&] {
    return impl_->fs->Create(ToCaller(who), InodeId(parent), name, mode & 07777,
                             static_cast<uint32_t>(flags));
  });
  if (!r.ok()) return Errno(r.status());
  *fh = r->handle;
  if (attr != nullptr) *attr = ToFileAttr(r->attr);
  return 0;
}

ssize_t Client::Pread(uint64_t fh, void* buf, size_t count, uint64_t offset) {
  Result<size_t> r = impl_->Run(
      [&] { return impl_->fs->Read(fh, offset, std::span<char>(static_cast<char*>(buf), count)); });
  if (!r.ok()) return Errno(r.status());
  return static_cast<ssize_t>(*r);
}

ssize_t Client::Pwrite(uint64_t fh, const void* buf, size_t count, uint64_t offset) {
  Status st = impl_->Run([&] {
    return impl_->fs->Write(fh, offset,
                            std::span<const char>(static_cast<const char*>(buf), count));
  });
  if (!st.ok()) return Errno(st);
  return static_cast<ssize_t>(count);
}

int Client::Flush(uint64_t fh) {
  return Errno(impl_->Run([&] { return impl_->fs->Flush(fh); }));
}

int Client::Fsync(uint64_t fh) {
  return Errno(impl_->Run([&] { return impl_->fs->Fsync(fh); }));
}

int Client::SyncMetadata() {
  return Errno(impl_->Run([&] { return impl_->fs->SyncMetadata(); }));
}

int Client::Close(uint64_t fh) {
  return Errno(impl_->Run([&] { return impl_->fs->Release(fh); }));
}

int Client::Fallocate(uint64_t fh, int mode, uint64_t offset, uint64_t length) {
  Status st = impl_->Run([&] { return impl_->fs->Fallocate(fh, mode, offset, length); });
  if (st.code() == StatusCode::kUnimplemented) return -EOPNOTSUPP;
  return Errno(st);
}

ssize_t Client::CopyFileRange(uint64_t fh_in, uint64_t offset_in, uint64_t fh_out,
                              uint64_t offset_out, size_t length) {
  Result<size_t> r = impl_->Run(
      [&] { return impl_->fs->CopyRange(fh_in, offset_in, fh_out, offset_out, length); });
  if (!r.ok()) return Errno(r.status());
  return static_cast<ssize_t>(*r);
}

}  // namespace chainfs
