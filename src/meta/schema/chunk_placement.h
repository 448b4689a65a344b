#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "meta/schema/records.h"

// Which chain holds each chunk of a file (DESIGN.md section 6): chunk i of a file lives on
// list[i mod stripe], where list is `stripe` consecutive chain-table entries starting at the
// file's first chain (wrapping around the table), shuffled by the file's seed. The shuffle is
// our own (splitmix64 driving Fisher-Yates) and must never change: files written today are
// read with it forever. Clients, the GC and storage all compute placement with these.
namespace chainfs::meta {

// kInvalidArgument for a chunk size that is not a power of two in [64 KiB, 64 MiB], a stripe of
// 0 or larger than the table, or an empty table.
Status ValidateLayout(const Layout& layout, uint32_t table_size);

// The file's chain list: positions in its chain table, in stripe order.
Result<std::vector<uint32_t>> FileChains(const Layout& layout, uint32_t table_size);

inline uint64_t ChunkIndexOf(const Layout& layout, uint64_t offset) {
  return offset / layout.chunk_size_bytes;
}

// The chain-table position of chunk `chunk_index`, given the file's chain list.
inline uint32_t ChainOfChunk(const std::vector<uint32_t>& file_chains, uint64_t chunk_index) {
  return file_chains[chunk_index % file_chains.size()];
}

}  // namespace chainfs::meta
