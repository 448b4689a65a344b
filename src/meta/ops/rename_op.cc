#include "meta/ops/rename_op.h"

#include <fmt/format.h>

#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

constexpr int kMaxDepth = 4096;

struct Side {
  InodeRecord parent;
  std::optional<DentryRecord> entry;
  std::optional<InodeRecord> inode;
};

// Loads one side's parent (a directory the caller may write and search), entry and inode.
Task<Result<Side>> LoadSide(kv::Transaction& txn, const Caller& caller, InodeId parent_id,
                            std::string name) {
  CO_RETURN_IF_ERROR(ValidateName(name));
  Result<InodeRecord> parent =
      co_await LoadDirectory(txn, parent_id, caller, kMayWrite | kMayExec, /*snapshot=*/false);
  if (!parent.ok()) co_return parent.status();
  Side side{std::move(*parent), std::nullopt, std::nullopt};
  CO_ASSIGN_OR_RETURN(side.entry, co_await LoadDentry(txn, parent_id, name, /*snapshot=*/false));
  if (side.entry) {
    CO_ASSIGN_OR_RETURN(side.inode, co_await LoadInode(txn, side.entry->child, /*snapshot=*/false));
  }
  co_return side;
}

Status CheckSticky(const Caller& caller, const InodeRecord& parent, const InodeRecord& inode) {
  if ((parent.mode & kSticky) && caller.uid != 0 && caller.uid != parent.uid &&
      caller.uid != inode.uid) {
    return Status(StatusCode::kNotPermitted, "sticky directory: the caller owns neither");
  }
  return Status();
}

// kInvalidArgument if `dir` is `moved` or lies below it.
Task<Status> CheckNotBelow(kv::Transaction& txn, InodeId dir, InodeId moved) {
  InodeId at = dir;
  for (int depth = 0; depth < kMaxDepth; ++depth) {
    if (at == moved) co_return InvalidArgument("cannot move a directory into its own subtree");
    if (at == kRootInode) co_return Status();
    Result<InodeRecord> inode = co_await LoadInode(txn, at, /*snapshot=*/false);
    if (!inode.ok()) co_return inode.status();
    at = inode->parent;
  }
  co_return Status(StatusCode::kLoop, "ancestor chain longer than any tree");
}

Task<Status> CheckEmpty(kv::Transaction& txn, InodeId dir) {
  keys::Range entries = keys::Dentries(dir);
  kv::RangeOptions one{.limit = 1};
  Result<std::vector<kv::KeyValue>> first = co_await txn.GetRange(entries.begin, entries.end, one);
  if (!first.ok()) co_return first.status();
  if (!first->empty())
    co_return Status(StatusCode::kNotEmpty, "destination directory is not empty");
  co_return Status();
}

}  // namespace

Task<Status> RenameOp::Run(kv::Transaction& txn) {
  Result<Side> src = co_await LoadSide(txn, caller_, src_parent_, src_name_);
  if (!src.ok()) co_return src.status();
  if (!src->entry) co_return NotFound(fmt::format("no entry '{}' to rename", src_name_));
  Result<Side> dst = co_await LoadSide(txn, caller_, dst_parent_, dst_name_);
  if (!dst.ok()) co_return dst.status();
  if (src_parent_ == dst_parent_ && src_name_ == dst_name_) co_return Status();
  CO_RETURN_IF_ERROR(CheckSticky(caller_, src->parent, *src->inode));
  if (dst->entry) CO_RETURN_IF_ERROR(CheckSticky(caller_, dst->parent, *dst->inode));
  if (mode_ == RenameMode::kNoReplace && dst->entry) {
    co_return Status(StatusCode::kAlreadyExists, fmt::format("'{}' exists", dst_name_));
  }
  if (mode_ == RenameMode::kExchange && !dst->entry) {
    co_return NotFound(fmt::format("no entry '{}' to exchange with", dst_name_));
  }
  InodeId moved = src->entry->child;
  bool moved_is_dir = src->inode->type == FileType::kDirectory;
  if (dst->entry && dst->entry->child == moved) co_return Status();  // two names, one file
  if (moved_is_dir && src_parent_ != dst_parent_) {
    CO_RETURN_IF_ERROR(co_await CheckNotBelow(txn, dst_parent_, moved));
  }
  if (mode_ == RenameMode::kExchange) {
    InodeId other = dst->entry->child;
    bool other_is_dir = dst->inode->type == FileType::kDirectory;
    if (other_is_dir && src_parent_ != dst_parent_) {
      CO_RETURN_IF_ERROR(co_await CheckNotBelow(txn, src_parent_, other));
    }
    StoreDentry(txn, dst_parent_, dst_name_, *src->entry);
    StoreDentry(txn, src_parent_, src_name_, *dst->entry);
    src->inode->ctime_ns = dst->inode->ctime_ns = now_ns_;
    if (moved_is_dir) src->inode->parent = dst_parent_;
    if (other_is_dir) dst->inode->parent = src_parent_;
    StoreInode(txn, moved, *src->inode);
    StoreInode(txn, other, *dst->inode);
    int64_t dirs = (moved_is_dir ? 1 : 0) - (other_is_dir ? 1 : 0);
    TouchDirectory(txn, src_parent_, now_ns_, 0, -dirs);
    TouchDirectory(txn, dst_parent_, now_ns_, 0, dirs);
    co_return Status();
  }
  int64_t dst_entries = 1, dst_dirs = moved_is_dir ? 1 : 0;
  if (dst->entry) {
    bool replaced_is_dir = dst->inode->type == FileType::kDirectory;
    if (moved_is_dir && !replaced_is_dir) {
      co_return Status(StatusCode::kNotDirectory,
                       fmt::format("'{}' is not a directory", dst_name_));
    }
    if (!moved_is_dir && replaced_is_dir) {
      co_return Status(StatusCode::kIsDirectory, fmt::format("'{}' is a directory", dst_name_));
    }
    InodeId replaced = dst->entry->child;
    dst_entries = 0;
    if (replaced_is_dir) {
      CO_RETURN_IF_ERROR(co_await CheckEmpty(txn, replaced));
      DeleteDirectory(txn, replaced);
      dst_dirs -= 1;
    } else {
      InodeRecord r = std::move(*dst->inode);
      r.nlink = r.nlink > 0 ? r.nlink - 1 : 0;
      r.ctime_ns = now_ns_;
      StoreInode(txn, replaced, r);
      if (r.nlink == 0) CO_RETURN_IF_ERROR(co_await DropLastLink(txn, replaced, now_ns_));
    }
  }
  txn.Clear(keys::Dentry(src_parent_, src_name_));
  StoreDentry(txn, dst_parent_, dst_name_, *src->entry);
  src->inode->ctime_ns = now_ns_;
  if (moved_is_dir) src->inode->parent = dst_parent_;
  StoreInode(txn, moved, *src->inode);
  TouchDirectory(txn, src_parent_, now_ns_, -1, moved_is_dir ? -1 : 0);
  TouchDirectory(txn, dst_parent_, now_ns_, dst_entries, dst_dirs);
  co_return Status();
}

}  // namespace chainfs::meta
