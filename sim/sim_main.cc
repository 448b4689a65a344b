// chainfs-sim: replays one simulation seed, or soaks many.
//   chainfs-sim --seed 17          one seed, with its checks
//   chainfs-sim --seeds 1000 [--first 1]
#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "cluster_sim.h"
#include "common/logging.h"

namespace {

bool ParseU64(const char* text, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  out = v;
  return true;
}

int Usage(const std::string& why) {
  fmt::print(stderr, "chainfs-sim: {}\nusage: chainfs-sim --seed N | --seeds COUNT [--first N]\n",
             why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // The simulated servers' logs, only when asked for: CHAINFS_SIM_LOG=info.
  chainfs::LogLevel level = chainfs::LogLevel::kOff;
  if (const char* env = std::getenv("CHAINFS_SIM_LOG")) chainfs::ParseLogLevel(env, &level);
  chainfs::SetLogLevel(level);
  uint64_t first = 1, count = 0;
  bool single = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return Usage(fmt::format("{} needs a value", arg));
    uint64_t v = 0;
    if (!ParseU64(argv[++i], v))
      return Usage(fmt::format("{}: '{}' is not a number", arg, argv[i]));
    if (arg == "--seed") {
      first = v;
      count = 1;
      single = true;
    } else if (arg == "--seeds") {
      count = v;
    } else if (arg == "--first") {
      first = v;
    } else {
      return Usage(fmt::format("unknown option {}", arg));
    }
  }
  if (count == 0) return Usage(single ? "no seed" : "say --seed N or --seeds COUNT");
  uint64_t failed = 0;
  for (uint64_t seed = first; seed < first + count; ++seed) {
    chainfs::sim::SimConfig config = chainfs::sim::ConfigForSeed(seed);
    chainfs::sim::SimOutcome o = chainfs::sim::RunClusterSim(seed, config);
    fmt::print(
        "seed {}: {} ({} storage nodes, {} clients, {} chunks; {} writes acked, {} failed, {} "
        "reads, {} faults)\n",
        seed, o.ok() ? "ok" : "FAILED", config.storage_nodes, config.clients, config.chunks,
        o.acked_writes, o.failed_writes, o.reads, o.faults);
    for (const std::string& f : o.failures) fmt::print("  {}\n", f);
    failed += o.ok() ? 0 : 1;
  }
  fmt::print("{} of {} seeds failed\n", failed, count);
  return failed == 0 ? 0 : 1;
}
