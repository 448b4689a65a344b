#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chainfs {

// Fixed-width big-endian integers, used inside keys so that byte order is numeric order.
inline void AppendBigEndian(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// Reads the first eight bytes of `b`, which must hold at least eight.
inline uint64_t ReadBigEndian(std::string_view b) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

}  // namespace chainfs
