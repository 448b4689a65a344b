#pragma once

#include <cstdint>
#include <vector>

#include "common/ids.h"
#include "meta/schema/records.h"
#include "runtime/task.h"

namespace chainfs::meta {

// A file going away, as the remover needs it. `length` bounds the chunks that may exist
// (chunks past it may exist too after a writer died mid-write: implementations remove through
// the last chunk the chains report).
struct DoomedFile {
  InodeId inode;
  Layout layout;
  uint64_t length = 0;
};

// Removes the chunks of files that are going away, from every chain of their layouts. The
// storage client implements it; the metadata server's GC worker calls it with the files of a
// pass before deleting their inodes. Must be idempotent: after a crash the worker calls it
// again for the same files.
class ChunkRemover {
 public:
  virtual ~ChunkRemover() = default;
  // One status per file, in order: ok once none of its chunks is left.
  virtual Task<std::vector<Status>> RemoveChunks(const std::vector<DoomedFile>& files) = 0;
};

// Until the storage service exists, what `chainfs meta` uses: there are no chunks to remove,
// so it only counts the files it was handed.
class NoChunksRemover : public ChunkRemover {
 public:
  Task<std::vector<Status>> RemoveChunks(const std::vector<DoomedFile>& files) override;
  uint64_t files = 0;
};

// For tests: records what it was asked to remove; `fail_next` makes the next files fail.
class RecordingChunkRemover : public ChunkRemover {
 public:
  Task<std::vector<Status>> RemoveChunks(const std::vector<DoomedFile>& files) override;
  std::vector<InodeId> removed;
  int fail_next = 0;
};

}  // namespace chainfs::meta
