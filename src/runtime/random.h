#pragma once

#include <cstdint>
#include <span>

namespace chainfs {

// Randomness. Service code draws only from a Random so that a simulation seed fixes every
// choice. Not thread-safe: each thread or simulated node has its own.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t Next() = 0;
  // Bytes for nonces and keys; the real runtime uses the operating system's CSPRNG here.
  virtual void Fill(std::span<uint8_t> out);

  // Uniform in [0, n); n > 0.
  uint64_t Uniform(uint64_t n);
  // Uniform in [lo, hi].
  uint64_t Between(uint64_t lo, uint64_t hi) { return lo + Uniform(hi - lo + 1); }
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool OneIn(double probability) { return NextDouble() < probability; }
};

// xoshiro256** seeded through splitmix64: fast, and its sequence is fixed by this code, not by
// a library that might change it.
class DeterministicRandom : public Random {
 public:
  explicit DeterministicRandom(uint64_t seed);
  uint64_t Next() override;

 private:
  uint64_t s_[4];
};

}  // namespace chainfs
