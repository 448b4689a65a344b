#include "client/replica_order.h"

#include <algorithm>

namespace chainfs::client {
namespace {

uint64_t Mix(ChunkId chunk) {
  uint64_t x = chunk.inode.value() * 0x9e3779b97f4a7c15ull + chunk.index;
  x ^= x >> 31;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 29;
  return x;
}

int LoadOf(const ReplicaLoad& load, TargetId target) {
  auto it = load.find(target);
  return it == load.end() ? 0 : it->second;
}

}  // namespace

std::vector<TargetId> ReplicaOrder(const mgmtd::Chain& chain, ChunkId chunk, int attempt,
                                   const ReplicaLoad& load) {
  std::vector<TargetId> serving;
  for (const mgmtd::ChainTarget& t : chain.targets) {
    if (t.state == mgmtd::PublicState::kServing) serving.push_back(t.target);
  }
  if (serving.empty()) return serving;
  size_t own = (Mix(chunk) + static_cast<uint64_t>(attempt)) % serving.size();
  std::rotate(serving.begin(), serving.begin() + static_cast<std::ptrdiff_t>(own), serving.end());
  auto idlest = std::min_element(serving.begin(), serving.end(), [&](TargetId a, TargetId b) {
    return LoadOf(load, a) < LoadOf(load, b);
  });
  if (LoadOf(load, *idlest) + kBusySlack <= LoadOf(load, serving.front())) {
    std::rotate(serving.begin(), idlest, idlest + 1);
  }
  return serving;
}

}  // namespace chainfs::client
