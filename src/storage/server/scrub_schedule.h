#pragma once

#include <map>
#include <optional>

#include "common/ids.h"
#include "runtime/clock.h"

namespace chainfs::storage {

// When each target's scrub runs. A pass reads the target's chunks in order, a step at a time;
// the next pass begins no sooner than `interval` after the one before it began. A node with
// less data than its scrub rate covers in that time then reads each chunk once per interval,
// not over and over (an interval of 0 starts each pass as the last one ends).
class ScrubSchedule {
 public:
  explicit ScrubSchedule(Nanos interval) : interval_(interval) {}

  // Whether target `id` may take a step at `now`: its pass is under way, or the next one is due
  // and begins.
  bool Due(TargetId id, Nanos now);
  // Where the target's next step begins: after this chunk, or at the first.
  std::optional<ChunkId> after(TargetId id) const;
  // Where a step stopped: the last chunk it looked at, nullopt once the pass is through.
  void Stepped(TargetId id, std::optional<ChunkId> next);

 private:
  struct Pass {
    bool running = false;
    Nanos began{0};
    std::optional<ChunkId> after;
  };

  Nanos interval_;
  std::map<TargetId, Pass> passes_;
};

}  // namespace chainfs::storage
