#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/clock.h"

namespace chainfs::sim {

// What the simulated clients did to one chunk, used as a register: each write stores a unique
// id, each read returns one (0: the chunk was empty) with the chunk version it came from.
struct WriteOp {
  uint64_t id = 0;
  Nanos start{0};
  Nanos end{0};
  bool acked = false;
  uint64_t version = 0;  // known when acked
};

struct ReadOp {
  Nanos start{0};
  Nanos end{0};
  uint64_t id = 0;
  uint64_t version = 0;
};

// Every operation of the run, per chunk, and the checks that they are linearizable as the
// storage layer promises: no read returns a value older than a write acknowledged before the
// read began, reads never go back in time, and a version always names the same bytes.
class History {
 public:
  void AddWrite(uint64_t chunk, WriteOp op) { writes_[chunk].push_back(op); }
  void AddRead(uint64_t chunk, ReadOp op) { reads_[chunk].push_back(op); }
  // Violations, one line each; empty when the history is fine.
  std::vector<std::string> Check() const;
  // After the run: `final` is what every replica holds now. It must hold the newest
  // acknowledged write or a later one.
  std::vector<std::string> CheckFinal(uint64_t chunk, const ReadOp& final) const;
  size_t acked_writes() const;
  size_t reads() const;

 private:
  std::vector<std::string> CheckChunk(uint64_t chunk) const;
  std::map<uint64_t, std::vector<WriteOp>> writes_;
  std::map<uint64_t, std::vector<ReadOp>> reads_;
};

}  // namespace chainfs::sim
