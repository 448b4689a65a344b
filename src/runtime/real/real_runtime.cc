#include "runtime/real/real_runtime.h"

#include <openssl/rand.h>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include <asio/post.hpp>

#include <atomic>
#include <chrono>

#include "common/check.h"
#include "runtime/real/real_clock.h"
#include "runtime/real/real_disk.h"
#include "runtime/real/real_network.h"
#include "runtime/wait_slot.h"

namespace chainfs {
namespace {

uint64_t SeedFromOs() {
  uint64_t seed = 0;
  CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(&seed), sizeof(seed)) == 1);
  return seed;
}

// Fast non-cryptographic draws; nonces and keys come from OpenSSL's CSPRNG.
class RealRandom : public DeterministicRandom {
 public:
  RealRandom() : DeterministicRandom(SeedFromOs()) {}
  void Fill(std::span<uint8_t> out) override {
    CHECK(RAND_bytes(out.data(), static_cast<int>(out.size())) == 1);
  }
};

}  // namespace

class RealRuntime::Worker : public Runtime {
 public:
  Worker(int index, std::chrono::microseconds poll)
      : index_(index),
        poll_(poll),
        io_(1),
        guard_(io_.get_executor()),
        clock_(io_.get_executor()),
        network_(io_.get_executor()),
        disk_(io_.get_executor()) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Worker() override { Stop(); }

  // Lets pending operations finish before the io_context goes: asio (1.22, io_uring) touches
  // freed memory when destroyed with an accept still pending. Coroutines parked on a WaitSlot
  // will never be woken once the services are gone, so they are destroyed on this worker's
  // thread; whatever still runs after a grace period is stopped.
  void Stop() {
    if (!thread_.joinable()) return;
    guard_.reset();
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!finished_.load() && std::chrono::steady_clock::now() < give_up) {
      asio::post(io_, [] { WaitSlot::AbandonAllOnThisThread(); });
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!finished_.load()) io_.stop();
    thread_.join();
  }

  Executor executor() override { return io_.get_executor(); }
  Clock& clock() override { return clock_; }
  Random& random() override { return random_; }
  Network& network() override { return network_; }
  Disk& disk() override { return disk_; }
  std::string name() const override { return "worker-" + std::to_string(index_); }

 private:
  void Run() {
    if (poll_.count() > 0) {
      RunPolling();
    } else {
      io_.run();
    }
    for (int round = 0; round < 100; ++round) {
      size_t abandoned = WaitSlot::AbandonAllOnThisThread();
      io_.restart();
      if (io_.poll() == 0 && abandoned == 0) break;
    }
    finished_.store(true);
  }

  // io_.run(), except that after each piece of work the worker looks for the next for up to
  // poll_ before it sleeps, yielding the CPU between tries. Returns when io_ stops or runs
  // out of work, as run() does.
  void RunPolling() {
    using Clock = std::chrono::steady_clock;
    auto last = Clock::now();
    while (!io_.stopped()) {
      if (io_.poll() > 0) {
        last = Clock::now();
      } else if (Clock::now() - last < poll_) {
        std::this_thread::yield();
      } else if (io_.run_one() > 0) {
        last = Clock::now();
      }
    }
  }

  int index_;
  std::chrono::microseconds poll_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  RealClock clock_;
  RealRandom random_;
  RealNetwork network_;
  RealDisk disk_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

RealRuntime::RealRuntime(int workers, std::chrono::microseconds poll) {
  CHECK(workers > 0);
  for (int i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>(i, poll));
}

RealRuntime::~RealRuntime() { Stop(); }

Runtime& RealRuntime::worker(int index) {
  CHECK(index >= 0 && index < workers());
  return *workers_[index];
}

void RealRuntime::Stop() {
  for (auto& w : workers_) w->Stop();
}

}  // namespace chainfs
