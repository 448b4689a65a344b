#pragma once

#include <optional>
#include <string>
#include <vector>

#include "meta/ops/attr_ops.h"
#include "meta/ops/caller.h"
#include "meta/ops/create_ops.h"
#include "meta/ops/idempotent.h"
#include "meta/ops/lock_ops.h"
#include "meta/ops/open_ops.h"
#include "meta/ops/read_ops.h"
#include "meta/schema/records.h"

// The requests and responses of the metadata service. Wire format: append fields only.
namespace chainfs::meta {

struct Empty {
  CHAINFS_MESSAGE(Empty)
};

struct AttrRsp {
  Attr attr;
  CHAINFS_MESSAGE(AttrRsp, attr)
};

struct LookupReq {
  Caller caller;
  InodeId parent;
  std::string name;
  CHAINFS_MESSAGE(LookupReq, caller, parent, name)
};

// getattr and readlink.
struct InodeReq {
  InodeId id;
  CHAINFS_MESSAGE(InodeReq, id)
};

struct SetAttrReq {
  Caller caller;
  InodeId id;
  AttrChange change;
  CHAINFS_MESSAGE(SetAttrReq, caller, id, change)
};

// mknod, mkdir and symlink.
struct MknodReq {
  Caller caller;
  InodeId parent;
  std::string name;
  NewEntry entry;
  RequestTag tag;
  CHAINFS_MESSAGE(MknodReq, caller, parent, name, entry, tag)
};

struct ReadlinkRsp {
  std::string target;
  CHAINFS_MESSAGE(ReadlinkRsp, target)
};

struct LinkReq {
  Caller caller;
  InodeId id;
  InodeId parent;
  std::string name;
  RequestTag tag;
  CHAINFS_MESSAGE(LinkReq, caller, id, parent, name, tag)
};

// unlink and rmdir.
struct RemoveReq {
  Caller caller;
  InodeId parent;
  std::string name;
  RequestTag tag;
  CHAINFS_MESSAGE(RemoveReq, caller, parent, name, tag)
};

struct UnlinkRsp {
  // The directory's new modification and change time, for clients that keep its attributes;
  // 0 when not known (a request sent again, answered from its stored answer).
  int64_t dir_time_ns = 0;
  CHAINFS_MESSAGE(UnlinkRsp, dir_time_ns)
};

struct RenameReq {
  Caller caller;
  InodeId src_parent;
  std::string src_name;
  InodeId dst_parent;
  std::string dst_name;
  uint32_t flags = 0;  // RENAME_NOREPLACE, RENAME_EXCHANGE
  RequestTag tag;
  CHAINFS_MESSAGE(RenameReq, caller, src_parent, src_name, dst_parent, dst_name, flags, tag)
};

struct OpenReq {
  Caller caller;
  InodeId id;
  uint32_t flags = 0;  // open(2) flags
  uint64_t session = 0;
  uint64_t stamp = 0;  // raised by the client with every open it sends; 0: none
  CHAINFS_MESSAGE(OpenReq, caller, id, flags, session, stamp)
};

// open(O_CREAT): a regular file created (or, without O_EXCL, the existing one opened).
struct CreateReq {
  Caller caller;
  InodeId parent;
  std::string name;
  uint32_t mode = 0644;
  uint32_t flags = 0;
  uint64_t session = 0;
  uint64_t stamp = 0;  // as in OpenReq
  CHAINFS_MESSAGE(CreateReq, caller, parent, name, mode, flags, session, stamp)
};

struct OpenRsp {
  Attr attr;
  bool created = false;
  CHAINFS_MESSAGE(OpenRsp, attr, created)
};

// fsync (close false) and close.
struct ReportLengthReq {
  Caller caller;
  InodeId id;
  uint64_t session = 0;
  LengthReport report;
  bool close = false;
  uint64_t stamp = 0;  // on close: the last open stamp sent for the file; 0 closes regardless
  CHAINFS_MESSAGE(ReportLengthReq, caller, id, session, report, close, stamp)
};

// Closes whose writer had nothing left to report, sent together: each ends this client's
// write session on its file.
struct CloseFilesReq {
  uint64_t session = 0;
  std::vector<InodeId> ids;
  std::vector<uint64_t> stamps;  // per file, as in ReportLengthReq
  CHAINFS_MESSAGE(CloseFilesReq, session, ids, stamps)
};

struct ReaddirReq {
  Caller caller;
  InodeId id;
  std::string after;
  uint32_t limit = 0;  // 0: the server's page size
  bool plus = false;   // readdirplus: each entry's attributes too
  CHAINFS_MESSAGE(ReaddirReq, caller, id, after, limit, plus)
};

struct ReaddirRsp {
  std::vector<DirEntry> entries;
  bool more = false;
  std::vector<Attr> attrs;  // with plus: one per entry
  uint64_t version = 0;     // of the directory's entries: equal on pages of one listing
  InodeId parent;           // the directory's (the root's is itself)
  CHAINFS_MESSAGE(ReaddirRsp, entries, more, attrs, version, parent)
};

struct StatfsRsp {
  uint64_t total_bytes = 0;
  uint64_t used_bytes = 0;
  uint64_t total_inodes = 0;
  uint64_t used_inodes = 0;
  uint32_t block_size = 0;
  uint32_t max_name = 0;
  CHAINFS_MESSAGE(StatfsRsp, total_bytes, used_bytes, total_inodes, used_inodes, block_size,
                  max_name)
};

struct SetXattrReq {
  Caller caller;
  InodeId id;
  std::string name;
  std::string value;
  uint32_t flags = 0;  // XATTR_CREATE, XATTR_REPLACE
  RequestTag tag;
  CHAINFS_MESSAGE(SetXattrReq, caller, id, name, value, flags, tag)
};

struct XattrNameReq {
  Caller caller;
  InodeId id;
  std::string name;  // empty for list
  CHAINFS_MESSAGE(XattrNameReq, caller, id, name)
};

struct RemoveXattrReq {
  Caller caller;
  InodeId id;
  std::string name;
  RequestTag tag;
  CHAINFS_MESSAGE(RemoveXattrReq, caller, id, name, tag)
};

struct XattrValueRsp {
  std::string value;
  CHAINFS_MESSAGE(XattrValueRsp, value)
};

struct XattrListRsp {
  std::vector<std::string> names;
  CHAINFS_MESSAGE(XattrListRsp, names)
};

struct LockReq {
  InodeId id;
  LockRequest request;
  // SetLock: while a conflicting lock is held, the server keeps trying this long (at most
  // kMaxLockWaitMs) before it answers kWouldBlock. 0: answer at once.
  uint32_t wait_ms = 0;
  CHAINFS_MESSAGE(LockReq, id, request, wait_ms)
};
inline constexpr uint32_t kMaxLockWaitMs = 5000;

struct GetLockRsp {
  std::optional<LockConflict> conflict;
  CHAINFS_MESSAGE(GetLockRsp, conflict)
};

// Registering (session 0: the server picks the id), renewing and ending a client session.
struct SessionReq {
  uint64_t session = 0;
  std::string name;
  CHAINFS_MESSAGE(SessionReq, session, name)
};

struct SessionRsp {
  uint64_t session = 0;
  int64_t lease_ns = 0;  // renew well before it runs out
  CHAINFS_MESSAGE(SessionRsp, session, lease_ns)
};

}  // namespace chainfs::meta
