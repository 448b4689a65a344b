#pragma once

#include <cstdint>

#include "common/ids.h"
#include "rpc/wire/serde.h"
#include "storage/chunk/chunk_record.h"

namespace chainfs::storage {

enum class UpdateKind : uint8_t {
  kWrite = 1,     // bytes at an offset; the chunk grows to cover them
  kTruncate = 2,  // the chunk's length becomes `length` (zeros when it grows)
  kRemove = 3,    // the chunk goes away
  kReplace = 4,   // the whole chunk, from a replica that is ahead (sync)
};

// One change to a chunk, as it travels down a chain. Its bytes (kWrite, kReplace) travel
// beside it, as the RPC's bulk payload.
struct ChunkUpdate {
  ChunkId chunk;
  UpdateKind kind = UpdateKind::kWrite;
  uint32_t chunk_size_bytes = 0;
  uint32_t offset = 0;  // kWrite
  uint32_t length = 0;  // kWrite: bytes of data; kTruncate: the new length
  // Assigned by the head: the chunk's committed version + 1.
  uint64_t version = 0;
  uint64_t chain_version = 0;
  UpdateTag tag;
  CHAINFS_MESSAGE(ChunkUpdate, chunk, kind, chunk_size_bytes, offset, length, version,
                  chain_version, tag)
};

}  // namespace chainfs::storage
