#include "meta/ops/caller.h"

#include <fmt/format.h>

#include <algorithm>

namespace chainfs::meta {

bool Caller::InGroup(uint32_t g) const {
  return g == gid || std::find(groups.begin(), groups.end(), g) != groups.end();
}

Status CheckAccess(const InodeRecord& inode, const Caller& caller, uint32_t want) {
  if (caller.uid == 0) {
    bool exec_ok = !(want & kMayExec) || inode.type == FileType::kDirectory || (inode.mode & 0111);
    if (exec_ok) return Status();
  } else {
    uint32_t bits = inode.mode & 07;
    if (caller.uid == inode.uid) {
      bits = (inode.mode >> 6) & 07;
    } else if (caller.InGroup(inode.gid)) {
      bits = (inode.mode >> 3) & 07;
    }
    if ((bits & want) == want) return Status();
  }
  return Status(
      StatusCode::kPermissionDenied,
      fmt::format("uid {} may not {}{}{} this inode", caller.uid, want & kMayRead ? "read " : "",
                  want & kMayWrite ? "write " : "", want & kMayExec ? "search/execute " : ""));
}

Status ValidateName(std::string_view name) {
  if (name.empty() || name == "." || name == "..") {
    return InvalidArgument(fmt::format("'{}' is not a valid name for a new entry", name));
  }
  if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return InvalidArgument("a name may not contain '/' or NUL");
  }
  if (name.size() > kMaxNameBytes) {
    return Status(StatusCode::kNameTooLong,
                  fmt::format("name of {} bytes exceeds {}", name.size(), kMaxNameBytes));
  }
  return Status();
}

}  // namespace chainfs::meta
