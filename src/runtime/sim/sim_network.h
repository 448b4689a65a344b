#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include "runtime/network.h"
#include "runtime/sim/sim_world.h"

namespace chainfs {

struct SimNetworkOptions {
  Nanos min_latency{20'000};
  Nanos max_latency{200'000};
  // Chance that one write is lost. A stream cannot skip bytes, so a loss resets the
  // connection, as TCP does when retransmissions give up.
  double loss_probability = 0.0;
  // How long a connection attempt into a partition hangs before it fails.
  Nanos connect_timeout{1'000'000'000};
};

// Streams between simulated nodes. Each write is delivered after a random latency; within one
// stream bytes stay in order (it models TCP), while messages on different streams reorder
// freely. A partition between two nodes resets the streams that try to cross it and makes new
// connections between them time out. Not thread-safe (the world has one thread).
class SimNetwork {
 public:
  SimNetwork(SimWorld& world, SimNetworkOptions options);
  ~SimNetwork();

  SimNetworkOptions& options() { return options_; }
  // The Network seen by one node; `node` is the host part of its addresses.
  std::unique_ptr<Network> ForNode(std::string node);

  void Partition(const std::string& a, const std::string& b);
  void Heal(const std::string& a, const std::string& b);
  void HealAll();
  bool Partitioned(const std::string& a, const std::string& b) const;
  // A crashed node: its listeners close and its streams reset.
  void KillNode(const std::string& node);

  // Gather writes seen so far (each WriteAll is one), for tests of request merging.
  uint64_t write_calls() const { return write_calls_; }

 private:
  friend class SimNodeNetwork;
  friend class SimStream;
  friend class SimListener;
  struct Link;
  class Impl;
  std::unique_ptr<Impl> impl_;
  SimWorld& world_;
  SimNetworkOptions options_;
  std::set<std::pair<std::string, std::string>> partitions_;
  uint64_t write_calls_ = 0;
};

}  // namespace chainfs
