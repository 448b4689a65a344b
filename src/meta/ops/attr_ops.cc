#include "meta/ops/attr_ops.h"

#include <fmt/format.h>

#include "meta/ops/posix_acl.h"
#include "meta/schema/keys.h"

#include "meta/ops/store.h"

namespace chainfs::meta {

namespace {
Status NotPermitted(std::string what) { return Status(StatusCode::kNotPermitted, std::move(what)); }
}  // namespace

bool SetAttrOp::NeedsWriteAccess(const InodeRecord& inode) const {
  bool owner = caller_.uid == 0 || caller_.uid == inode.uid;
  return change_.size.has_value() || (change_.times_to_now && !owner);
}

Status SetAttrOp::Apply(InodeRecord& inode, const Status& writable) const {
  bool root = caller_.uid == 0;
  bool owner = root || caller_.uid == inode.uid;
  if (change_.mode) {
    if (*change_.mode & ~07777u) return InvalidArgument(fmt::format("mode {:o}", *change_.mode));
    if (!owner) return NotPermitted("only the owner may change the mode");
    inode.mode = *change_.mode;
    if (!root && !caller_.InGroup(inode.gid)) inode.mode &= ~kSetGid;
  }
  if (change_.uid || change_.gid) {
    uint32_t uid = change_.uid.value_or(inode.uid), gid = change_.gid.value_or(inode.gid);
    if (!root && (uid != inode.uid || !owner || (gid != inode.gid && !caller_.InGroup(gid)))) {
      return NotPermitted("only root may give a file away, and owners only to their own groups");
    }
    if (inode.type != FileType::kDirectory) inode.mode &= ~(kSetUid | kSetGid);
    inode.uid = uid;
    inode.gid = gid;
  }
  if (change_.size) {
    if (inode.type == FileType::kDirectory) {
      return Status(StatusCode::kIsDirectory, "a directory has no size to set");
    }
    if (inode.type != FileType::kRegular)
      return InvalidArgument("only regular files have a size to set");
    RETURN_IF_ERROR(writable);
    if (!root) inode.mode &= ~(kSetUid | kSetGid);
    inode.size = *change_.size;
    ++inode.truncate_version;
    inode.mtime_ns = now_ns_;
  }
  if (change_.atime_ns || change_.mtime_ns) {
    if (!owner) return NotPermitted("only the owner may set explicit times");
    if (change_.atime_ns) inode.atime_ns = *change_.atime_ns;
    if (change_.mtime_ns) inode.mtime_ns = *change_.mtime_ns;
  }
  if (change_.times_to_now) {
    if (!owner) RETURN_IF_ERROR(writable);
    inode.atime_ns = inode.mtime_ns = now_ns_;
  }
  inode.ctime_ns = now_ns_;
  return Status();
}

namespace {

// chmod rewrites the owner, mask and other entries of an access ACL, as Linux does.
Task<Status> ChmodAccessAcl(kv::Transaction& txn, InodeId id, uint32_t mode) {
  std::string key = keys::Xattr(id, kAclAccess);
  Result<std::optional<std::string>> raw = co_await txn.Get(key);
  if (!raw.ok()) co_return raw.status();
  if (!*raw) co_return Status();
  Result<std::vector<AclEntry>> acl = ParseAcl(**raw);
  if (!acl.ok()) co_return Status();  // an ACL the kernel never set: left as it is
  ChmodAcl(*acl, mode);
  txn.Set(key, EncodeAcl(*acl));
  co_return Status();
}

}  // namespace

Task<Status> SetAttrOp::Run(kv::Transaction& txn) {
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/false);
  if (!inode.ok()) co_return inode.status();
  uint64_t old_size = inode->size;
  Status writable;
  if (NeedsWriteAccess(*inode)) {
    writable = co_await CheckAccessWithAcl(txn, id_, *inode, caller_, kMayWrite);
  }
  CO_RETURN_IF_ERROR(Apply(*inode, writable));
  StoreInode(txn, id_, *inode);
  if (change_.mode) CO_RETURN_IF_ERROR(co_await ChmodAccessAcl(txn, id_, inode->mode));
  if (inode->type == FileType::kRegular) {
    CountBytes(txn, id_, static_cast<int64_t>(inode->size) - static_cast<int64_t>(old_size));
  }
  Result<Attr> attr = co_await LoadAttr(txn, id_);
  if (!attr.ok()) co_return attr.status();
  result = std::move(*attr);
  co_return Status();
}

Task<Status> LinkOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateName(name_));
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/false);
  if (!inode.ok()) co_return inode.status();
  if (inode->type == FileType::kDirectory) co_return NotPermitted("directories cannot be linked");
  if (inode->nlink == 0) co_return NotFound(fmt::format("inode {} has no links left", id_));
  if (inode->nlink >= kMaxLinks) {
    co_return Status(StatusCode::kTooManyLinks,
                     fmt::format("inode {} has {} links", id_, inode->nlink));
  }
  Result<InodeRecord> parent = co_await LoadParentOfNewEntry(txn, parent_, caller_, name_);
  if (!parent.ok()) co_return parent.status();
  ++inode->nlink;
  inode->ctime_ns = now_ns_;
  StoreInode(txn, id_, *inode);
  StoreDentry(txn, parent_, name_, DentryRecord{id_, inode->type});
  TouchDirectory(txn, parent_, now_ns_, 1, 0);
  result = Attr{id_, std::move(*inode)};
  co_return Status();
}

Task<Status> ReadlinkOp::Run(kv::Transaction& txn) {
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/true);
  if (!inode.ok()) co_return inode.status();
  if (inode->type != FileType::kSymlink) {
    co_return InvalidArgument(fmt::format("inode {} is not a symlink", id_));
  }
  target = inode->symlink_target;
  co_return Status();
}

}  // namespace chainfs::meta
