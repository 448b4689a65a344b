#pragma once

namespace chainfs::cli {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace chainfs::cli
