#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "common/result.h"
#include "rpc/call.h"
#include "runtime/task.h"

namespace chainfs::rpc {

// Routes a request to the handler registered for its (service, method). Services register
// themselves through the code CHAINFS_SERVICE generates. Not thread-safe: register everything
// before the server starts. Handlers must outlive the dispatcher.
class Dispatcher {
 public:
  // Decodes the body, runs the handler, encodes its response.
  using Invoker = Task<Result<std::string>> (*)(void* handler, std::string body, CallContext& ctx);

  void Register(uint16_t service, uint16_t method, std::string name, void* handler, Invoker fn);
  // kUnimplemented for a method nobody registered.
  Task<Result<std::string>> Dispatch(uint16_t service, uint16_t method, std::string body,
                                     CallContext& ctx) const;
  // "Echo.Ping", or "7.3" when unknown; for logs.
  std::string MethodName(uint16_t service, uint16_t method) const;

 private:
  struct Entry {
    std::string name;
    void* handler;
    Invoker fn;
  };
  static uint32_t Key(uint16_t s, uint16_t m) { return (uint32_t{s} << 16) | m; }
  std::unordered_map<uint32_t, Entry> entries_;
};

}  // namespace chainfs::rpc
