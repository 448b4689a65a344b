#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

// POSIX ACLs as Linux hands them to file systems: the system.posix_acl_access and
// system.posix_acl_default attributes, in the kernel's xattr encoding (a little-endian version
// 2 header, then {tag u16, perm u16, id u32} entries). The kernel enforces them; the metadata
// server keeps the mode and the ACL in step and hands a directory's default ACL to what is
// created in it, as the POSIX draft (and every Linux file system) does.
namespace chainfs::meta {

inline constexpr std::string_view kAclAccess = "system.posix_acl_access";
inline constexpr std::string_view kAclDefault = "system.posix_acl_default";

enum AclTag : uint16_t {
  kAclUserObj = 0x01,
  kAclUser = 0x02,
  kAclGroupObj = 0x04,
  kAclGroup = 0x08,
  kAclMask = 0x10,
  kAclOther = 0x20,
};

struct AclEntry {
  uint16_t tag = 0;
  uint16_t perm = 0;  // rwx bits
  uint32_t id = 0;
};

// kInvalidArgument unless `bytes` is a well-formed ACL (known version and tags, one owner,
// owning group and other entry, and a mask whenever named users or groups appear).
Result<std::vector<AclEntry>> ParseAcl(std::string_view bytes);
std::string EncodeAcl(const std::vector<AclEntry>& acl);
// The permission bits (0777) an access ACL stands for: the group bits are the mask's.
uint32_t AclModeBits(const std::vector<AclEntry>& acl);
// Whether the ACL says no more than the mode does (owner, group and other entries only).
bool AclIsMinimal(const std::vector<AclEntry>& acl);
// chmod: the owner, mask (or group) and other entries take the mode's bits.
void ChmodAcl(std::vector<AclEntry>& acl, uint32_t mode);
// POSIX.1e access check of `acl` for a caller who does not own the file: a named-user entry,
// else the owning group and named-group entries (each limited by the mask), else other.
bool AclPermits(const std::vector<AclEntry>& acl, uint32_t uid, uint32_t owner_gid,
                const std::function<bool(uint32_t)>& in_group, uint32_t want);
// A new file in a directory with default ACL `acl`: the ACL becomes the file's access ACL,
// limited by the requested `mode`; returns the file's mode (setuid/setgid/sticky kept).
uint32_t InheritAcl(std::vector<AclEntry>& acl, uint32_t mode);

}  // namespace chainfs::meta
