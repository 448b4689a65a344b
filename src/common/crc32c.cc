#include "common/crc32c.h"

#include <isa-l/crc.h>

#include <algorithm>

namespace chainfs {

uint32_t Crc32cExtend(uint32_t crc, std::span<const char> data) {
  // isa-l's crc32_iscsi neither pre- nor post-inverts; the standard CRC32C does both.
  constexpr size_t kPiece = size_t{1} << 30;  // isa-l takes an int length
  uint32_t raw = ~crc;
  for (size_t off = 0; off < data.size(); off += kPiece) {
    size_t n = std::min(kPiece, data.size() - off);
    auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(data.data() + off));
    raw = crc32_iscsi(p, static_cast<int>(n), raw);
  }
  return ~raw;
}

uint32_t Crc32c(std::span<const char> data) { return Crc32cExtend(0, data); }

}  // namespace chainfs
