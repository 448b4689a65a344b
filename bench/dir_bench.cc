// dir_bench DIR FILES THREADS SECONDS: creates FILES empty files in DIR (split over THREADS
// threads), stats each, opens each for reading and closes it, lists the directory, and unlinks
// each, printing one
// "md_<phase>_t<THREADS> <rate> <unit>" line per phase. Each phase stops after SECONDS; the
// rate counts what was done. Through syscalls, so it measures any mounted file system.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  std::string dir;
  long files = 0;
  int threads = 1;
  Clock::time_point deadline;
  std::atomic<long> done{0};
  std::atomic<long> errors{0};
};

std::string PathOf(const Run& run, int thread, long i) {
  return run.dir + "/f." + std::to_string(thread) + "." + std::to_string(i);
}

// What one phase does to file `i` of `thread`; false on failure.
using Step = bool (*)(const std::string& path);

bool Create(const std::string& path) {
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  return fd >= 0 && ::close(fd) == 0;
}

bool Stat(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool OpenRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  return fd >= 0 && ::close(fd) == 0;
}

bool Unlink(const std::string& path) { return ::unlink(path.c_str()) == 0; }

// Runs `step` over every thread's files (per_thread[t] of thread t); returns ops per second.
// With `reached`, reached[t] is how many of its files thread t got to before the deadline.
double Phase(Run& run, Step step, const long per_thread[], int seconds, long reached[] = nullptr) {
  run.done = 0;
  run.deadline = Clock::now() + std::chrono::seconds(seconds);
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < run.threads; ++t) {
    workers.emplace_back([&run, step, per_thread, reached, t] {
      long n = per_thread[t];
      long i = 0;
      for (; i < n && Clock::now() < run.deadline; ++i) {
        std::string path = PathOf(run, t, i);
        if (step(path)) {
          ++run.done;
        } else if (++run.errors <= 5) {
          std::fprintf(stderr, "dir_bench: %s: %s\n", path.c_str(), std::strerror(errno));
        }
      }
      if (reached != nullptr) reached[t] = i;
    });
  }
  for (std::thread& w : workers) w.join();
  double seconds_taken = std::chrono::duration<double>(Clock::now() - start).count();
  return seconds_taken > 0 ? static_cast<double>(run.done) / seconds_taken : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s DIR FILES THREADS SECONDS\n", argv[0]);
    return 2;
  }
  Run run;
  run.dir = argv[1];
  run.files = std::atol(argv[2]);
  run.threads = std::atoi(argv[3]);
  int seconds = std::atoi(argv[4]);
  if (run.files <= 0 || run.threads <= 0 || run.threads > 256 || seconds <= 0) {
    std::fprintf(stderr, "dir_bench: FILES, THREADS (1-256) and SECONDS must be positive\n");
    return 2;
  }
  if (::mkdir(run.dir.c_str(), 0755) != 0) {
    std::perror(run.dir.c_str());
    return 1;
  }
  std::vector<long> per_thread(run.threads, run.files / run.threads);
  int t = run.threads;
  // Later phases work on the files that exist.
  double create = Phase(run, Create, per_thread.data(), seconds, per_thread.data());
  long created = run.done;
  std::printf("md_create_t%d %.0f ops/s\n", t, create);
  std::printf("md_files_t%d %ld files\n", t, created);
  std::printf("md_stat_t%d %.0f ops/s\n", t, Phase(run, Stat, per_thread.data(), seconds));
  std::printf("md_open_t%d %.0f ops/s\n", t, Phase(run, OpenRead, per_thread.data(), seconds));
  auto start = Clock::now();
  long entries = 0;
  if (DIR* d = ::opendir(run.dir.c_str())) {
    while (::readdir(d) != nullptr) ++entries;
    ::closedir(d);
  }
  double listed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("md_readdir_t%d %.0f entries/s\n", t, listed > 0 ? entries / listed : 0.0);
  std::printf("md_unlink_t%d %.0f ops/s\n", t, Phase(run, Unlink, per_thread.data(), seconds));
  std::fflush(stdout);
  // Whatever a phase cut short is left behind: remove it too, unmeasured.
  for (int th = 0; th < t; ++th) {
    for (long i = 0; i < run.files / t; ++i) ::unlink(PathOf(run, th, i).c_str());
  }
  ::rmdir(run.dir.c_str());
  if (run.errors > 0) std::fprintf(stderr, "dir_bench: %ld failed calls\n", run.errors.load());
  return 0;
}
