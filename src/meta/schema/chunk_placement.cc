#include "meta/schema/chunk_placement.h"

#include <fmt/format.h>

#include <utility>

namespace chainfs::meta {

namespace {

// splitmix64: fixed forever (see the header).
uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Status ValidateLayout(const Layout& layout, uint32_t table_size) {
  uint32_t cs = layout.chunk_size_bytes;
  if (cs < (64u << 10) || cs > (64u << 20) || (cs & (cs - 1)) != 0) {
    return InvalidArgument(
        fmt::format("chunk size {} is not a power of two from 64 KiB to 64 MiB", cs));
  }
  if (table_size == 0) return InvalidArgument("the chain table is empty");
  if (layout.stripe == 0 || layout.stripe > table_size) {
    return InvalidArgument(
        fmt::format("stripe {} does not fit a chain table of {}", layout.stripe, table_size));
  }
  return Status();
}

Result<std::vector<uint32_t>> FileChains(const Layout& layout, uint32_t table_size) {
  RETURN_IF_ERROR(ValidateLayout(layout, table_size));
  std::vector<uint32_t> chains(layout.stripe);
  for (uint32_t i = 0; i < layout.stripe; ++i) {
    chains[i] = static_cast<uint32_t>((uint64_t{layout.first_chain} + i) % table_size);
  }
  uint64_t state = layout.seed;
  for (uint32_t i = layout.stripe - 1; i > 0; --i) {
    // Multiply-shift keeps the draw unbiased enough and, above all, the same on every machine.
    uint64_t j = static_cast<uint64_t>(
        (static_cast<unsigned __int128>(SplitMix64(state)) * (uint64_t{i} + 1)) >> 64);
    std::swap(chains[i], chains[j]);
  }
  return chains;
}

}  // namespace chainfs::meta
