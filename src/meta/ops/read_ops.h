#pragma once

#include <string>
#include <vector>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

// The operations that only read. Each runs in a retried transaction (kv::RunTransaction).
namespace chainfs::meta {

// lookup(parent, name): the child's attributes. kNotDirectory if parent is not a directory,
// kPermissionDenied without search permission on it, kNotFound without the entry.
class LookupOp : public kv::TxnBody {
 public:
  LookupOp(Caller caller, InodeId parent, std::string name)
      : caller_(std::move(caller)), parent_(parent), name_(std::move(name)) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  Attr result;

 private:
  Caller caller_;
  InodeId parent_;
  std::string name_;
};

// getattr(inode).
class GetAttrOp : public kv::TxnBody {
 public:
  explicit GetAttrOp(InodeId id) : id_(id) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  Attr result;

 private:
  InodeId id_;
};

struct DirEntry {
  std::string name;
  InodeId child;
  FileType type = FileType::kRegular;
  CHAINFS_MESSAGE(DirEntry, name, child, type)
};

// readdir(dir, after, limit): up to `limit` entries whose names sort after `after` ("" for
// the first page), so a directory of any size streams page by page. kPermissionDenied without
// read permission. `more` says whether entries remain.
class ReaddirOp : public kv::TxnBody {
 public:
  // With `plus`, `attrs` gets each entry's attributes too (readdirplus), from the same snapshot.
  ReaddirOp(Caller caller, InodeId dir, std::string after, uint32_t limit, bool plus = false)
      : caller_(std::move(caller)),
        dir_(dir),
        after_(std::move(after)),
        limit_(limit),
        plus_(plus) {}
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  std::vector<DirEntry> entries;
  std::vector<Attr> attrs;
  bool more = false;
  // The directory's entries version (LoadEntriesVersion) in the page's snapshot: pages with
  // equal versions are parts of one unchanged listing.
  uint64_t version = 0;
  // The directory's parent (the root's is itself): its ".." entry.
  InodeId parent;

 private:
  Caller caller_;
  InodeId dir_;
  std::string after_;
  uint32_t limit_;
  bool plus_;
};

// statfs: what is in use, from the usage counters (snapshot reads; they change only by atomic
// adds, so statfs never conflicts with anything).
class StatfsOp : public kv::TxnBody {
 public:
  Task<Status> Run(kv::Transaction& txn) override;
  bool read_only() const override { return true; }
  uint64_t inodes_used = 0;
  uint64_t bytes_used = 0;
};

}  // namespace chainfs::meta
