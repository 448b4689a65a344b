#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "meta/schema/records.h"
#include "runtime/task.h"

namespace chainfs::meta {

// Removes the chunks of a file that is going away, from every chain of its layout. The
// storage client implements it; the metadata server's GC worker calls it before deleting the
// inode. Must be idempotent: after a crash the worker calls it again for the same file.
class ChunkRemover {
 public:
  virtual ~ChunkRemover() = default;
  // `length` bounds the chunks that may exist (chunks past it may exist too after a writer
  // died mid-write: implementations remove through the last chunk the chains report).
  virtual Task<Status> RemoveChunks(InodeId inode, const Layout& layout, uint64_t length) = 0;
};

// Until the storage service exists, what `chainfs meta` uses: there are no chunks to remove,
// so it only counts the files it was handed.
class NoChunksRemover : public ChunkRemover {
 public:
  Task<Status> RemoveChunks(InodeId inode, const Layout& layout, uint64_t length) override;
  uint64_t files = 0;
};

// For tests: records what it was asked to remove; `fail_next` makes the next calls fail.
class RecordingChunkRemover : public ChunkRemover {
 public:
  Task<Status> RemoveChunks(InodeId inode, const Layout& layout, uint64_t length) override;
  std::vector<InodeId> removed;
  int fail_next = 0;
};

}  // namespace chainfs::meta
