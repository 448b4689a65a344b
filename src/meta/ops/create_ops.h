#pragma once

#include <string>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

namespace chainfs::meta {

// The root directory (inode 1), created on first start and left alone afterwards.
class EnsureRootOp : public kv::TxnBody {
 public:
  EnsureRootOp(int64_t now_ns, Layout layout) : now_ns_(now_ns), layout_(layout) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool created = false;

 private:
  int64_t now_ns_;
  Layout layout_;
};

// What a new entry is.
struct NewEntry {
  FileType type = FileType::kRegular;
  uint32_t mode = 0644;  // permission bits (and setuid/setgid/sticky)
  uint64_t rdev = 0;     // devices
  std::string symlink_target;
};

// mknod / mkdir / symlink / create: a new inode `id` (allocated beforehand, so retries reuse
// it) under `parent` as `name`, owned by the caller, in the parent's group when the parent is
// setgid (directories inherit the setgid bit). Reads the parent inode and the entry's key and
// writes neither the parent's inode nor any key another create writes, so creates of different
// names in one directory never conflict.
//
// Errors: kInvalidArgument / kNameTooLong for the name, kNotDirectory, kPermissionDenied
// (write and search on the parent), kAlreadyExists, kNotFound (parent).
class CreateOp : public kv::TxnBody {
 public:
  CreateOp(Caller caller, InodeId parent, std::string name, NewEntry entry, InodeId id,
           int64_t now_ns)
      : caller_(std::move(caller)),
        parent_(parent),
        name_(std::move(name)),
        entry_(std::move(entry)),
        id_(id),
        now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;
  Attr result;

 private:
  Caller caller_;
  InodeId parent_;
  std::string name_;
  NewEntry entry_;
  InodeId id_;
  int64_t now_ns_;
};

}  // namespace chainfs::meta
