#pragma once

#include <string>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

namespace chainfs::meta {

enum class RenameMode { kReplace, kNoReplace, kExchange };

// rename(src_parent/src_name -> dst_parent/dst_name), with RENAME_NOREPLACE and
// RENAME_EXCHANGE. A directory may not move into its own subtree: the destination's ancestors
// are walked through their parent pointers, with read conflicts, so two renames that would
// together form a cycle cannot both commit.
//
// Errors: kNotFound, kNotDirectory, kIsDirectory, kNotEmpty, kAlreadyExists (no-replace),
// kInvalidArgument (into its own subtree), kPermissionDenied, kNotPermitted (sticky), kLoop
// (an ancestor chain longer than any real tree).
class RenameOp : public kv::TxnBody {
 public:
  RenameOp(Caller caller, InodeId src_parent, std::string src_name, InodeId dst_parent,
           std::string dst_name, RenameMode mode, int64_t now_ns)
      : caller_(std::move(caller)),
        src_parent_(src_parent),
        src_name_(std::move(src_name)),
        dst_parent_(dst_parent),
        dst_name_(std::move(dst_name)),
        mode_(mode),
        now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;

 private:
  Caller caller_;
  InodeId src_parent_;
  std::string src_name_;
  InodeId dst_parent_;
  std::string dst_name_;
  RenameMode mode_;
  int64_t now_ns_;
};

}  // namespace chainfs::meta
