#pragma once

#include <string>
#include <string_view>

#include "common/big_endian.h"
#include "common/ids.h"
#include "common/result.h"
#include "runtime/clock.h"

// Every key of the metadata store is built here and nowhere else. Keys start with a
// four-letter prefix; integers are big-endian so that ranges sort as numbers do, and so that
// all entries of one directory (or all attributes of one inode) form one contiguous range.
namespace chainfs::meta::keys {

inline constexpr std::string_view kInode = "INOD";
inline constexpr std::string_view kDentry = "DENT";
inline constexpr std::string_view kXattr = "XATR";
inline constexpr std::string_view kSession = "SESS";
inline constexpr std::string_view kOrphan = "ORPH";
inline constexpr std::string_view kGcQueue = "GCQU";
inline constexpr std::string_view kLock = "LOCK";
inline constexpr std::string_view kQuota = "QUOT";
inline constexpr std::string_view kDirStat = "DSTA";
inline constexpr std::string_view kCounter = "CNTR";
inline constexpr std::string_view kClient = "CLNT";
inline constexpr std::string_view kHeld = "HELD";
inline constexpr std::string_view kRequest = "REQS";

// A [begin, end) key range.
struct Range {
  std::string begin;
  std::string end;
};

std::string Inode(InodeId inode);
Range AllInodes();
Result<InodeId> ParseInode(std::string_view key);

std::string Dentry(InodeId parent, std::string_view name);
// All entries of one directory, in name order.
Range Dentries(InodeId parent);
// Parent and name of any dentry key.
Result<std::pair<InodeId, std::string>> ParseDentry(std::string_view key);
// The name part of a dentry key of `parent`, in place: `key` becomes the name (kCorruption,
// `key` unchanged, if it is not an entry of `parent`).
Status TakeDentryName(InodeId parent, std::string& key);

std::string Xattr(InodeId inode, std::string_view name);
Range Xattrs(InodeId inode);

std::string Session(InodeId inode, uint64_t session);
Range Sessions(InodeId inode);

// A client session (until the cluster manager keeps them): its lease.
std::string Client(uint64_t session);
Range AllClients();
Result<uint64_t> ParseClient(std::string_view key);

// Index from a client session to the inodes it holds something on (a write session or
// locks), so that what a dead client held can be released without scanning every inode.
std::string Held(uint64_t session, InodeId inode);
Range HeldBy(uint64_t session);
Result<InodeId> ParseHeldInode(uint64_t session, std::string_view key);

// The answer to a mutation a client session tagged with `seq`, kept so that the same request
// sent again after its answer was lost is answered, not done twice (IdempotentOp).
std::string Request(uint64_t session, uint64_t seq);
Range Requests(uint64_t session);

// The locks one owner of one client session holds on an inode; all locks of a session on an
// inode form one range, all locks on an inode another.
std::string Lock(InodeId inode, uint64_t session, uint64_t owner, uint8_t kind);
Range Locks(InodeId inode);
Range SessionLocks(InodeId inode, uint64_t session);

std::string Orphan(InodeId inode);
Range AllOrphans();
Range AllDentries();
Range AllGcQueue();
Range AllDirStats();
Range AllXattrs();

// Ordered by due time, so the collector reads what is due from the front.
std::string GcQueue(Nanos due, InodeId inode);
Range GcDueBy(Nanos now);

// A directory's times and counts live in keys of their own, changed only by atomic
// mutations, so that creating entries never writes (and so never conflicts on) the
// directory's inode. Fields: kDirMtime (AtomicMax, ns), kDirCtime (AtomicAdvance, ns: it moves
// with every change to the entries, so it is also their version), kDirEntries, kDirSubdirs
// (AtomicAdd).
inline constexpr char kDirMtime = 'm';
inline constexpr char kDirCtime = 'c';
inline constexpr char kDirEntries = 'n';
inline constexpr char kDirSubdirs = 'd';
std::string DirStat(InodeId dir, char field);
std::string Counter(std::string_view name);
// Usage counters (statfs): inodes in use and bytes of regular files. Each is split over
// kUsageShards keys, picked by inode, so that stores whose atomic adds rewrite a row
// (PostgreSQL) do not serialize every create on one row; readers sum the range.
inline constexpr std::string_view kInodesUsed = "inodes/";
inline constexpr std::string_view kBytesUsed = "bytes/";
inline constexpr uint64_t kUsageShards = 256;
// Counters whose only use is a durable write (MakeDurable).
inline constexpr std::string_view kSyncMarks = "syncs/";
std::string UsageCounter(std::string_view name, InodeId inode);
Range UsageCounters(std::string_view name);

}  // namespace chainfs::meta::keys
