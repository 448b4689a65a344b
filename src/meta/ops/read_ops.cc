#include "meta/ops/read_ops.h"

#include <fmt/format.h>

#include <algorithm>

#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

Task<Status> LookupOp::Run(kv::Transaction& txn) {
  if (name_.size() > kMaxNameBytes) {
    co_return Status(StatusCode::kNameTooLong, fmt::format("name of {} bytes", name_.size()));
  }
  CO_RETURN_IF_ERROR(co_await LoadDirectory(txn, parent_, caller_, kMayExec, /*snapshot=*/true));
  Result<std::optional<DentryRecord>> entry =
      co_await LoadDentry(txn, parent_, name_, /*snapshot=*/true);
  if (!entry.ok()) co_return entry.status();
  if (!*entry) co_return NotFound(fmt::format("no entry '{}' in directory {}", name_, parent_));
  Result<Attr> attr = co_await LoadAttr(txn, (*entry)->child);
  if (!attr.ok()) co_return attr.status();
  result = std::move(*attr);
  co_return Status();
}

Task<Status> GetAttrOp::Run(kv::Transaction& txn) {
  Result<Attr> attr = co_await LoadAttr(txn, id_);
  if (!attr.ok()) co_return attr.status();
  result = std::move(*attr);
  co_return Status();
}

Task<Status> ReaddirOp::Run(kv::Transaction& txn) {
  Result<InodeRecord> record =
      co_await LoadDirectory(txn, dir_, caller_, kMayRead, /*snapshot=*/true);
  if (!record.ok()) co_return record.status();
  parent = record->parent.value() != 0 ? record->parent : dir_;
  Result<uint64_t> version = co_await LoadEntriesVersion(txn, dir_);
  if (!version.ok()) co_return version.status();
  this->version = *version;
  keys::Range range = keys::Dentries(dir_);
  std::string begin = after_.empty() ? range.begin : keys::Dentry(dir_, after_) + '\0';
  // One more than asked says whether another page follows.
  kv::RangeOptions options{.limit = limit_ + 1u, .snapshot = true};
  Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(begin, range.end, options);
  if (!rows.ok()) co_return rows.status();
  entries.clear();
  more = rows->size() > limit_;
  size_t n = std::min<size_t>(rows->size(), limit_);
  entries.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    kv::KeyValue& row = (*rows)[i];
    CO_ASSIGN_OR_RETURN(DentryRecord d, DecodeRecord<DentryRecord>(row.value));
    // The name is the key's tail: taken in place, without another allocation per entry.
    CO_RETURN_IF_ERROR(keys::TakeDentryName(dir_, row.key));
    entries.push_back({std::move(row.key), d.child, d.type});
  }
  attrs.clear();
  if (!plus_) co_return Status();
  std::vector<InodeId> children;
  children.reserve(entries.size());
  for (const DirEntry& e : entries) children.push_back(e.child);
  // An entry removed since its dentry was read cannot be: the reads share one snapshot.
  CO_ASSIGN_OR_RETURN(attrs, co_await LoadAttrs(txn, children));
  co_return Status();
}

Task<Status> StatfsOp::Run(kv::Transaction& txn) {
  CO_ASSIGN_OR_RETURN(int64_t inodes, co_await SumUsage(txn, keys::kInodesUsed));
  CO_ASSIGN_OR_RETURN(int64_t bytes, co_await SumUsage(txn, keys::kBytesUsed));
  inodes_used = static_cast<uint64_t>(std::max<int64_t>(inodes, 0));
  bytes_used = static_cast<uint64_t>(std::max<int64_t>(bytes, 0));
  co_return Status();
}

}  // namespace chainfs::meta
