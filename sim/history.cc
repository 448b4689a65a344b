#include "history.h"

#include <fmt/format.h>

namespace chainfs::sim {
namespace {

constexpr size_t kMaxReported = 20;

}  // namespace

size_t History::acked_writes() const {
  size_t n = 0;
  for (const auto& [chunk, ops] : writes_) {
    for (const WriteOp& w : ops) n += w.acked ? 1 : 0;
  }
  return n;
}

size_t History::reads() const {
  size_t n = 0;
  for (const auto& [chunk, ops] : reads_) n += ops.size();
  return n;
}

std::vector<std::string> History::Check() const {
  std::vector<std::string> out;
  for (const auto& [chunk, ops] : reads_) {
    for (std::string& v : CheckChunk(chunk)) {
      if (out.size() < kMaxReported) out.push_back(std::move(v));
    }
  }
  return out;
}

std::vector<std::string> History::CheckChunk(uint64_t chunk) const {
  std::vector<std::string> bad;
  static const std::vector<WriteOp> kNone;
  auto wit = writes_.find(chunk);
  const std::vector<WriteOp>& writes = wit == writes_.end() ? kNone : wit->second;
  const std::vector<ReadOp>& reads = reads_.at(chunk);
  std::map<uint64_t, const WriteOp*> by_id, by_version;
  for (const WriteOp& w : writes) {
    by_id[w.id] = &w;
    if (!w.acked) continue;
    auto [it, fresh] = by_version.emplace(w.version, &w);
    if (!fresh)
      bad.push_back(fmt::format("chunk {}: writes {} and {} both acked as version {}", chunk,
                                it->second->id, w.id, w.version));
  }
  for (const ReadOp& r : reads) {
    if (r.id != 0) {
      auto w = by_id.find(r.id);
      if (w == by_id.end() || w->second->start > r.end) {
        bad.push_back(fmt::format("chunk {}: read at {} returned {}, never written before", chunk,
                                  r.start.count(), r.id));
      }
    }
    if (auto v = by_version.find(r.version); v != by_version.end() && v->second->id != r.id) {
      bad.push_back(
          fmt::format("chunk {}: read version {} holds {}, but write {} was acked as that version",
                      chunk, r.version, r.id, v->second->id));
    }
    for (const WriteOp& w : writes) {
      if (w.acked && w.end < r.start && r.version < w.version) {
        bad.push_back(fmt::format(
            "chunk {}: read at {} saw version {} after write {} was acked as version {} at {}",
            chunk, r.start.count(), r.version, w.id, w.version, w.end.count()));
      }
    }
    for (const ReadOp& earlier : reads) {
      if (earlier.end < r.start && r.version < earlier.version) {
        bad.push_back(
            fmt::format("chunk {}: read at {} saw version {}, older than version {} read before it",
                        chunk, r.start.count(), r.version, earlier.version));
      }
    }
  }
  return bad;
}

std::vector<std::string> History::CheckFinal(uint64_t chunk, const ReadOp& final) const {
  std::vector<std::string> bad;
  auto wit = writes_.find(chunk);
  if (wit == writes_.end()) return bad;
  for (const WriteOp& w : wit->second) {
    if (!w.acked) continue;
    if (final.version < w.version) {
      bad.push_back(
          fmt::format("chunk {}: acknowledged write {} (version {}) lost: replicas hold version {}",
                      chunk, w.id, w.version, final.version));
    }
    if (final.version == w.version && final.id != w.id) {
      bad.push_back(fmt::format("chunk {}: version {} should hold write {} but holds {}", chunk,
                                w.version, w.id, final.id));
    }
  }
  return bad;
}

}  // namespace chainfs::sim
