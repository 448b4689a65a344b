#include "meta/ops/open_ops.h"

#include <fcntl.h>
#include <fmt/format.h>

#include "meta/ops/sessions.h"
#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

constexpr int64_t kRelatimeWindowNs = 24LL * 3600 * 1'000'000'000;

// Flags that only the kernel or the client act on; the server accepts and ignores them.
constexpr uint32_t kClientFlags = O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT |
                                  O_LARGEFILE | O_NOATIME | O_CLOEXEC | O_NOCTTY | FASYNC;

bool AtimeDue(const InodeRecord& inode, int64_t now_ns) {
  return inode.atime_ns <= inode.mtime_ns || inode.atime_ns <= inode.ctime_ns ||
         now_ns - inode.atime_ns >= kRelatimeWindowNs;
}

uint32_t AccessWanted(uint32_t flags) {
  switch (flags & O_ACCMODE) {
    case O_WRONLY:
      return kMayWrite;
    case O_RDWR:
      return kMayRead | kMayWrite;
    default:
      return kMayRead;
  }
}

}  // namespace

bool WantsWrite(uint32_t flags) {
  return (flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR;
}

Status ValidateOpenFlags(uint32_t flags) {
  if ((flags & O_ACCMODE) == O_ACCMODE) return InvalidArgument("open access mode 3");
  uint32_t unknown = flags & ~(O_ACCMODE | O_TRUNC | kClientFlags);
  if (unknown != 0) return InvalidArgument(fmt::format("open flags {:#o} not allowed", unknown));
  return Status();
}

Task<Status> OpenOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateOpenFlags(flags_));
  bool write = WantsWrite(flags_);
  bool truncate = (flags_ & O_TRUNC) && write;
  if (write && session_ == 0) co_return InvalidArgument("opening for writing needs a session");
  if (session_ != 0) CO_RETURN_IF_ERROR(co_await ExpectClient(txn, session_));
  Result<Attr> attr = co_await LoadAttr(txn, id_);
  if (!attr.ok()) co_return attr.status();
  InodeRecord& inode = attr->record;
  if (inode.type == FileType::kSymlink) {
    co_return Status(StatusCode::kLoop, fmt::format("inode {} is a symlink", id_));
  }
  if (inode.type == FileType::kDirectory && write) {
    co_return Status(StatusCode::kIsDirectory, fmt::format("inode {} is a directory", id_));
  }
  CO_RETURN_IF_ERROR(co_await CheckAccessWithAcl(txn, id_, inode, caller_, AccessWanted(flags_)));
  bool touch_atime =
      !(flags_ & O_NOATIME) && inode.type != FileType::kDirectory && AtimeDue(inode, now_ns_);
  if (truncate || touch_atime) {
    // Read again with a conflict: the record is written back whole.
    Result<InodeRecord> fresh = co_await LoadInode(txn, id_, /*snapshot=*/false);
    if (!fresh.ok()) co_return fresh.status();
    inode = std::move(*fresh);
    if (touch_atime) inode.atime_ns = now_ns_;
    if (truncate && inode.type == FileType::kRegular) {
      CountBytes(txn, id_, -static_cast<int64_t>(inode.size));
      inode.size = 0;
      ++inode.truncate_version;
      inode.mtime_ns = inode.ctime_ns = now_ns_;
      if (caller_.uid != 0) inode.mode &= ~(kSetUid | kSetGid);
    }
    StoreInode(txn, id_, inode);
  }
  if (session_ != 0) OpenWriteSession(txn, id_, session_, stamp_);
  // Opening for reading does not wait for a disk sync: what it writes (a reader's record and
  // an access time) is cheap to lose. Should the store's machine fail before the next durable
  // commit, a file unlinked while this reader had it open may be collected early.
  if (!write) txn.RelaxDurability();
  result = std::move(*attr);
  co_return Status();
}

Task<Status> ReportLengthOp::Run(kv::Transaction& txn) {
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/false);
  if (!inode.ok()) co_return inode.status();
  if (inode->type != FileType::kRegular) {
    co_return InvalidArgument(fmt::format("inode {} is not a regular file", id_));
  }
  bool changed = false;
  if (report_.truncate_version == inode->truncate_version && report_.length > inode->size) {
    CountBytes(txn, id_, static_cast<int64_t>(report_.length - inode->size));
    inode->size = report_.length;
    changed = true;
  }
  if (report_.wrote) {
    inode->mtime_ns = inode->ctime_ns = now_ns_;
    if (caller_.uid != 0) inode->mode &= ~(kSetUid | kSetGid);
    changed = true;
  }
  if (changed) StoreInode(txn, id_, *inode);
  if (end_session_ && session_ != 0) {
    CO_RETURN_IF_ERROR(co_await CloseWriteSession(txn, id_, session_, now_ns_, stamp_));
    CO_RETURN_IF_ERROR(co_await ForgetIfReleased(txn, id_, session_));
  }
  result = Attr{id_, std::move(*inode)};
  co_return Status();
}

Task<Status> OwnsOpenOp::Run(kv::Transaction& txn) {
  owns = false;
  if (session_ == 0 || stamp_ == 0) co_return Status();
  Result<std::optional<std::string>> open = co_await txn.SnapshotGet(keys::Session(id_, session_));
  if (!open.ok()) co_return open.status();
  owns = *open && OpenStampOf(**open) == stamp_;
  co_return Status();
}

Task<Status> CloseFilesOp::Run(kv::Transaction& txn) {
  if (stamps_.size() != ids_.size()) {
    co_return InvalidArgument(
        fmt::format("{} files closed with {} open stamps", ids_.size(), stamps_.size()));
  }
  for (size_t i = 0; i < ids_.size(); ++i) {
    CO_RETURN_IF_ERROR(co_await CloseWriteSession(txn, ids_[i], session_, now_ns_, stamps_[i]));
    CO_RETURN_IF_ERROR(co_await ForgetIfReleased(txn, ids_[i], session_));
  }
  co_return Status();
}

}  // namespace chainfs::meta
