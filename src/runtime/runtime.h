#pragma once

#include "runtime/clock.h"
#include "runtime/disk.h"
#include "runtime/network.h"
#include "runtime/random.h"
#include "runtime/task.h"

namespace chainfs {

// What a service may use of the outside world: one executor (a thread's event loop, or a
// simulated node), and time, randomness, sockets and files. The real runtime gives each worker
// thread one of these; the simulation gives each simulated node one.
class Runtime {
 public:
  virtual ~Runtime() = default;
  virtual Executor executor() = 0;
  virtual Clock& clock() = 0;
  virtual Random& random() = 0;
  virtual Network& network() = 0;
  virtual Disk& disk() = 0;
  // A short name for logs ("worker-0", or a simulated node's name).
  virtual std::string name() const = 0;

  // `what` is a string literal naming the task in logs.
  void Spawn(Task<void> task, const char* what) {
    chainfs::Spawn(executor(), std::move(task), what);
  }
};

}  // namespace chainfs
