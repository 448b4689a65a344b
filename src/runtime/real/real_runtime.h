#pragma once

#include <asio/co_spawn.hpp>
#include <asio/use_future.hpp>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "runtime/runtime.h"

namespace asio {
class io_context;
}

namespace chainfs {

// Worker threads, each running one io_context on io_uring, and a Runtime per worker whose
// clock, network and disk are bound to that worker's io_context. State reached from one
// worker's Runtime belongs to that thread and needs no lock.
class RealRuntime {
 public:
  // `poll`: how long a worker keeps looking for more work after its last, before it sleeps.
  // While it looks, it yields its CPU to any other runnable thread between tries, so the time
  // costs only a CPU nobody else wants. A request that arrives within it is taken without the
  // sleep and wake-up on both ends (zero: sleep at once).
  explicit RealRuntime(int workers, std::chrono::microseconds poll = {});
  ~RealRuntime();  // stops and joins
  RealRuntime(const RealRuntime&) = delete;
  RealRuntime& operator=(const RealRuntime&) = delete;

  int workers() const { return static_cast<int>(workers_.size()); }
  Runtime& worker(int index);
  void Stop();

  // Runs `task` on worker `index` and blocks the calling (non-worker) thread until it ends.
  template <typename T>
  T RunSync(int index, Task<T> task) {
    return asio::co_spawn(worker(index).executor(), std::move(task), asio::use_future).get();
  }

 private:
  class Worker;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace chainfs
