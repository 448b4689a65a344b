#include "runtime/all_of.h"

#include <asio/this_coro.hpp>

#include <memory>

#include "runtime/wait_slot.h"

namespace chainfs {
namespace {

struct Joined {
  size_t left = 0;
  std::vector<Status> results;
  WaitSlot slot;
};

Task<void> RunJoined(std::shared_ptr<Joined> joined, size_t index, Task<Status> task) {
  joined->results[index] = co_await std::move(task);
  if (--joined->left == 0) joined->slot.Wake(WaitSlot::WaitResult::kWoken);
}

}  // namespace

Task<std::vector<Status>> AllOf(std::vector<Task<Status>> tasks) {
  if (tasks.empty()) co_return std::vector<Status>{};
  auto joined = std::make_shared<Joined>();
  joined->left = tasks.size();
  joined->results.resize(tasks.size());
  Executor ex = co_await asio::this_coro::executor;
  for (size_t i = 0; i < tasks.size(); ++i) {
    Spawn(ex, RunJoined(joined, i, std::move(tasks[i])), "all-of");
  }
  // The tasks may use the caller's frame, so even a cancelled wait waits on.
  while (joined->left > 0) (void)co_await joined->slot.Park();
  co_return std::move(joined->results);
}

Status FirstError(const std::vector<Status>& statuses) {
  for (const Status& s : statuses) {
    if (!s.ok()) return s;
  }
  return Status();
}

}  // namespace chainfs
