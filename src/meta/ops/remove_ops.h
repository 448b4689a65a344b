#pragma once

#include <string>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

namespace chainfs::meta {

// What unlink and rmdir both take: who removes which name from which directory, and when.
class RemoveEntryOp : public kv::TxnBody {
 public:
  RemoveEntryOp(Caller caller, InodeId parent, std::string name, int64_t now_ns)
      : caller_(std::move(caller)), parent_(parent), name_(std::move(name)), now_ns_(now_ns) {}

 protected:
  Caller caller_;
  InodeId parent_;
  std::string name_;
  int64_t now_ns_;
};

// unlink(parent, name): drops the entry and one link. A file left with no link goes to the
// GC queue, or to the orphan set while some client still has it open (a write session).
// Errors: kIsDirectory, kNotFound, kNotDirectory (parent), kPermissionDenied (write and
// search on the parent), kNotPermitted (sticky parent, caller owns neither it nor the file).
class UnlinkOp : public RemoveEntryOp {
 public:
  using RemoveEntryOp::RemoveEntryOp;
  Task<Status> Run(kv::Transaction& txn) override;
};

// rmdir(parent, name): removes an empty directory. Reading the directory's entry range makes
// it conflict with a create inside it, so exactly one of the two wins.
// Errors: as unlink, with kNotDirectory for a non-directory, kNotEmpty, and kInvalidArgument
// for ".".
class RmdirOp : public RemoveEntryOp {
 public:
  using RemoveEntryOp::RemoveEntryOp;
  Task<Status> Run(kv::Transaction& txn) override;
};

}  // namespace chainfs::meta
