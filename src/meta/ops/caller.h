#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "meta/schema/records.h"

namespace chainfs::meta {

// Who asks: the credentials the kernel passes with each request.
struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;
  // Applied to the mode of what the caller creates, unless a default ACL applies instead.
  uint32_t umask = 0;
  bool InGroup(uint32_t g) const;
  CHAINFS_MESSAGE(Caller, uid, gid, groups, umask)
};

enum Access : uint32_t { kMayRead = 4, kMayWrite = 2, kMayExec = 1 };

// kPermissionDenied unless `caller` may access `inode` as `want` (a mask of Access bits), by
// the owner / group / other bits, as Linux decides it. Root may do anything except execute a
// file that no one may execute.
Status CheckAccess(const InodeRecord& inode, const Caller& caller, uint32_t want);

// kInvalidArgument for "", ".", "..", and names with '/' or NUL; kNameTooLong past 255 bytes.
Status ValidateName(std::string_view name);

inline constexpr uint32_t kSetUid = 04000;
inline constexpr uint32_t kSetGid = 02000;
inline constexpr uint32_t kSticky = 01000;
inline constexpr size_t kMaxNameBytes = 255;
inline constexpr size_t kMaxPathBytes = 4096;  // PATH_MAX, counting the terminating NUL

}  // namespace chainfs::meta
