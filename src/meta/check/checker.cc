#include "meta/check/checker.h"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <set>

#include "meta/ops/store.h"
#include "meta/schema/keys.h"
#include "meta/schema/records.h"

namespace chainfs::meta {

namespace {

struct Store {
  std::map<InodeId, InodeRecord> inodes;
  std::map<InodeId, std::vector<std::pair<std::string, DentryRecord>>> children;  // by parent
  std::map<InodeId, uint32_t> links;  // entries naming each inode
  std::set<InodeId> released;         // orphans and queued for collection
  std::map<std::pair<InodeId, char>, int64_t> dir_stats;
  std::set<InodeId> with_xattrs;
  int64_t inodes_counted = 0;  // the statfs counters
  int64_t bytes_counted = 0;
};

Task<Result<std::vector<kv::KeyValue>>> ReadAll(kv::Transaction& txn, keys::Range range) {
  kv::RangeOptions snapshot{.snapshot = true};
  co_return co_await txn.GetRange(range.begin, range.end, snapshot);
}

Task<Status> Load(kv::Transaction& txn, Store& s, CheckReport& report) {
  CO_ASSIGN_OR_RETURN(auto inodes, co_await ReadAll(txn, keys::AllInodes()));
  for (const kv::KeyValue& kv : inodes) {
    CO_ASSIGN_OR_RETURN(InodeId id, keys::ParseInode(kv.key));
    Result<InodeRecord> r = DecodeRecord<InodeRecord>(kv.value);
    if (!r.ok()) {
      report.problems.push_back(fmt::format("inode {}: {}", id, r.status().message()));
      continue;
    }
    s.inodes.emplace(id, std::move(*r));
  }
  CO_ASSIGN_OR_RETURN(auto dentries, co_await ReadAll(txn, keys::AllDentries()));
  for (const kv::KeyValue& kv : dentries) {
    CO_ASSIGN_OR_RETURN(auto parsed, keys::ParseDentry(kv.key));
    Result<DentryRecord> d = DecodeRecord<DentryRecord>(kv.value);
    if (!d.ok()) {
      report.problems.push_back(
          fmt::format("entry {}/{}: {}", parsed.first, parsed.second, d.status().message()));
      continue;
    }
    ++s.links[d->child];
    s.children[parsed.first].emplace_back(std::move(parsed.second), *d);
  }
  report.inodes = s.inodes.size();
  report.entries = dentries.size();
  CO_ASSIGN_OR_RETURN(auto orphans, co_await ReadAll(txn, keys::AllOrphans()));
  for (const kv::KeyValue& kv : orphans) {
    s.released.insert(
        InodeId(ReadBigEndian(std::string_view(kv.key).substr(keys::kOrphan.size()))));
  }
  CO_ASSIGN_OR_RETURN(auto queued, co_await ReadAll(txn, keys::AllGcQueue()));
  for (const kv::KeyValue& kv : queued) {
    s.released.insert(
        InodeId(ReadBigEndian(std::string_view(kv.key).substr(keys::kGcQueue.size() + 8))));
  }
  CO_ASSIGN_OR_RETURN(auto stats, co_await ReadAll(txn, keys::AllDirStats()));
  for (const kv::KeyValue& kv : stats) {
    InodeId dir(ReadBigEndian(std::string_view(kv.key).substr(keys::kDirStat.size())));
    CO_ASSIGN_OR_RETURN(int64_t v, kv::DecodeInt64(kv.value));
    s.dir_stats[{dir, kv.key.back()}] = v;
  }
  CO_ASSIGN_OR_RETURN(auto xattrs, co_await ReadAll(txn, keys::AllXattrs()));
  for (const kv::KeyValue& kv : xattrs) {
    s.with_xattrs.insert(
        InodeId(ReadBigEndian(std::string_view(kv.key).substr(keys::kXattr.size(), 8))));
  }
  CO_ASSIGN_OR_RETURN(s.inodes_counted, co_await SumUsage(txn, keys::kInodesUsed));
  CO_ASSIGN_OR_RETURN(s.bytes_counted, co_await SumUsage(txn, keys::kBytesUsed));
  co_return Status();
}

void CheckEntries(const Store& s, CheckReport& report) {
  for (const auto& [parent, entries] : s.children) {
    auto p = s.inodes.find(parent);
    if (p == s.inodes.end() || p->second.type != FileType::kDirectory) {
      report.problems.push_back(fmt::format("entries under {}, which is not a directory", parent));
      continue;
    }
    int64_t subdirs = 0;
    for (const auto& [name, d] : entries) {
      auto c = s.inodes.find(d.child);
      if (c == s.inodes.end()) {
        report.problems.push_back(
            fmt::format("entry {}/{} names missing inode {}", parent, name, d.child));
        continue;
      }
      if (c->second.type != d.type) {
        report.problems.push_back(fmt::format("entry {}/{} has the wrong type", parent, name));
      }
      if (c->second.type == FileType::kDirectory) {
        ++subdirs;
        if (c->second.parent != parent) {
          report.problems.push_back(fmt::format("directory {} is named in {} but its parent is {}",
                                                d.child, parent, c->second.parent));
        }
      }
    }
    auto stat = [&](char f) {
      auto it = s.dir_stats.find({parent, f});
      return it == s.dir_stats.end() ? 0 : it->second;
    };
    if (stat(keys::kDirEntries) != static_cast<int64_t>(entries.size()) ||
        stat(keys::kDirSubdirs) != subdirs) {
      report.problems.push_back(
          fmt::format("directory {} counts {} entries / {} subdirectories, holds {} / {}", parent,
                      stat(keys::kDirEntries), stat(keys::kDirSubdirs), entries.size(), subdirs));
    }
  }
}

void CheckInodes(const Store& s, CheckReport& report) {
  std::set<InodeId> reachable{kRootInode};
  std::deque<InodeId> todo{kRootInode};
  while (!todo.empty()) {
    InodeId dir = todo.front();
    todo.pop_front();
    auto it = s.children.find(dir);
    if (it == s.children.end()) continue;
    for (const auto& [name, d] : it->second) {
      if (reachable.insert(d.child).second && d.type == FileType::kDirectory)
        todo.push_back(d.child);
    }
  }
  if (!s.inodes.count(kRootInode)) report.problems.push_back("the root directory is missing");
  for (const auto& [id, inode] : s.inodes) {
    auto l = s.links.find(id);
    uint32_t links = l == s.links.end() ? 0 : l->second;
    bool released = s.released.count(id) > 0;
    if (inode.type == FileType::kDirectory) {
      if (id != kRootInode && links != 1) {
        report.problems.push_back(fmt::format("directory {} has {} entries naming it", id, links));
      }
    } else if (inode.nlink != links) {
      report.problems.push_back(
          fmt::format("inode {} has nlink {} but {} entries", id, inode.nlink, links));
    }
    if (!reachable.count(id) && !(links == 0 && released)) {
      report.problems.push_back(fmt::format("inode {} is unreachable and not released", id));
    }
  }
}

// The statfs counters match the inodes and file sizes, no directory counts outlive it, and no
// inode marked as having no extended attributes has any.
void CheckCounters(const Store& s, CheckReport& report) {
  int64_t bytes = 0;
  for (const auto& [id, inode] : s.inodes) {
    if (inode.type == FileType::kRegular) bytes += static_cast<int64_t>(inode.size);
  }
  if (s.inodes_counted != static_cast<int64_t>(s.inodes.size()) || s.bytes_counted != bytes) {
    report.problems.push_back(
        fmt::format("usage counters say {} inodes / {} bytes, store holds {} / {}",
                    s.inodes_counted, s.bytes_counted, s.inodes.size(), bytes));
  }
  for (InodeId id : s.with_xattrs) {
    auto it = s.inodes.find(id);
    if (it != s.inodes.end() && (it->second.flags & kInodeNoXattrs) != 0) {
      report.problems.push_back(
          fmt::format("inode {} is marked as having no attributes but has some", id));
    }
  }
  for (const auto& [key, value] : s.dir_stats) {
    if (!s.inodes.count(key.first)) {
      report.problems.push_back(
          fmt::format("counts left behind for deleted directory {}", key.first));
    }
  }
}

}  // namespace

Task<Result<CheckReport>> CheckMetadata(kv::Engine& engine) {
  std::unique_ptr<kv::Transaction> txn = engine.Begin();
  CheckReport report;
  Store store;
  CO_RETURN_IF_ERROR(co_await Load(*txn, store, report));
  CheckEntries(store, report);
  CheckInodes(store, report);
  CheckCounters(store, report);
  co_return report;
}

}  // namespace chainfs::meta
