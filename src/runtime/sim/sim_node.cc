#include "runtime/sim/sim_node.h"

namespace chainfs {

namespace {
uint64_t HashName(const std::string& name) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a: fixed by this code, unlike std::hash
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ULL;
  return h;
}
}  // namespace

SimNode::SimNode(SimWorld& world, SimNetwork& network, std::string name, SimDiskOptions disk)
    : world_(world),
      name_(std::move(name)),
      clock_(world),
      random_(world.seed() ^ HashName(name_)),
      network_(network.ForNode(name_)),
      disk_(world, name_, disk) {}

}  // namespace chainfs
