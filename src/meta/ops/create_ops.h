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
  CHAINFS_MESSAGE(NewEntry, type, mode, rdev, symlink_target)
};

// What the server decides for a new regular file: where its chunks go (first chain, advanced
// round-robin per file, and a seed), with the stripe capped by the chain table's size; and,
// for create-and-open, the client session that opens it.
struct CreateOptions {
  uint32_t first_chain = 0;
  uint64_t seed = 0;
  uint32_t chains = 0;  // entries in the chain table; 0 keeps the directory's stripe
  uint64_t open_session = 0;
  uint64_t open_stamp = 0;  // see OpenWriteSession
};

// mknod / mkdir / symlink / create: a new inode `id` (allocated beforehand, so retries reuse
// it) under `parent` as `name`, owned by the caller, in the parent's group when the parent is
// setgid (directories inherit the setgid bit). Reads the parent inode and the entry's key and
// writes neither the parent's inode nor any key another create writes, so creates of different
// names in one directory never conflict.
//
// Errors: kInvalidArgument / kNameTooLong for the name, for mode bits beyond 07777, for
// device numbers on anything but a device, for an empty symlink target; kNameTooLong for a
// target of PATH_MAX (4096) bytes or more; kNotDirectory, kPermissionDenied
// (write and search on the parent), kAlreadyExists, kNotFound (parent).
class CreateOp : public kv::TxnBody {
 public:
  CreateOp(Caller caller, InodeId parent, std::string name, NewEntry entry, InodeId id,
           int64_t now_ns, CreateOptions options = {})
      : caller_(std::move(caller)),
        parent_(parent),
        name_(std::move(name)),
        entry_(std::move(entry)),
        id_(id),
        now_ns_(now_ns),
        options_(options) {}
  Task<Status> Run(kv::Transaction& txn) override;
  Attr result;

 private:
  // The parent's default ACL, if it has one, becomes the new inode's access ACL (and, for a
  // directory, its default ACL too) and limits its mode; otherwise the caller's umask does.
  Task<Status> ApplyDefaultAcl(kv::Transaction& txn, const InodeRecord& parent, bool is_dir,
                               InodeRecord& inode);
  Caller caller_;
  InodeId parent_;
  std::string name_;
  NewEntry entry_;
  InodeId id_;
  int64_t now_ns_;
  CreateOptions options_;
};

// Device numbers are Linux's: major in bits 8-19 and 32-63, minor in 0-7 and 20-31.
bool ValidDeviceNumber(uint64_t rdev);

}  // namespace chainfs::meta
