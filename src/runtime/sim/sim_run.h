#pragma once

#include <asio/co_spawn.hpp>

#include <exception>
#include <optional>

#include "runtime/sim/sim_world.h"

namespace chainfs {

// Runs `task` in the simulation until it finishes or virtual time passes `limit`; returns its
// value, or nothing if it did not finish. Exceptions escaping the task are rethrown.
template <typename T>
std::optional<T> RunSimTask(SimWorld& world, Task<T> task, Nanos limit = Nanos(3600'000'000'000)) {
  std::optional<T> result;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(world.executor(), std::move(task), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
    done = true;
  });
  world.RunUntil([&] { return done; }, world.now() + limit);
  if (error) std::rethrow_exception(error);
  return result;
}

}  // namespace chainfs
