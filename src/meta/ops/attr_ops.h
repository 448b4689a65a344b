#pragma once

#include <optional>
#include <string>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

namespace chainfs::meta {

// What setattr changes; absent fields stay as they are.
struct AttrChange {
  std::optional<uint32_t> mode;  // permission bits and setuid/setgid/sticky
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::optional<uint64_t> size;  // truncate or extend
  std::optional<int64_t> atime_ns;
  std::optional<int64_t> mtime_ns;
  bool times_to_now = false;  // utimes(NULL): both times become now
  CHAINFS_MESSAGE(AttrChange, mode, uid, gid, size, atime_ns, mtime_ns, times_to_now)
};

// setattr with Linux's rules: only the owner (or root) changes the mode or explicit times;
// only root gives a file away; the owner may change the group to one of its own; a size
// change needs write permission and bumps the truncate version. A non-root chmod by someone
// outside the file's group drops setgid; a chown of a non-directory and a truncate by
// non-root drop setuid/setgid. Errors: kNotPermitted, kPermissionDenied, kIsDirectory (size
// of a directory), kInvalidArgument (mode bits beyond 07777), kNotFound.
class SetAttrOp : public kv::TxnBody {
 public:
  SetAttrOp(Caller caller, InodeId id, AttrChange change, int64_t now_ns)
      : caller_(std::move(caller)), id_(id), change_(change), now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;
  Attr result;

 private:
  // `writable`: whether the caller may write the file (mode bits and access ACL), asked for
  // only when the change needs it.
  Status Apply(InodeRecord& inode, const Status& writable) const;
  bool NeedsWriteAccess(const InodeRecord& inode) const;
  Caller caller_;
  InodeId id_;
  AttrChange change_;
  int64_t now_ns_;
};

// link(inode, parent, name): one more name for a file. Errors: kNotPermitted for directories,
// kNotFound for a file with no links left, kTooManyLinks, and those of create.
class LinkOp : public kv::TxnBody {
 public:
  LinkOp(Caller caller, InodeId id, InodeId parent, std::string name, int64_t now_ns)
      : caller_(std::move(caller)),
        id_(id),
        parent_(parent),
        name_(std::move(name)),
        now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;
  Attr result;

 private:
  Caller caller_;
  InodeId id_;
  InodeId parent_;
  std::string name_;
  int64_t now_ns_;
};

// readlink(inode): kInvalidArgument unless it is a symlink.
class ReadlinkOp : public kv::TxnBody {
 public:
  explicit ReadlinkOp(InodeId id) : id_(id) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  std::string target;

 private:
  InodeId id_;
};

inline constexpr uint32_t kMaxLinks = 65000;

}  // namespace chainfs::meta
