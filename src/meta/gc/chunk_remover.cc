#include "meta/gc/chunk_remover.h"

namespace chainfs::meta {

Task<Status> NoChunksRemover::RemoveChunks(InodeId, const Layout&, uint64_t) {
  ++files;
  co_return Status();
}

Task<Status> RecordingChunkRemover::RemoveChunks(InodeId inode, const Layout&, uint64_t) {
  if (fail_next > 0) {
    --fail_next;
    co_return Status(StatusCode::kUnavailable, "chunk removal failed (injected)");
  }
  removed.push_back(inode);
  co_return Status();
}

}  // namespace chainfs::meta
