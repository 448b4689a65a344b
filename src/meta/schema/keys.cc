#include "meta/schema/keys.h"

#include <fmt/format.h>

namespace chainfs::meta::keys {

namespace {

std::string WithId(std::string_view prefix, uint64_t id) {
  std::string k(prefix);
  AppendBigEndian(k, id);
  return k;
}

// Every key that starts with `prefix`.
Range PrefixRange(std::string prefix) {
  std::string end = prefix;
  // Trailing 0xff bytes (an id may end in them) cannot be incremented: drop them first. Every
  // prefix starts with an ASCII tag, so something is always left.
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return {std::move(prefix), std::move(end)};
}

// Whether `key` is an entry of `parent` (a name follows the prefix).
bool InDirectory(InodeId parent, std::string_view key) {
  constexpr size_t kPrefix = kDentry.size() + 8;
  return key.size() > kPrefix && key.substr(0, kDentry.size()) == kDentry &&
         ReadBigEndian(key.substr(kDentry.size(), 8)) == parent.value();
}

Status BadKey(std::string_view what, std::string_view key) {
  return Status(
      StatusCode::kCorruption,
      fmt::format("malformed {} key of {} bytes in the metadata store", what, key.size()));
}

}  // namespace

std::string Inode(InodeId inode) { return WithId(kInode, inode.value()); }

Range AllInodes() { return PrefixRange(std::string(kInode)); }

Result<InodeId> ParseInode(std::string_view key) {
  if (key.size() != kInode.size() + 8 || key.substr(0, kInode.size()) != kInode) {
    return BadKey("inode", key);
  }
  return InodeId(ReadBigEndian(key.substr(kInode.size())));
}

std::string Dentry(InodeId parent, std::string_view name) {
  std::string k = WithId(kDentry, parent.value());
  k.append(name);
  return k;
}

Range Dentries(InodeId parent) { return PrefixRange(WithId(kDentry, parent.value())); }

Result<std::pair<InodeId, std::string>> ParseDentry(std::string_view key) {
  if (key.size() <= kDentry.size() + 8 || key.substr(0, kDentry.size()) != kDentry) {
    return BadKey("directory entry", key);
  }
  InodeId parent(ReadBigEndian(key.substr(kDentry.size())));
  return std::make_pair(parent, std::string(key.substr(kDentry.size() + 8)));
}

Status TakeDentryName(InodeId parent, std::string& key) {
  if (!InDirectory(parent, key)) return BadKey("directory entry", key);
  key.erase(0, kDentry.size() + 8);
  return Status();
}

std::string Xattr(InodeId inode, std::string_view name) {
  std::string k = WithId(kXattr, inode.value());
  k.append(name);
  return k;
}

Range Xattrs(InodeId inode) { return PrefixRange(WithId(kXattr, inode.value())); }

std::string Session(InodeId inode, uint64_t session) {
  std::string k = WithId(kSession, inode.value());
  AppendBigEndian(k, session);
  return k;
}

Range Sessions(InodeId inode) { return PrefixRange(WithId(kSession, inode.value())); }

std::string Client(uint64_t session) { return WithId(kClient, session); }

Range AllClients() { return PrefixRange(std::string(kClient)); }

Result<uint64_t> ParseClient(std::string_view key) {
  if (key.size() != kClient.size() + 8 || key.substr(0, kClient.size()) != kClient) {
    return BadKey("client session", key);
  }
  return ReadBigEndian(key.substr(kClient.size()));
}

std::string Held(uint64_t session, InodeId inode) {
  std::string k = WithId(kHeld, session);
  AppendBigEndian(k, inode.value());
  return k;
}

Range HeldBy(uint64_t session) { return PrefixRange(WithId(kHeld, session)); }

Result<InodeId> ParseHeldInode(uint64_t session, std::string_view key) {
  std::string prefix = WithId(kHeld, session);
  if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) {
    return BadKey("held-by-session", key);
  }
  return InodeId(ReadBigEndian(key.substr(prefix.size())));
}

std::string Request(uint64_t session, uint64_t seq) {
  std::string k = WithId(kRequest, session);
  AppendBigEndian(k, seq);
  return k;
}

Range Requests(uint64_t session) { return PrefixRange(WithId(kRequest, session)); }

std::string Lock(InodeId inode, uint64_t session, uint64_t owner, uint8_t kind) {
  std::string k = WithId(kLock, inode.value());
  AppendBigEndian(k, session);
  AppendBigEndian(k, owner);
  k.push_back(static_cast<char>(kind));
  return k;
}

Range Locks(InodeId inode) { return PrefixRange(WithId(kLock, inode.value())); }

Range SessionLocks(InodeId inode, uint64_t session) {
  std::string prefix = WithId(kLock, inode.value());
  AppendBigEndian(prefix, session);
  return PrefixRange(std::move(prefix));
}

std::string Orphan(InodeId inode) { return WithId(kOrphan, inode.value()); }

Range AllOrphans() { return PrefixRange(std::string(kOrphan)); }
Range AllDentries() { return PrefixRange(std::string(kDentry)); }
Range AllGcQueue() { return PrefixRange(std::string(kGcQueue)); }
Range AllDirStats() { return PrefixRange(std::string(kDirStat)); }
Range AllXattrs() { return PrefixRange(std::string(kXattr)); }

std::string GcQueue(Nanos due, InodeId inode) {
  std::string k = WithId(kGcQueue, static_cast<uint64_t>(std::max<int64_t>(due.count(), 0)));
  AppendBigEndian(k, inode.value());
  return k;
}

Range GcDueBy(Nanos now) {
  // Everything due at or before `now`: keys below the first one of the next nanosecond.
  return {std::string(kGcQueue), WithId(kGcQueue, static_cast<uint64_t>(now.count()) + 1)};
}

std::string DirStat(InodeId dir, char field) {
  std::string k = WithId(kDirStat, dir.value());
  k.push_back(field);
  return k;
}

std::string UsageCounter(std::string_view name, InodeId inode) {
  std::string k = Counter(name);
  k.push_back(static_cast<char>(inode.value() % kUsageShards));
  return k;
}

Range UsageCounters(std::string_view name) { return PrefixRange(Counter(name)); }

std::string Counter(std::string_view name) {
  std::string k(kCounter);
  k.append(name);
  return k;
}

}  // namespace chainfs::meta::keys
