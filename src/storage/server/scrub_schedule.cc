#include "storage/server/scrub_schedule.h"

namespace chainfs::storage {

bool ScrubSchedule::Due(TargetId id, Nanos now) {
  auto [it, first] = passes_.try_emplace(id);
  Pass& pass = it->second;
  if (pass.running) return true;
  if (!first && now < pass.began + interval_) return false;
  pass = Pass{.running = true, .began = now, .after = std::nullopt};
  return true;
}

std::optional<ChunkId> ScrubSchedule::after(TargetId id) const {
  auto it = passes_.find(id);
  return it == passes_.end() ? std::nullopt : it->second.after;
}

void ScrubSchedule::Stepped(TargetId id, std::optional<ChunkId> next) {
  Pass& pass = passes_[id];
  pass.after = next;
  if (!next) pass.running = false;
}

}  // namespace chainfs::storage
