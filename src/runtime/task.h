#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <string>

namespace chainfs {

// Every asynchronous function in chainfs returns Task<T> and is a coroutine on asio's
// awaitable machinery. Coroutines take their parameters by value when they may outlive the
// caller's frame, and are never lambdas with captures (g++ 12 double-frees those).
template <typename T = void>
using Task = asio::awaitable<T>;

using Executor = asio::any_io_executor;

// Starts `task` on `ex` without waiting for it. An exception escaping the task (other than
// cancellation) is logged with `what` (a string literal); it never terminates the process
// silently.
void Spawn(Executor ex, Task<void> task, const char* what);

}  // namespace chainfs
