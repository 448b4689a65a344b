#pragma once

#include <fmt/format.h>
#include <asio/experimental/awaitable_operators.hpp>

#include "common/result.h"
#include "runtime/clock.h"

namespace chainfs::rpc {

// Runs `op` until it finishes or `timeout` passes on `clock`, whichever is first; the loser is
// cancelled. `what` names the operation in the kDeadlineExceeded message.
template <typename T>
Task<Result<T>> WithTimeout(Clock& clock, Nanos timeout, Task<Result<T>> op, std::string what) {
  using namespace asio::experimental::awaitable_operators;
  auto winner = co_await (std::move(op) || clock.Sleep(timeout));
  if (winner.index() == 0) co_return std::get<0>(std::move(winner));
  co_return Status(StatusCode::kDeadlineExceeded,
                   fmt::format("{}: no answer within {} ms", what, timeout.count() / 1'000'000));
}

}  // namespace chainfs::rpc
