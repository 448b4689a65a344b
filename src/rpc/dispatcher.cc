#include "rpc/dispatcher.h"

#include <fmt/format.h>

#include "common/check.h"

namespace chainfs::rpc {

void Dispatcher::Register(uint16_t service, uint16_t method, std::string name, void* handler,
                          Invoker fn) {
  bool inserted =
      entries_.emplace(Key(service, method), Entry{std::move(name), handler, fn}).second;
  CHECK_MSG(inserted, "an RPC method was registered twice");
}

Task<Result<std::string>> Dispatcher::Dispatch(uint16_t service, uint16_t method, std::string body,
                                               CallContext& ctx) const {
  auto it = entries_.find(Key(service, method));
  if (it == entries_.end()) {
    co_return Status(StatusCode::kUnimplemented,
                     fmt::format("no method {}.{} on this server", service, method));
  }
  co_return co_await it->second.fn(it->second.handler, std::move(body), ctx);
}

std::string Dispatcher::MethodName(uint16_t service, uint16_t method) const {
  auto it = entries_.find(Key(service, method));
  return it == entries_.end() ? fmt::format("{}.{}", service, method) : it->second.name;
}

}  // namespace chainfs::rpc
