#include "storage/chunk/chunk_record.h"

#include <bit>

#include "common/big_endian.h"
#include "common/crc32c.h"

namespace chainfs::storage {
namespace {
constexpr std::string_view kChunkPrefix = "CHNK";
}

std::string ChunkKey(ChunkId id) {
  std::string k(kChunkPrefix);
  AppendBigEndian(k, id.inode.value());
  AppendBigEndian(k, id.index);
  return k;
}

std::optional<ChunkId> ParseChunkKey(std::string_view key) {
  if (key.size() != kChunkPrefix.size() + 16 || !key.starts_with(kChunkPrefix)) return std::nullopt;
  key.remove_prefix(kChunkPrefix.size());
  return ChunkId{InodeId(ReadBigEndian(key)), ReadBigEndian(key.substr(8))};
}

std::pair<std::string, std::string> InodeChunkRange(InodeId inode) {
  std::string begin(kChunkPrefix), end(kChunkPrefix);
  AppendBigEndian(begin, inode.value());
  if (inode.value() == UINT64_MAX) return {begin, "CHNL"};
  AppendBigEndian(end, inode.value() + 1);
  return {begin, end};
}

std::pair<std::string, std::string> AllChunksRange() { return {"CHNK", "CHNL"}; }

std::vector<uint32_t> BlockCrcs(std::span<const char> data) {
  std::vector<uint32_t> crcs;
  for (size_t at = 0; at < data.size(); at += kBlockBytes) {
    crcs.push_back(Crc32c(data.subspan(at, std::min<size_t>(kBlockBytes, data.size() - at))));
  }
  return crcs;
}

bool ValidChunkSize(uint64_t size) {
  return size >= kMinChunkBytes && size <= kMaxChunkBytes && std::has_single_bit(size);
}

}  // namespace chainfs::storage
