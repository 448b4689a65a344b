#include "runtime/random.h"

#include "common/check.h"

namespace chainfs {
namespace {

uint64_t SplitMix(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

void Random::Fill(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    uint64_t v = Next();
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j) out[i + j] = uint8_t(v >> (8 * j));
  }
}

uint64_t Random::Uniform(uint64_t n) {
  CHECK(n > 0);
  // Rejection sampling keeps the distribution exact.
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do {
    v = Next();
  } while (v >= limit);
  return v % n;
}

DeterministicRandom::DeterministicRandom(uint64_t seed) {
  for (auto& s : s_) s = SplitMix(seed);
}

uint64_t DeterministicRandom::Next() {
  uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

}  // namespace chainfs
