#include "runtime/disk.h"

#include <fmt/format.h>

namespace chainfs {

Status CheckFreeSpace(Disk& disk, const std::string& path, uint64_t reserve,
                      std::string_view kept_for) {
  if (reserve == 0) return Status();
  Result<uint64_t> free = disk.FreeBytes(path);
  if (!free.ok() || *free >= reserve) return Status();  // unknown: the write will tell
  return Status(StatusCode::kNoSpace,
                fmt::format("the file system under '{}' has {} MiB free, below the {} MiB kept "
                            "for {}",
                            path, *free >> 20, reserve >> 20, kept_for));
}

}  // namespace chainfs
