#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "meta/schema/records.h"
#include "runtime/task.h"

namespace chainfs::client {

// Where a ReadAhead's reads come from: FileChunks, or a counting source in tests.
class ChunkReader {
 public:
  virtual ~ChunkReader() = default;
  // Fills `out` with the file's bytes at `offset`; where no chunk holds them, zeros.
  virtual Task<Status> Read(InodeId inode, meta::Layout layout, uint64_t offset,
                            std::span<char> out) = 0;
};

// Where a FileWriter's chunk writes go: FileChunks, or a recorder in tests.
class ChunkWriter {
 public:
  virtual ~ChunkWriter() = default;
  // Writes `data` at `offset` of the file, split per chunk.
  virtual Task<Status> Write(InodeId inode, meta::Layout layout, uint64_t offset,
                             std::span<const char> data) = 0;
};

}  // namespace chainfs::client
