#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/ids.h"
#include "rpc/wire/serde.h"

// The values of the metadata store. They are encoded like RPC messages, so the same evolution
// rule holds: fields are only ever appended.
namespace chainfs::meta {

enum class FileType : uint8_t {
  kRegular = 1,
  kDirectory = 2,
  kSymlink = 3,
  kFifo = 4,
  kSocket = 5,
  kCharDevice = 6,
  kBlockDevice = 7,
};

// Where a file's chunks live, fixed at creation (DESIGN.md section 6).
struct Layout {
  uint32_t chunk_size_bytes = 1u << 20;
  uint32_t stripe = 16;
  uint32_t chain_table = 1;
  uint32_t chain_table_version = 1;
  uint32_t first_chain = 0;
  uint64_t seed = 0;
  CHAINFS_MESSAGE(Layout, chunk_size_bytes, stripe, chain_table, chain_table_version, first_chain,
                  seed)
};

// InodeRecord::flags.
inline constexpr uint32_t kInodeHasAcl = 1u << 0;  // a system.posix_acl_access beyond the mode
// Known to have no extended attributes: set at creation when none was inherited, cleared by the
// first one set and never set again (inodes from before the flag simply lack it).
inline constexpr uint32_t kInodeNoXattrs = 1u << 1;

struct InodeRecord {
  FileType type = FileType::kRegular;
  uint32_t mode = 0;  // permission bits and setuid/setgid/sticky, without the type
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 1;
  uint64_t rdev = 0;
  uint64_t size = 0;
  int64_t atime_ns = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  std::optional<Layout> layout;  // regular files
  std::string symlink_target;    // symlinks
  InodeId parent;                // directories
  uint32_t flags = 0;
  uint64_t truncate_version = 0;
  CHAINFS_MESSAGE(InodeRecord, type, mode, uid, gid, nlink, rdev, size, atime_ns, mtime_ns,
                  ctime_ns, layout, symlink_target, parent, flags, truncate_version)
};

struct DentryRecord {
  InodeId child;
  FileType type = FileType::kRegular;
  CHAINFS_MESSAGE(DentryRecord, child, type)
};

// An inode as callers see it: its id and its attributes (for directories, with the times and
// link count their DSTA keys hold folded in).
struct Attr {
  InodeId id;
  InodeRecord record;
  CHAINFS_MESSAGE(Attr, id, record)
};

// Decodes a stored value; kCorruption (never a crash) when the bytes are not one.
template <typename Record>
Result<Record> DecodeRecord(std::string_view bytes) {
  Result<Record> r = rpc::Decode<Record>(bytes);
  if (!r.ok()) return Status(StatusCode::kCorruption, std::string(r.status().message()));
  return r;
}

}  // namespace chainfs::meta
