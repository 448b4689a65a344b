#include "bench/local_fs_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <barrier>
#include <filesystem>
#include <mutex>
#include <thread>

#include "common/check.h"

namespace chainfs::bench {

namespace {

struct Run {
  std::mutex mu;
  std::map<std::string, Latencies> latencies;
  std::map<std::string, BenchClock::time_point> phase_end;
};

// One operation on file `i` (or one readdir page); false when the call failed.
bool DoOne(const std::string& op, int dfd, DIR* listing, int i) {
  std::string name = fmt::format("file-{:06}", i), moved = fmt::format("moved-{:06}", i);
  struct stat st;
  if (op == "create") {
    int fd = openat(dfd, name.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd < 0) return false;
    close(fd);
    return true;
  }
  if (op == "getattr") return fstatat(dfd, name.c_str(), &st, 0) == 0;
  if (op == "lookup") return fstatat(dfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
  if (op == "readdir") {
    for (uint32_t n = 0; n < kReaddirPage; ++n) {
      if (readdir(listing) == nullptr) break;
    }
    return true;
  }
  if (op == "rename") return renameat(dfd, name.c_str(), dfd, moved.c_str()) == 0;
  return unlinkat(dfd, moved.c_str(), 0) == 0;
}

void Client(const std::string& dir, int files, std::barrier<>& sync, Run& run) {
  std::filesystem::create_directories(dir);
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  std::map<std::string, Latencies> mine;
  for (const char* op : kOps) {
    std::string o = op;
    sync.arrive_and_wait();
    DIR* listing = o == "readdir" ? opendir(dir.c_str()) : nullptr;
    int n = o == "readdir" ? (files + kReaddirPage - 1) / kReaddirPage : files;
    for (int i = 0; i < n; ++i) {
      auto start = BenchClock::now();
      CHECK_MSG(DoOne(o, dfd, listing, i), (o + " failed on the local directory").c_str());
      mine[o].Add(MicrosSince(start));
    }
    if (listing) closedir(listing);
    std::lock_guard lock(run.mu);
    run.phase_end[o] = std::max(run.phase_end[o], BenchClock::now());
  }
  close(dfd);
  std::lock_guard lock(run.mu);
  for (auto& [op, l] : mine) run.latencies[op].Merge(l);
}

}  // namespace

Figures RunLocal(const std::string& dir, int clients, int files) {
  Run run;
  std::barrier<> sync(clients);
  auto start = BenchClock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back(Client, fmt::format("{}/c{}", dir, i), files, std::ref(sync),
                         std::ref(run));
  }
  for (std::thread& t : threads) t.join();
  std::filesystem::remove_all(dir);
  Figures out;
  auto prev = start;
  for (const char* op : kOps) {
    double seconds = std::chrono::duration<double>(run.phase_end[op] - prev).count();
    prev = run.phase_end[op];
    Latencies& l = run.latencies[op];
    out[op] = {static_cast<double>(l.count()) / seconds, l.Percentile(0.5), l.Percentile(0.99)};
  }
  return out;
}

Figure SyncedAppend(const std::string& dir, int count) {
  std::filesystem::create_directories(dir);
  std::string path = dir + "/synced-append";
  int fd = open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_APPEND, 0644);
  CHECK(fd >= 0);
  std::string record(200, 'r');
  Latencies l;
  auto start = BenchClock::now();
  for (int i = 0; i < count; ++i) {
    auto t = BenchClock::now();
    CHECK(write(fd, record.data(), record.size()) == static_cast<ssize_t>(record.size()));
    CHECK(fdatasync(fd) == 0);
    l.Add(MicrosSince(t));
  }
  double seconds = MicrosSince(start) / 1e6;
  close(fd);
  std::filesystem::remove(path);
  return {count / seconds, l.Percentile(0.5), l.Percentile(0.99)};
}

}  // namespace chainfs::bench
