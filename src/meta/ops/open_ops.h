#pragma once

#include <cstdint>
#include <vector>

#include "kv/retry.h"
#include "meta/ops/caller.h"
#include "meta/schema/records.h"

// open, close and fsync. Data moves between clients and storage; these record who writes a
// file (write sessions) and the length writers report.
namespace chainfs::meta {

// open(inode, flags) with Linux's open(2) flag values: the access mode (O_RDONLY, O_WRONLY,
// O_RDWR) is checked against the file's permission bits; O_TRUNC empties a regular file
// (needs write access; bumps the truncate version). Opening for writing needs a registered
// client session and records a write session, which keeps the file's chunks alive if its last
// name goes while it is open; `session` may also be given for a read-only open, for the same
// reason. The access time follows relatime: it moves to now when it is older than the
// modification or change time, or a day old. A read-only open commits with relaxed
// durability (kv::Transaction::RelaxDurability).
//
// Errors: kNotFound, kIsDirectory (a directory opened for writing), kPermissionDenied,
// kInvalidArgument (access mode 3, or writing without a session), kNotFound for an unknown
// client session, kLoop for a symlink (the kernel resolves them before open).
class OpenOp : public kv::TxnBody {
 public:
  OpenOp(Caller caller, InodeId id, uint32_t flags, uint64_t session, int64_t now_ns,
         uint64_t stamp = 0)
      : caller_(std::move(caller)),
        id_(id),
        flags_(flags),
        session_(session),
        now_ns_(now_ns),
        stamp_(stamp) {}
  Task<Status> Run(kv::Transaction& txn) override;
  Attr result;

 private:
  Caller caller_;
  InodeId id_;
  uint32_t flags_;
  uint64_t session_;
  int64_t now_ns_;
  uint64_t stamp_;  // see OpenWriteSession
};

// kInvalidArgument for flags open(2) would refuse or that make no sense to the metadata
// server (O_CREAT belongs to create, O_DIRECTORY to lookup).
Status ValidateOpenFlags(uint32_t flags);
bool WantsWrite(uint32_t flags);

// What a writer reports on flush, fsync and close: the end of what it wrote, under the
// truncate version it saw when it opened (a report that predates a truncate cannot extend the
// file past it).
struct LengthReport {
  uint64_t length = 0;
  uint64_t truncate_version = 0;
  bool wrote = false;  // data was written since the last report: the times move
  CHAINFS_MESSAGE(LengthReport, length, truncate_version, wrote)
};

// fsync (end_session false) and close (true): the file grows to the reported length; a write
// moves mtime and ctime and, for a writer other than root, drops setuid/setgid. Close ends
// the caller's write session (when `session` is not 0). Errors: kNotFound.
class ReportLengthOp : public kv::TxnBody {
 public:
  ReportLengthOp(Caller caller, InodeId id, uint64_t session, LengthReport report, bool end_session,
                 int64_t now_ns, uint64_t stamp = 0)
      : caller_(std::move(caller)),
        id_(id),
        session_(session),
        report_(report),
        end_session_(end_session),
        now_ns_(now_ns),
        stamp_(stamp) {}
  Task<Status> Run(kv::Transaction& txn) override;
  Attr result;

 private:
  Caller caller_;
  InodeId id_;
  uint64_t session_;
  LengthReport report_;
  bool end_session_;
  int64_t now_ns_;
  uint64_t stamp_;  // the last open stamp the closing client sent (see OpenWriteSession)
};

// Whether `session` holds `id` open as of exactly `stamp`: the mark its create of that stamp
// left. A create whose answer was lost and that is sent again (with O_EXCL) finds its own file
// this way, not someone else's. Read-only.
class OwnsOpenOp : public kv::TxnBody {
 public:
  OwnsOpenOp(InodeId id, uint64_t session, uint64_t stamp)
      : id_(id), session_(session), stamp_(stamp) {}
  bool read_only() const override { return true; }
  Task<Status> Run(kv::Transaction& txn) override;
  bool owns = false;

 private:
  InodeId id_;
  uint64_t session_;
  uint64_t stamp_;
};

// Close of many files by one client session at once, none with a length to report: ends the
// session's write session on each, as of its open stamp (a file unlinked while open then goes
// to the GC queue). Files that are gone already are skipped.
class CloseFilesOp : public kv::TxnBody {
 public:
  CloseFilesOp(uint64_t session, std::vector<InodeId> ids, std::vector<uint64_t> stamps,
               int64_t now_ns)
      : session_(session), ids_(std::move(ids)), stamps_(std::move(stamps)), now_ns_(now_ns) {}
  Task<Status> Run(kv::Transaction& txn) override;

 private:
  uint64_t session_;
  std::vector<InodeId> ids_;
  std::vector<uint64_t> stamps_;  // one per id
  int64_t now_ns_;
};

}  // namespace chainfs::meta
