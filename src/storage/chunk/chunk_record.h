#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "rpc/wire/serde.h"

// What a target keeps about each chunk, in its metadata store. Encoded like RPC messages, so
// fields are only ever appended.
namespace chainfs::storage {

// Checksums cover blocks of this many bytes within a chunk; the last block covers only up to
// the chunk's length.
inline constexpr uint32_t kBlockBytes = 64 << 10;
inline constexpr uint32_t kMinChunkBytes = 64 << 10;
inline constexpr uint32_t kMaxChunkBytes = 64 << 20;

// Makes retries idempotent: the client that sent an update and its sequence number.
struct UpdateTag {
  uint64_t client = 0;
  uint64_t seq = 0;
  CHAINFS_MESSAGE(UpdateTag, client, seq)
};

// Where one version's bytes live: slot `index` of blob file `file` of the size class whose
// slots hold 1 << size_log2 bytes (the chunk size).
struct BlobSlot {
  uint8_t size_log2 = 0;
  uint32_t file = 0;
  uint32_t index = 0;
  CHAINFS_MESSAGE(BlobSlot, size_log2, file, index)
  auto Key() const { return std::tuple(size_log2, file, index); }
};

// One stored version of a chunk. Version 0 with `removed` unset is a chunk that was never
// written; a removal is a version too, so that it travels down the chain like a write.
struct ChunkVersion {
  uint64_t version = 0;
  uint32_t length = 0;
  bool removed = false;
  std::optional<BlobSlot> slot;  // none while the length is 0
  std::vector<uint32_t> block_crcs;
  UpdateTag tag;
  CHAINFS_MESSAGE(ChunkVersion, version, length, removed, slot, block_crcs, tag)
};

struct ChunkRecord {
  uint32_t chunk_size_bytes = 0;
  // The chain version of the update that last changed this chunk.
  uint64_t chain_version = 0;
  ChunkVersion committed;
  // An update stored here but not yet known to be committed by the whole chain: at most one.
  std::optional<ChunkVersion> pending;
  CHAINFS_MESSAGE(ChunkRecord, chunk_size_bytes, chain_version, committed, pending)
};

// The metadata store's key of a chunk: "CHNK" + inode + index, big-endian, so one file's
// chunks are one range.
std::string ChunkKey(ChunkId id);
// The id in a key ChunkKey made; nullopt for any other key.
std::optional<ChunkId> ParseChunkKey(std::string_view key);
// Keys of every chunk of `inode`: [begin, end).
std::pair<std::string, std::string> InodeChunkRange(InodeId inode);
std::pair<std::string, std::string> AllChunksRange();

// CRC32C of each kBlockBytes block of `data` (the last one may be short).
std::vector<uint32_t> BlockCrcs(std::span<const char> data);
// Whether `size` is a chunk size a target accepts: a power of two within the bounds above.
bool ValidChunkSize(uint64_t size);

}  // namespace chainfs::storage
