#pragma once

#include <string>
#include <vector>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

// Extended attributes in every namespace (user., trusted., security., system.posix_acl_*).
// The kernel enforces namespace permissions and ACLs before asking (default_permissions);
// here only the store's own limits apply.
namespace chainfs::meta {

inline constexpr size_t kMaxXattrNameBytes = 255;
inline constexpr size_t kMaxXattrValueBytes = 64 * 1024;

enum class XattrMode { kAny, kCreate /* XATTR_CREATE */, kReplace /* XATTR_REPLACE */ };

// kAlreadyExists (create of an existing name), kNoAttribute (replace of a missing one),
// kNameTooLong / kTooLarge / kInvalidArgument for the name and value, kNotFound (inode).
class SetXattrOp : public kv::TxnBody {
 public:
  // `caller` matters for ACLs only: only the owner (or root) sets them.
  SetXattrOp(InodeId id, std::string name, std::string value, XattrMode mode, int64_t now_ns,
             Caller caller = {})
      : caller_(std::move(caller)),
        id_(id),
        name_(std::move(name)),
        value_(std::move(value)),
        mode_(mode),
        now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;

 private:
  // system.posix_acl_access (which sets the mode) and system.posix_acl_default.
  Task<Status> SetAcl(kv::Transaction& txn, std::string key);
  Caller caller_;
  InodeId id_;
  std::string name_;
  std::string value_;
  XattrMode mode_;
  int64_t now_ns_;
};

// kNoAttribute when the inode has no such attribute.
class GetXattrOp : public kv::TxnBody {
 public:
  GetXattrOp(InodeId id, std::string name) : id_(id), name_(std::move(name)) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  std::string value;

 private:
  InodeId id_;
  std::string name_;
};

class ListXattrOp : public kv::TxnBody {
 public:
  explicit ListXattrOp(InodeId id) : id_(id) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  std::vector<std::string> names;

 private:
  InodeId id_;
};

class RemoveXattrOp : public kv::TxnBody {
 public:
  RemoveXattrOp(InodeId id, std::string name, int64_t now_ns)
      : id_(id), name_(std::move(name)), now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;

 private:
  InodeId id_;
  std::string name_;
  int64_t now_ns_;
};

}  // namespace chainfs::meta
