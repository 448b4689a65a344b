#include <asio/co_spawn.hpp>
#include <asio/error.hpp>

#include <charconv>
#include <exception>
#include <system_error>

#include "common/logging.h"
#include "runtime/clock.h"
#include "runtime/network.h"
#include "runtime/task.h"

namespace chainfs {

namespace {
struct LogFailure {
  const char* name;
  void operator()(std::exception_ptr e) const {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::system_error& err) {
      if (err.code() == asio::error::operation_aborted) return;  // cancelled: not a failure
      LOG_ERROR("task '{}' failed: {}", name, err.what());
    } catch (const std::exception& err) {
      LOG_ERROR("task '{}' failed: {}", name, err.what());
    }
  }
};
}  // namespace

void Spawn(Executor ex, Task<void> task, const char* what) {
  asio::co_spawn(std::move(ex), std::move(task), LogFailure{what});
}

Task<bool> Clock::Sleep(Nanos duration) {
  std::unique_ptr<Timer> timer = NewTimer();
  timer->ExpiresAt(Now() + duration);
  Timer::WaitResult r = co_await timer->Wait();
  co_return r == Timer::WaitResult::kExpired;
}

Result<Address> Address::Parse(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return InvalidArgument(fmt::format("address '{}': expected host:port", text));
  }
  std::string_view port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument(fmt::format("address '{}': port must be a number in [0, 65535]", text));
  }
  return Address{std::string(text.substr(0, colon)), static_cast<uint16_t>(port)};
}

std::string Address::ToString() const { return host + ":" + std::to_string(port); }

Result<std::unique_ptr<Listener>> Network::ListenLocal(const Address&) {
  return std::unique_ptr<Listener>();
}

Task<Status> ReadExact(Stream& stream, std::span<char> out) {
  size_t done = 0;
  while (done < out.size()) {
    Result<size_t> n = co_await stream.ReadSome(out.subspan(done));
    if (!n.ok()) co_return std::move(n).TakeStatus();
    done += *n;
  }
  co_return Status();
}

}  // namespace chainfs
