#include "meta/ops/store.h"

#include <fmt/format.h>

#include <algorithm>
#include <span>

#include "meta/ops/posix_acl.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {
// A directory's counters, in the order ApplyDirStats reads them.
constexpr char kDirStats[] = {keys::kDirMtime, keys::kDirCtime, keys::kDirEntries,
                              keys::kDirSubdirs};

// A conditional operator with co_await in its branches is miscompiled by g++ 12 (the result
// is destroyed twice), hence this helper.
Task<Result<std::optional<std::string>>> ReadKey(kv::Transaction& txn, std::string key,
                                                 bool snapshot) {
  if (snapshot) co_return co_await txn.SnapshotGet(std::move(key));
  co_return co_await txn.Get(std::move(key));
}
}  // namespace

Task<Result<InodeRecord>> LoadInode(kv::Transaction& txn, InodeId id, bool snapshot) {
  Result<std::optional<std::string>> raw = co_await ReadKey(txn, keys::Inode(id), snapshot);
  if (!raw.ok()) co_return raw.status();
  if (!*raw) co_return NotFound(fmt::format("inode {} does not exist", id));
  co_return DecodeRecord<InodeRecord>(**raw);
}

void StoreInode(kv::Transaction& txn, InodeId id, const InodeRecord& record) {
  txn.Set(keys::Inode(id), rpc::Encode(record));
}

Task<Result<std::optional<DentryRecord>>> LoadDentry(kv::Transaction& txn, InodeId parent,
                                                     std::string name, bool snapshot) {
  Result<std::optional<std::string>> raw =
      co_await ReadKey(txn, keys::Dentry(parent, name), snapshot);
  if (!raw.ok()) co_return raw.status();
  if (!*raw) co_return std::optional<DentryRecord>();
  Result<DentryRecord> d = DecodeRecord<DentryRecord>(**raw);
  if (!d.ok()) co_return d.status();
  co_return std::optional<DentryRecord>(*d);
}

void StoreDentry(kv::Transaction& txn, InodeId parent, std::string_view name,
                 const DentryRecord& record) {
  txn.Set(keys::Dentry(parent, name), rpc::Encode(record));
}

Task<Status> CheckAccessWithAcl(kv::Transaction& txn, InodeId id, const InodeRecord& inode,
                                const Caller& caller, uint32_t want) {
  bool by_acl = (inode.flags & kInodeHasAcl) && caller.uid != 0 && caller.uid != inode.uid;
  if (!by_acl) co_return CheckAccess(inode, caller, want);
  Result<std::optional<std::string>> raw = co_await txn.SnapshotGet(keys::Xattr(id, kAclAccess));
  if (!raw.ok()) co_return raw.status();
  Result<std::vector<AclEntry>> acl =
      *raw ? ParseAcl(**raw) : Result<std::vector<AclEntry>>(InvalidArgument("none"));
  if (!acl.ok()) co_return CheckAccess(inode, caller, want);
  auto in_group = [&caller](uint32_t gid) { return caller.InGroup(gid); };
  if (AclPermits(*acl, caller.uid, inode.gid, in_group, want)) co_return Status();
  co_return Status(StatusCode::kPermissionDenied,
                   fmt::format("uid {} may not access inode {} by its ACL", caller.uid, id));
}

Task<Result<InodeRecord>> LoadDirectory(kv::Transaction& txn, InodeId id, const Caller& caller,
                                        uint32_t want, bool snapshot) {
  Result<InodeRecord> dir = co_await LoadInode(txn, id, snapshot);
  if (!dir.ok()) co_return dir.status();
  if (dir->type != FileType::kDirectory) {
    co_return Status(StatusCode::kNotDirectory, fmt::format("inode {} is not a directory", id));
  }
  CO_RETURN_IF_ERROR(co_await CheckAccessWithAcl(txn, id, *dir, caller, want));
  co_return dir;
}

Task<Result<InodeRecord>> LoadParentOfNewEntry(kv::Transaction& txn, InodeId parent,
                                               const Caller& caller, std::string name) {
  std::vector<std::string> wanted{keys::Inode(parent), keys::Dentry(parent, name)};
  Result<std::vector<std::optional<std::string>>> raw = co_await txn.GetMany(std::move(wanted));
  if (!raw.ok()) co_return raw.status();
  if (!(*raw)[0]) co_return NotFound(fmt::format("inode {} does not exist", parent));
  CO_ASSIGN_OR_RETURN(InodeRecord dir, DecodeRecord<InodeRecord>(*(*raw)[0]));
  if (dir.type != FileType::kDirectory) {
    co_return Status(StatusCode::kNotDirectory, fmt::format("inode {} is not a directory", parent));
  }
  CO_RETURN_IF_ERROR(co_await CheckAccessWithAcl(txn, parent, dir, caller, kMayWrite | kMayExec));
  if ((*raw)[1]) {
    co_return Status(StatusCode::kAlreadyExists,
                     fmt::format("'{}' already exists in directory {}", name, parent));
  }
  co_return dir;
}

void TouchDirectory(kv::Transaction& txn, InodeId dir, int64_t now_ns, int64_t entries_delta,
                    int64_t subdirs_delta) {
  txn.AtomicMax(keys::DirStat(dir, keys::kDirMtime), static_cast<uint64_t>(now_ns));
  // Advanced, not maxed: a change committed after a later-stamped one (or from a server whose
  // clock is behind) still moves it, so equal values mean equal entries.
  txn.AtomicAdvance(keys::DirStat(dir, keys::kDirCtime), static_cast<uint64_t>(now_ns));
  if (entries_delta != 0) txn.AtomicAdd(keys::DirStat(dir, keys::kDirEntries), entries_delta);
  if (subdirs_delta != 0) txn.AtomicAdd(keys::DirStat(dir, keys::kDirSubdirs), subdirs_delta);
}

void CountInodes(kv::Transaction& txn, InodeId inode, int64_t delta) {
  txn.AtomicAdd(keys::UsageCounter(keys::kInodesUsed, inode), delta);
}

void CountBytes(kv::Transaction& txn, InodeId inode, int64_t delta) {
  if (delta != 0) txn.AtomicAdd(keys::UsageCounter(keys::kBytesUsed, inode), delta);
}

Task<Result<int64_t>> SumUsage(kv::Transaction& txn, std::string_view name) {
  keys::Range range = keys::UsageCounters(name);
  kv::RangeOptions snapshot{.snapshot = true};
  Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(range.begin, range.end, snapshot);
  if (!rows.ok()) co_return rows.status();
  int64_t sum = 0;
  for (const kv::KeyValue& row : *rows) {
    CO_ASSIGN_OR_RETURN(int64_t v, kv::DecodeInt64(row.value));
    sum += v;
  }
  co_return sum;
}

void DeleteDirectory(kv::Transaction& txn, InodeId dir) {
  txn.Clear(keys::Inode(dir));
  CountInodes(txn, dir, -1);
  keys::Range xattrs = keys::Xattrs(dir);
  txn.ClearRange(xattrs.begin, xattrs.end);
  for (char field : kDirStats) txn.Clear(keys::DirStat(dir, field));
}

Task<Status> DropLastLink(kv::Transaction& txn, InodeId id, int64_t now_ns) {
  keys::Range sessions = keys::Sessions(id);
  kv::RangeOptions one{.limit = 1};
  Result<std::vector<kv::KeyValue>> open = co_await txn.GetRange(sessions.begin, sessions.end, one);
  if (!open.ok()) co_return open.status();
  if (!open->empty()) {
    txn.Set(keys::Orphan(id), "");
  } else {
    txn.Set(keys::GcQueue(Nanos(now_ns), id), "");
  }
  co_return Status();
}

namespace {

Result<int64_t> StatValue(const std::optional<std::string>& raw) {
  if (!raw) return int64_t{0};
  return kv::DecodeInt64(*raw);
}

// A directory's times, size and link count from its counters (`raw`, in kDirStats' order).
Status ApplyDirStats(Attr& attr, std::span<const std::optional<std::string>> raw) {
  ASSIGN_OR_RETURN(int64_t mtime, StatValue(raw[0]));
  ASSIGN_OR_RETURN(int64_t ctime, StatValue(raw[1]));
  ASSIGN_OR_RETURN(int64_t entries, StatValue(raw[2]));
  ASSIGN_OR_RETURN(int64_t subdirs, StatValue(raw[3]));
  attr.record.mtime_ns = std::max(attr.record.mtime_ns, mtime);
  attr.record.ctime_ns = std::max(attr.record.ctime_ns, ctime);
  attr.record.nlink = static_cast<uint32_t>(2 + std::max<int64_t>(subdirs, 0));
  attr.record.size = static_cast<uint64_t>(std::max<int64_t>(entries, 0));
  return Status();
}

}  // namespace

Task<Result<uint64_t>> LoadEntriesVersion(kv::Transaction& txn, InodeId dir) {
  CO_ASSIGN_OR_RETURN(std::optional<std::string> raw,
                      co_await txn.SnapshotGet(keys::DirStat(dir, keys::kDirCtime)));
  CO_ASSIGN_OR_RETURN(int64_t version, StatValue(raw));
  co_return static_cast<uint64_t>(version);
}

namespace {
void AppendDirStatKeys(InodeId dir, std::vector<std::string>& out) {
  for (char field : kDirStats) out.push_back(keys::DirStat(dir, field));
}
}  // namespace

Task<Result<Attr>> LoadAttr(kv::Transaction& txn, InodeId id) {
  // One point read for a file (stat and lookup are the busiest callers); a directory's
  // counters in one batch.
  CO_ASSIGN_OR_RETURN(InodeRecord record, co_await LoadInode(txn, id, /*snapshot=*/true));
  Attr attr{id, std::move(record)};
  if (attr.record.type != FileType::kDirectory) co_return attr;
  std::vector<std::string> stat_keys;
  AppendDirStatKeys(id, stat_keys);
  CO_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> stats,
                      co_await txn.SnapshotGetMany(std::move(stat_keys)));
  CO_RETURN_IF_ERROR(ApplyDirStats(attr, stats));
  co_return attr;
}

Task<Result<std::vector<Attr>>> LoadAttrs(kv::Transaction& txn, const std::vector<InodeId>& ids) {
  std::vector<std::string> inode_keys;
  inode_keys.reserve(ids.size());
  for (InodeId id : ids) inode_keys.push_back(keys::Inode(id));
  CO_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> raw,
                      co_await txn.SnapshotGetMany(std::move(inode_keys)));
  std::vector<Attr> attrs;
  attrs.reserve(ids.size());
  std::vector<size_t> dirs;
  std::vector<std::string> stat_keys;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!raw[i]) co_return NotFound(fmt::format("inode {} does not exist", ids[i]));
    CO_ASSIGN_OR_RETURN(InodeRecord record, DecodeRecord<InodeRecord>(*raw[i]));
    attrs.push_back(Attr{ids[i], std::move(record)});
    if (attrs.back().record.type != FileType::kDirectory) continue;
    dirs.push_back(i);
    AppendDirStatKeys(ids[i], stat_keys);
  }
  if (dirs.empty()) co_return attrs;
  CO_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> stats,
                      co_await txn.SnapshotGetMany(std::move(stat_keys)));
  for (size_t d = 0; d < dirs.size(); ++d) {
    std::span<const std::optional<std::string>> four(stats.data() + 4 * d, 4);
    CO_RETURN_IF_ERROR(ApplyDirStats(attrs[dirs[d]], four));
  }
  co_return attrs;
}

}  // namespace chainfs::meta
