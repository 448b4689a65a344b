#pragma once

// What stands behind chainfs::Client: an FsClient on a worker thread of its own. Internal to
// this repository: the FUSE daemon uses it to serve its busiest requests as coroutines on that
// thread, without a hop through another thread.
#include <asio/post.hpp>

#include <future>
#include <memory>

#include "chainfs/client.h"
#include "client/fs_client.h"
#include "runtime/real/real_runtime.h"

namespace chainfs {
namespace api {

template <typename T>
struct TaskValue;
template <typename T>
struct TaskValue<Task<T>> {
  using type = T;
};

template <typename T>
Task<void> Deliver(Task<T> task, std::shared_ptr<std::promise<T>> done) {
  try {
    done->set_value(co_await std::move(task));
  } catch (...) {
    done->set_exception(std::current_exception());
  }
}

}  // namespace api

struct Client::Impl {
  RealRuntime rt{1};
  std::unique_ptr<client::FsClient> fs;

  Runtime& runtime() { return rt.worker(0); }

  // Starts the task `make()` returns on the worker thread; its value arrives in the future.
  // The task is made there too, so coroutine frames never cross threads; `make` is copied.
  template <typename Make>
  auto Start(Make make) -> std::future<typename api::TaskValue<decltype(make())>::type> {
    using T = typename api::TaskValue<decltype(make())>::type;
    auto done = std::make_shared<std::promise<T>>();
    std::future<T> value = done->get_future();
    Executor ex = rt.worker(0).executor();
    asio::post(ex, [make, done, ex] { Spawn(ex, api::Deliver<T>(make(), done), "client call"); });
    return value;
  }

  // Runs the task `make()` returns on the worker thread and waits for its value.
  template <typename Make>
  auto Run(Make make) -> typename api::TaskValue<decltype(make())>::type {
    return Start([&make] { return make(); }).get();
  }
};

}  // namespace chainfs
