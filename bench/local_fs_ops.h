#pragma once

#include <string>

#include "bench/latency.h"

namespace chainfs::bench {

// The metadata benchmark's operations as system calls on a local directory (the baseline),
// with `clients` threads each working in a directory of its own on `files` files.
Figures RunLocal(const std::string& dir, int clients, int files);

}  // namespace chainfs::bench
