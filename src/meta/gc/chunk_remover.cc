#include "meta/gc/chunk_remover.h"

namespace chainfs::meta {

Task<std::vector<Status>> NoChunksRemover::RemoveChunks(const std::vector<DoomedFile>& doomed) {
  files += doomed.size();
  co_return std::vector<Status>(doomed.size());
}

Task<std::vector<Status>> RecordingChunkRemover::RemoveChunks(
    const std::vector<DoomedFile>& files) {
  std::vector<Status> out;
  for (const DoomedFile& f : files) {
    if (fail_next > 0) {
      --fail_next;
      out.emplace_back(StatusCode::kUnavailable, "chunk removal failed (injected)");
      continue;
    }
    removed.push_back(f.inode);
    out.emplace_back();
  }
  co_return out;
}

}  // namespace chainfs::meta
