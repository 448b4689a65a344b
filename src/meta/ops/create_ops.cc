#include "meta/ops/create_ops.h"

#include <fmt/format.h>

#include <algorithm>

#include "meta/ops/posix_acl.h"
#include "meta/ops/sessions.h"
#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

Task<Status> EnsureRootOp::Run(kv::Transaction& txn) {
  Result<std::optional<std::string>> raw = co_await txn.Get(keys::Inode(kRootInode));
  if (!raw.ok()) co_return raw.status();
  created = !raw->has_value();
  if (!created) co_return Status();
  InodeRecord root;
  root.type = FileType::kDirectory;
  root.mode = 0755;
  root.nlink = 2;
  root.atime_ns = root.mtime_ns = root.ctime_ns = now_ns_;
  root.parent = kRootInode;
  root.layout = layout_;
  StoreInode(txn, kRootInode, root);
  CountInodes(txn, kRootInode, 1);
  co_return Status();
}

namespace {

Status ValidateEntry(const NewEntry& e) {
  switch (e.type) {
    case FileType::kRegular:
    case FileType::kDirectory:
    case FileType::kSymlink:
    case FileType::kFifo:
    case FileType::kSocket:
    case FileType::kCharDevice:
    case FileType::kBlockDevice:
      break;
    default:
      return InvalidArgument(fmt::format("unknown file type {}", static_cast<int>(e.type)));
  }
  bool device = e.type == FileType::kCharDevice || e.type == FileType::kBlockDevice;
  if (e.rdev != 0 && !device) return InvalidArgument("a device number on a non-device");
  if (device && !ValidDeviceNumber(e.rdev)) {
    return InvalidArgument(fmt::format("device number {:#x} is out of range", e.rdev));
  }
  if (e.type == FileType::kSymlink && e.symlink_target.empty()) {
    return InvalidArgument("an empty symlink target");
  }
  if (e.symlink_target.size() >= kMaxPathBytes) {
    return Status(StatusCode::kNameTooLong,
                  fmt::format("symlink target of {} bytes", e.symlink_target.size()));
  }
  if (e.type != FileType::kSymlink && !e.symlink_target.empty()) {
    return InvalidArgument("a symlink target on a non-symlink");
  }
  if ((e.mode & ~07777u) != 0)
    return InvalidArgument(fmt::format("mode {:o} has bits beyond 07777", e.mode));
  return Status();
}

Layout PlaceFile(Layout layout, const CreateOptions& o) {
  if (o.chains == 0) return layout;
  layout.stripe = std::max<uint32_t>(1, std::min(layout.stripe, o.chains));
  layout.first_chain = o.first_chain % o.chains;
  layout.seed = o.seed;
  return layout;
}

}  // namespace

bool ValidDeviceNumber(uint64_t rdev) {
  // glibc's encoding: 32-bit major and minor; the kernel keeps 12 and 20 bits of them.
  uint64_t major = ((rdev >> 8) & 0xfff) | ((rdev >> 32) & 0xfffff000);
  uint64_t minor = (rdev & 0xff) | ((rdev >> 12) & 0xffffff00);
  return major < (1u << 12) && minor < (1u << 20);
}

Task<Status> CreateOp::ApplyDefaultAcl(kv::Transaction& txn, const InodeRecord& parent, bool is_dir,
                                       InodeRecord& inode) {
  uint32_t& mode = inode.mode;
  // A parent known to have no attributes has no default ACL: one read less per create. (Its
  // record was read with a conflict, so a default ACL set meanwhile makes this run again.)
  if (parent.flags & kInodeNoXattrs) {
    mode &= ~(caller_.umask & 0777);
    co_return Status();
  }
  Result<std::optional<std::string>> raw = co_await txn.Get(keys::Xattr(parent_, kAclDefault));
  if (!raw.ok()) co_return raw.status();
  Result<std::vector<AclEntry>> acl =
      *raw ? ParseAcl(**raw) : Result<std::vector<AclEntry>>(InvalidArgument("none"));
  if (!acl.ok()) {
    mode &= ~(caller_.umask & 0777);
    co_return Status();
  }
  mode = InheritAcl(*acl, mode);
  if (!AclIsMinimal(*acl)) {
    inode.flags = (inode.flags | kInodeHasAcl) & ~kInodeNoXattrs;
    txn.Set(keys::Xattr(id_, kAclAccess), EncodeAcl(*acl));
  }
  if (is_dir) {
    inode.flags &= ~kInodeNoXattrs;
    txn.Set(keys::Xattr(id_, kAclDefault), **raw);
  }
  co_return Status();
}

Task<Status> CreateOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateName(name_));
  CO_RETURN_IF_ERROR(ValidateEntry(entry_));
  if (options_.open_session != 0) {
    if (entry_.type != FileType::kRegular) co_return InvalidArgument("only files are opened");
    CO_RETURN_IF_ERROR(co_await ExpectClient(txn, options_.open_session));
  }
  Result<InodeRecord> parent = co_await LoadParentOfNewEntry(txn, parent_, caller_, name_);
  if (!parent.ok()) co_return parent.status();
  bool is_dir = entry_.type == FileType::kDirectory;
  InodeRecord inode;
  inode.type = entry_.type;
  inode.mode = entry_.mode;
  inode.uid = caller_.uid;
  inode.gid = caller_.gid;
  if (parent->mode & kSetGid) {
    inode.gid = parent->gid;
    if (is_dir) inode.mode |= kSetGid;
  }
  inode.nlink = is_dir ? 2 : 1;
  inode.rdev = entry_.rdev;
  inode.flags = kInodeNoXattrs;
  inode.atime_ns = inode.mtime_ns = inode.ctime_ns = now_ns_;
  if (is_dir) inode.parent = parent_;
  if (is_dir) inode.layout = parent->layout;
  if (entry_.type == FileType::kRegular && parent->layout) {
    inode.layout = PlaceFile(*parent->layout, options_);
  }
  if (entry_.type == FileType::kSymlink) {
    inode.symlink_target = entry_.symlink_target;
    inode.size = entry_.symlink_target.size();
    inode.mode = 0777;
  } else {
    CO_RETURN_IF_ERROR(co_await ApplyDefaultAcl(txn, *parent, is_dir, inode));
  }
  StoreInode(txn, id_, inode);
  CountInodes(txn, id_, 1);
  StoreDentry(txn, parent_, name_, DentryRecord{id_, entry_.type});
  TouchDirectory(txn, parent_, now_ns_, 1, is_dir ? 1 : 0);
  if (options_.open_session != 0) {
    OpenWriteSession(txn, id_, options_.open_session, options_.open_stamp);
  }
  result = Attr{id_, inode};
  co_return Status();
}

}  // namespace chainfs::meta
