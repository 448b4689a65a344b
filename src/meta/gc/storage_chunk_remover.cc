#include "meta/gc/storage_chunk_remover.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "runtime/all_of.h"

namespace chainfs::meta {

Task<std::vector<Status>> StorageChunkRemover::RemoveChunks(const std::vector<DoomedFile>& files) {
  std::map<uint32_t, std::vector<InodeId>> by_table;
  for (const DoomedFile& f : files) by_table[f.layout.chain_table].push_back(f.inode);
  std::vector<Task<Status>> removals;
  for (auto& [table, inodes] : by_table) removals.push_back(RemoveFromTable(table, inodes));
  std::vector<Status> done = co_await AllOf(std::move(removals));
  std::map<uint32_t, Status> of_table;
  size_t i = 0;
  for (const auto& entry : by_table) of_table[entry.first] = done[i++];
  std::vector<Status> out;
  for (const DoomedFile& f : files) out.push_back(of_table[f.layout.chain_table]);
  co_return out;
}

Task<Status> StorageChunkRemover::RemoveFromTable(uint32_t table_id, std::vector<InodeId> inodes) {
  std::shared_ptr<const mgmtd::RoutingInfo> routing = routing_.current();
  const mgmtd::ChainTable* table = nullptr;
  for (const mgmtd::ChainTable& t : routing->chain_tables) {
    if (t.id == table_id) table = &t;
  }
  if (table == nullptr) {
    co_return Unavailable(fmt::format("{} files: chain table {} is not in routing version {}",
                                      inodes.size(), table_id, routing->version));
  }
  std::vector<Task<Status>> removals;
  constexpr size_t kPerCall = storage::kMaxWholeFilesPerRemoval;
  for (ChainId chain : table->chains) {
    for (size_t at = 0; at < inodes.size(); at += kPerCall) {
      size_t end = std::min(inodes.size(), at + kPerCall);
      removals.push_back(
          RemoveFrom(chain, std::vector<InodeId>(inodes.begin() + at, inodes.begin() + end)));
    }
  }
  co_return FirstError(co_await AllOf(std::move(removals)));
}

Task<Status> StorageChunkRemover::RemoveFrom(ChainId chain, std::vector<InodeId> inodes) {
  co_return (co_await storage_.RemoveFiles(chain, std::move(inodes))).status();
}

}  // namespace chainfs::meta
