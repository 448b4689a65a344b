#include "meta/ops/xattr_ops.h"

#include <fmt/format.h>

#include "meta/ops/posix_acl.h"
#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

Status ValidateXattrName(std::string_view name) {
  if (name.empty() || name.find('\0') != std::string_view::npos) {
    return InvalidArgument("an attribute name must be non-empty and without NUL");
  }
  if (name.size() > kMaxXattrNameBytes) {
    return Status(StatusCode::kNameTooLong, fmt::format("attribute name of {} bytes", name.size()));
  }
  return Status();
}

Status Missing(InodeId id, std::string_view name) {
  return Status(StatusCode::kNoAttribute, fmt::format("inode {} has no attribute '{}'", id, name));
}

// Attribute changes touch the inode's ctime, and need the inode to exist.
Task<Status> TouchInode(kv::Transaction& txn, InodeId id, int64_t now_ns, uint32_t clear_flags) {
  Result<InodeRecord> inode = co_await LoadInode(txn, id, /*snapshot=*/false);
  if (!inode.ok()) co_return inode.status();
  inode->ctime_ns = now_ns;
  inode->flags &= ~clear_flags;
  StoreInode(txn, id, *inode);
  co_return Status();
}

}  // namespace

Task<Status> SetXattrOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateXattrName(name_));
  if (value_.size() > kMaxXattrValueBytes) {
    co_return Status(StatusCode::kTooLarge, fmt::format("attribute value of {} bytes exceeds {}",
                                                        value_.size(), kMaxXattrValueBytes));
  }
  std::string key = keys::Xattr(id_, name_);
  if (name_ == kAclAccess || name_ == kAclDefault) {
    co_return co_await SetAcl(txn, key);
  }
  CO_RETURN_IF_ERROR(co_await TouchInode(txn, id_, now_ns_, kInodeNoXattrs));
  if (mode_ != XattrMode::kAny) {
    Result<std::optional<std::string>> existing = co_await txn.Get(key);
    if (!existing.ok()) co_return existing.status();
    if (mode_ == XattrMode::kCreate && *existing) {
      co_return Status(StatusCode::kAlreadyExists, fmt::format("attribute '{}' exists", name_));
    }
    if (mode_ == XattrMode::kReplace && !*existing) co_return Missing(id_, name_);
  }
  txn.Set(key, value_);
  co_return Status();
}

Task<Status> SetXattrOp::SetAcl(kv::Transaction& txn, std::string key) {
  Result<std::vector<AclEntry>> acl = ParseAcl(value_);
  if (!acl.ok()) co_return acl.status();
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/false);
  if (!inode.ok()) co_return inode.status();
  if (caller_.uid != 0 && caller_.uid != inode->uid) {
    co_return Status(StatusCode::kNotPermitted, "only the owner may set an ACL");
  }
  inode->ctime_ns = now_ns_;
  if (name_ == kAclDefault) {
    if (inode->type != FileType::kDirectory) {
      co_return Status(StatusCode::kPermissionDenied, "a default ACL is for directories only");
    }
    inode->flags &= ~kInodeNoXattrs;
    txn.Set(key, value_);
  } else {
    // The mode follows the ACL; an ACL that says no more than a mode is kept as the mode.
    inode->mode = (inode->mode & ~0777u) | AclModeBits(*acl);
    if (AclIsMinimal(*acl)) {
      inode->flags &= ~kInodeHasAcl;
      txn.Clear(key);
    } else {
      inode->flags = (inode->flags | kInodeHasAcl) & ~kInodeNoXattrs;
      txn.Set(key, value_);
    }
  }
  StoreInode(txn, id_, *inode);
  co_return Status();
}

Task<Status> GetXattrOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateXattrName(name_));
  Result<std::optional<std::string>> v = co_await txn.SnapshotGet(keys::Xattr(id_, name_));
  if (!v.ok()) co_return v.status();
  if (!*v) {
    // Tell a missing inode from a missing attribute.
    Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/true);
    if (!inode.ok()) co_return inode.status();
    co_return Missing(id_, name_);
  }
  value = std::move(**v);
  co_return Status();
}

Task<Status> ListXattrOp::Run(kv::Transaction& txn) {
  Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/true);
  if (!inode.ok()) co_return inode.status();
  keys::Range range = keys::Xattrs(id_);
  kv::RangeOptions snapshot{.snapshot = true};
  Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(range.begin, range.end, snapshot);
  if (!rows.ok()) co_return rows.status();
  names.clear();
  std::string prefix = keys::Xattr(id_, "");
  for (const kv::KeyValue& row : *rows) names.push_back(row.key.substr(prefix.size()));
  co_return Status();
}

Task<Status> RemoveXattrOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateXattrName(name_));
  std::string key = keys::Xattr(id_, name_);
  Result<std::optional<std::string>> existing = co_await txn.Get(key);
  if (!existing.ok()) co_return existing.status();
  if (!*existing) co_return Missing(id_, name_);
  CO_RETURN_IF_ERROR(
      co_await TouchInode(txn, id_, now_ns_, name_ == kAclAccess ? kInodeHasAcl : 0));
  txn.Clear(key);
  co_return Status();
}

}  // namespace chainfs::meta
