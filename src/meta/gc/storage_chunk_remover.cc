#include "meta/gc/storage_chunk_remover.h"

#include <fmt/format.h>

namespace chainfs::meta {

Task<Status> StorageChunkRemover::RemoveChunks(InodeId inode, const Layout& layout, uint64_t) {
  std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
  const mgmtd::ChainTable* table = nullptr;
  for (const mgmtd::ChainTable& t : routing->chain_tables) {
    if (t.id == layout.chain_table) table = &t;
  }
  if (table == nullptr) {
    co_return Unavailable(fmt::format("inode {}: chain table {} is not in routing version {}",
                                      inode, layout.chain_table, routing->version));
  }
  std::vector<ChainId> chains = table->chains;
  for (ChainId chain : chains) {
    CO_RETURN_IF_ERROR((co_await storage_.RemoveChunks(chain, inode, 0, UINT64_MAX)).status());
  }
  co_return Status();
}

}  // namespace chainfs::meta
