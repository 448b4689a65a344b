#pragma once

#include <memory>
#include <string>

#include "runtime/runtime.h"
#include "runtime/sim/sim_disk.h"
#include "runtime/sim/sim_network.h"
#include "runtime/sim/sim_world.h"

namespace chainfs {

// One simulated machine: a Runtime whose clock is the world's virtual time, whose random
// stream is derived from the world seed and the node's name, whose network is the simulated
// network as seen from this node, and whose disk is its own SimDisk.
class SimNode : public Runtime {
 public:
  SimNode(SimWorld& world, SimNetwork& network, std::string name, SimDiskOptions disk = {});

  Executor executor() override { return world_.executor(); }
  Clock& clock() override { return clock_; }
  Random& random() override { return random_; }
  Network& network() override { return *network_; }
  Disk& disk() override { return disk_; }
  std::string name() const override { return name_; }

  SimDisk& sim_disk() { return disk_; }

 private:
  SimWorld& world_;
  std::string name_;
  SimClock clock_;
  DeterministicRandom random_;
  std::unique_ptr<Network> network_;
  SimDisk disk_;
};

}  // namespace chainfs
