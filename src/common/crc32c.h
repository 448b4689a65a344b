#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace chainfs {

// CRC32C (Castagnoli), as in iSCSI and ext4, computed with isa-l.
// Crc32c(data) == Crc32cExtend(0, data); extending lets one checksum cover several pieces.
uint32_t Crc32c(std::span<const char> data);
uint32_t Crc32cExtend(uint32_t crc, std::span<const char> data);

}  // namespace chainfs
