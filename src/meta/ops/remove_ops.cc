#include "meta/ops/remove_ops.h"

#include <fmt/format.h>

#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

struct Victim {
  InodeRecord parent;
  DentryRecord entry;
  InodeRecord inode;
};

// Loads parent, entry and inode for removal, with read conflicts on all three, and checks the
// caller's rights over them (write and search on the parent, and the sticky bit).
Task<Result<Victim>> LoadVictim(kv::Transaction& txn, const Caller& caller, InodeId parent_id,
                                std::string name) {
  Result<InodeRecord> parent =
      co_await LoadDirectory(txn, parent_id, caller, kMayWrite | kMayExec, /*snapshot=*/false);
  if (!parent.ok()) co_return parent.status();
  Result<std::optional<DentryRecord>> entry =
      co_await LoadDentry(txn, parent_id, name, /*snapshot=*/false);
  if (!entry.ok()) co_return entry.status();
  if (!*entry) co_return NotFound(fmt::format("no entry '{}' in directory {}", name, parent_id));
  Result<InodeRecord> inode = co_await LoadInode(txn, (*entry)->child, /*snapshot=*/false);
  if (!inode.ok()) co_return inode.status();
  bool sticky = parent->mode & kSticky;
  if (sticky && caller.uid != 0 && caller.uid != parent->uid && caller.uid != inode->uid) {
    co_return Status(
        StatusCode::kNotPermitted,
        fmt::format("'{}' is in a sticky directory and uid {} owns neither", name, caller.uid));
  }
  co_return Victim{std::move(*parent), **entry, std::move(*inode)};
}

}  // namespace

Task<Status> UnlinkOp::Run(kv::Transaction& txn) {
  CO_RETURN_IF_ERROR(ValidateName(name_));
  Result<Victim> v = co_await LoadVictim(txn, caller_, parent_, name_);
  if (!v.ok()) co_return v.status();
  if (v->inode.type == FileType::kDirectory) {
    co_return Status(StatusCode::kIsDirectory, fmt::format("'{}' is a directory", name_));
  }
  InodeId child = v->entry.child;
  txn.Clear(keys::Dentry(parent_, name_));
  TouchDirectory(txn, parent_, now_ns_, -1, 0);
  InodeRecord inode = std::move(v->inode);
  inode.nlink = inode.nlink > 0 ? inode.nlink - 1 : 0;
  inode.ctime_ns = now_ns_;
  StoreInode(txn, child, inode);
  if (inode.nlink > 0) co_return Status();
  co_return co_await DropLastLink(txn, child, now_ns_);
}

Task<Status> RmdirOp::Run(kv::Transaction& txn) {
  if (name_ == "..") co_return Status(StatusCode::kNotEmpty, "'..' is never empty");
  CO_RETURN_IF_ERROR(ValidateName(name_));
  Result<Victim> v = co_await LoadVictim(txn, caller_, parent_, name_);
  if (!v.ok()) co_return v.status();
  if (v->inode.type != FileType::kDirectory) {
    co_return Status(StatusCode::kNotDirectory, fmt::format("'{}' is not a directory", name_));
  }
  InodeId dir = v->entry.child;
  keys::Range entries = keys::Dentries(dir);
  kv::RangeOptions one{.limit = 1};
  Result<std::vector<kv::KeyValue>> first = co_await txn.GetRange(entries.begin, entries.end, one);
  if (!first.ok()) co_return first.status();
  if (!first->empty()) {
    co_return Status(StatusCode::kNotEmpty, fmt::format("directory '{}' is not empty", name_));
  }
  txn.Clear(keys::Dentry(parent_, name_));
  DeleteDirectory(txn, dir);
  TouchDirectory(txn, parent_, now_ns_, -1, -1);
  co_return Status();
}

}  // namespace chainfs::meta
