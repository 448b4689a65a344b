#pragma once

#include <string>

namespace chainfs::bench {

// One fio run's figure: bytes per second and operations per second of its single job.
struct FioFigure {
  double bytes_per_s = 0;
  double iops = 0;
  bool ok = false;
  std::string error;
};

// Runs fio with direct I/O on `file` (created, `size_mib` MiB): `rw` is write, read or
// randread; `bs` like "1M" or "4k". Bounded by `seconds`.
FioFigure RunFio(const std::string& file, const std::string& rw, const std::string& bs, int iodepth,
                 int size_mib, int seconds);

}  // namespace chainfs::bench
