#include "meta/gc/storage_chunk_remover.h"

#include <fmt/format.h>

#include "runtime/all_of.h"

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
  std::vector<Task<Status>> removals;
  for (ChainId chain : table->chains) removals.push_back(RemoveFrom(chain, inode));
  co_return FirstError(co_await AllOf(std::move(removals)));
}

Task<Status> StorageChunkRemover::RemoveFrom(ChainId chain, InodeId inode) {
  co_return (co_await storage_.RemoveChunks(chain, inode, 0, UINT64_MAX)).status();
}

}  // namespace chainfs::meta
