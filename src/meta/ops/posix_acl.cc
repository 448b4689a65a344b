#include "meta/ops/posix_acl.h"

#include <fmt/format.h>

namespace chainfs::meta {
namespace {

constexpr uint32_t kAclVersion = 2;
constexpr size_t kHeaderBytes = 4;
constexpr size_t kEntryBytes = 8;

uint32_t Le(std::string_view b, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

void PutLe(std::string& out, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

AclEntry* Find(std::vector<AclEntry>& acl, uint16_t tag) {
  for (AclEntry& e : acl) {
    if (e.tag == tag) return &e;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<AclEntry>> ParseAcl(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes || (bytes.size() - kHeaderBytes) % kEntryBytes != 0) {
    return InvalidArgument(fmt::format("an ACL of {} bytes", bytes.size()));
  }
  if (Le(bytes, 0, 4) != kAclVersion) {
    return InvalidArgument(fmt::format("ACL version {}", Le(bytes, 0, 4)));
  }
  std::vector<AclEntry> acl;
  int owners = 0, groups = 0, others = 0, masks = 0, named = 0;
  for (size_t at = kHeaderBytes; at < bytes.size(); at += kEntryBytes) {
    AclEntry e{static_cast<uint16_t>(Le(bytes, at, 2)), static_cast<uint16_t>(Le(bytes, at + 2, 2)),
               Le(bytes, at + 4, 4)};
    if (e.perm & ~7u) return InvalidArgument(fmt::format("ACL permission {:#o}", e.perm));
    switch (e.tag) {
      case kAclUserObj:
        ++owners;
        break;
      case kAclGroupObj:
        ++groups;
        break;
      case kAclOther:
        ++others;
        break;
      case kAclMask:
        ++masks;
        break;
      case kAclUser:
      case kAclGroup:
        ++named;
        break;
      default:
        return InvalidArgument(fmt::format("ACL tag {:#x}", e.tag));
    }
    acl.push_back(e);
  }
  if (owners != 1 || groups != 1 || others != 1 || masks > 1 || (named > 0 && masks == 0)) {
    return InvalidArgument(
        "an ACL needs one owner, group and other entry, and a mask with "
        "named entries");
  }
  return acl;
}

std::string EncodeAcl(const std::vector<AclEntry>& acl) {
  std::string out;
  PutLe(out, kAclVersion, 4);
  for (const AclEntry& e : acl) {
    PutLe(out, e.tag, 2);
    PutLe(out, e.perm, 2);
    PutLe(out, e.id, 4);
  }
  return out;
}

uint32_t AclModeBits(const std::vector<AclEntry>& acl) {
  uint32_t owner = 0, group = 0, other = 0, mask = 0;
  bool has_mask = false;
  for (const AclEntry& e : acl) {
    if (e.tag == kAclUserObj) owner = e.perm;
    if (e.tag == kAclGroupObj) group = e.perm;
    if (e.tag == kAclOther) other = e.perm;
    if (e.tag == kAclMask) {
      mask = e.perm;
      has_mask = true;
    }
  }
  return (owner << 6) | ((has_mask ? mask : group) << 3) | other;
}

bool AclIsMinimal(const std::vector<AclEntry>& acl) {
  for (const AclEntry& e : acl) {
    if (e.tag != kAclUserObj && e.tag != kAclGroupObj && e.tag != kAclOther) return false;
  }
  return true;
}

void ChmodAcl(std::vector<AclEntry>& acl, uint32_t mode) {
  if (AclEntry* e = Find(acl, kAclUserObj)) e->perm = (mode >> 6) & 7;
  AclEntry* group = Find(acl, kAclMask);
  if (group == nullptr) group = Find(acl, kAclGroupObj);
  if (group) group->perm = (mode >> 3) & 7;
  if (AclEntry* e = Find(acl, kAclOther)) e->perm = mode & 7;
}

bool AclPermits(const std::vector<AclEntry>& acl, uint32_t uid, uint32_t owner_gid,
                const std::function<bool(uint32_t)>& in_group, uint32_t want) {
  uint32_t mask = 7;
  for (const AclEntry& e : acl) {
    if (e.tag == kAclMask) mask = e.perm;
  }
  for (const AclEntry& e : acl) {
    if (e.tag == kAclUser && e.id == uid) return (e.perm & mask & want) == want;
  }
  bool in_some_group = false;
  for (const AclEntry& e : acl) {
    bool group_entry = e.tag == kAclGroupObj || e.tag == kAclGroup;
    if (!group_entry || !in_group(e.tag == kAclGroupObj ? owner_gid : e.id)) continue;
    in_some_group = true;
    if ((e.perm & mask & want) == want) return true;
  }
  if (in_some_group) return false;
  for (const AclEntry& e : acl) {
    if (e.tag == kAclOther) return (e.perm & want) == want;
  }
  return false;
}

uint32_t InheritAcl(std::vector<AclEntry>& acl, uint32_t mode) {
  if (AclEntry* e = Find(acl, kAclUserObj)) e->perm &= (mode >> 6) & 7;
  AclEntry* group = Find(acl, kAclMask);
  if (group == nullptr) group = Find(acl, kAclGroupObj);
  if (group) group->perm &= (mode >> 3) & 7;
  if (AclEntry* e = Find(acl, kAclOther)) e->perm &= mode & 7;
  return (mode & ~0777u) | AclModeBits(acl);
}

}  // namespace chainfs::meta
