#pragma once

#include <optional>
#include <string>

#include "kv/kv.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

// Typed reads and writes of the metadata schema inside one transaction.
namespace chainfs::meta {

// kNotFound naming the inode when it does not exist.
Task<Result<InodeRecord>> LoadInode(kv::Transaction& txn, InodeId id, bool snapshot);
void StoreInode(kv::Transaction& txn, InodeId id, const InodeRecord& record);

Task<Result<std::optional<DentryRecord>>> LoadDentry(kv::Transaction& txn, InodeId parent,
                                                     std::string name, bool snapshot);
void StoreDentry(kv::Transaction& txn, InodeId parent, std::string_view name,
                 const DentryRecord& record);

// The directory `id`, which `caller` may access as `want` (Access bits): kNotFound,
// kNotDirectory, kPermissionDenied. Read with a conflict (it must exist and stay a directory
// until the transaction commits) unless `snapshot`.
// CheckAccess, by the inode's access ACL when it has one (kInodeHasAcl).
Task<Status> CheckAccessWithAcl(kv::Transaction& txn, InodeId id, const InodeRecord& inode,
                                const Caller& caller, uint32_t want);

Task<Result<InodeRecord>> LoadDirectory(kv::Transaction& txn, InodeId id, const Caller& caller,
                                        uint32_t want, bool snapshot);
// What creating `name` in `parent` needs: the parent, a directory the caller may write and
// search, and no entry `name` in it (else kAlreadyExists). Both keys are read together (one
// round trip on stores that pay per read) with read conflicts, so the parent stays a
// directory and the name stays free until the transaction commits.
Task<Result<InodeRecord>> LoadParentOfNewEntry(kv::Transaction& txn, InodeId parent,
                                               const Caller& caller, std::string name);

// Records a change to a directory's entries with atomic mutations only: its times move to
// `now_ns` and its counts by the deltas.
void TouchDirectory(kv::Transaction& txn, InodeId dir, int64_t now_ns, int64_t entries_delta,
                    int64_t subdirs_delta);

// The version of directory `dir`'s entries: it moves with every change to them (its change
// time, advanced by TouchDirectory), so equal versions mean equal entries. A snapshot read.
Task<Result<uint64_t>> LoadEntriesVersion(kv::Transaction& txn, InodeId dir);

// Usage counters for statfs, changed by atomic adds only.
void CountInodes(kv::Transaction& txn, InodeId inode, int64_t delta);
void CountBytes(kv::Transaction& txn, InodeId inode, int64_t delta);
// The sum of one usage counter's shards (snapshot reads).
Task<Result<int64_t>> SumUsage(kv::Transaction& txn, std::string_view name);

// Deletes an empty directory's inode, attributes and DSTA keys (not its entry).
void DeleteDirectory(kv::Transaction& txn, InodeId dir);

// A file just lost its last name: it goes to the GC queue, or to the orphan set while some
// client still has it open for writing (a session), to be queued when that ends.
Task<Status> DropLastLink(kv::Transaction& txn, InodeId id, int64_t now_ns);

// The inode with, for a directory, its DSTA times and link count (2 + subdirectories) folded in.
// Snapshot reads: stat does not conflict with writers.
Task<Result<Attr>> LoadAttr(kv::Transaction& txn, InodeId id);
// LoadAttr of several inodes, read in two batches (the inodes, then the directories' counters).
Task<Result<std::vector<Attr>>> LoadAttrs(kv::Transaction& txn, const std::vector<InodeId>& ids);

}  // namespace chainfs::meta
