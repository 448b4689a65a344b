#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace chainfs::bench {

// Latencies of one figure, in microseconds, and the wall time they took together.
class Latencies {
 public:
  void Add(double us) { samples_.push_back(us); }
  void Merge(const Latencies& other) {
    samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  }
  size_t count() const { return samples_.size(); }
  double Percentile(double p) {
    if (samples_.empty()) return 0;
    std::sort(samples_.begin(), samples_.end());
    size_t i = static_cast<size_t>(p * static_cast<double>(samples_.size() - 1));
    return samples_[i];
  }

 private:
  std::vector<double> samples_;
};

struct Figure {
  double ops_per_s = 0;
  double p50_us = 0;
  double p99_us = 0;
};
// op name -> figure, for one (engine, clients) run.
using Figures = std::map<std::string, Figure>;

// The metadata operations measured, in the order they run.
inline constexpr const char* kOps[] = {"create",  "getattr", "lookup",
                                       "readdir", "rename",  "unlink"};
inline constexpr uint32_t kReaddirPage = 128;

using BenchClock = std::chrono::steady_clock;

inline double MicrosSince(BenchClock::time_point start) {
  return std::chrono::duration<double, std::micro>(BenchClock::now() - start).count();
}

}  // namespace chainfs::bench
