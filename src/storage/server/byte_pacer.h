#pragma once

#include <algorithm>
#include <cstdint>

namespace chainfs::storage {

// Paces background work in bytes per second, a share per tick: each tick adds one share to the
// credit, never past one share, so idle ticks save nothing up. Work spends the credit and may
// overdraw it (a step handles whole chunks); the debt is paid from the next shares.
class BytePacer {
 public:
  BytePacer(uint64_t bytes_per_second, int ticks_per_second)
      : share_(static_cast<int64_t>(std::clamp<uint64_t>(
            bytes_per_second / static_cast<uint64_t>(ticks_per_second), 1, kMaxBytes))) {}

  void Tick() { credit_ = std::min(credit_ + share_, share_); }
  bool has_credit() const { return credit_ > 0; }
  // What may be spent now (0 when in debt).
  uint64_t credit() const { return credit_ > 0 ? static_cast<uint64_t>(credit_) : 0; }
  void Spend(uint64_t bytes) { credit_ -= static_cast<int64_t>(std::min(bytes, kMaxBytes)); }

 private:
  static constexpr uint64_t kMaxBytes = uint64_t{1} << 40;
  int64_t share_;
  int64_t credit_ = 0;
};

}  // namespace chainfs::storage
