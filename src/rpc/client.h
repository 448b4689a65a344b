#pragma once

#include <memory>
#include <string>

#include "rpc/call.h"
#include "rpc/options.h"
#include "rpc/wire/serde.h"
#include "runtime/runtime.h"

namespace chainfs::rpc {

class Connection;

// Authenticated connections to servers, one per address, opened on first use and opened again
// after a failure. Calls to one address share its connection. Belongs to the thread of `rt`;
// calls may outlive the pool object (they keep what they need alive).
class ClientPool {
 public:
  ClientPool(Runtime& rt, RpcOptions options, std::string secret, std::string name = "client");
  ~ClientPool();
  ClientPool(const ClientPool&) = delete;
  ClientPool& operator=(const ClientPool&) = delete;

  // kDeadlineExceeded, kCancelled, kUnavailable (cannot connect, or the connection broke),
  // kAuthFailed (secrets differ), or the status the server's handler returned.
  Task<Result<RawResponse>> CallRaw(Address to, uint16_t service, uint16_t method, std::string body,
                                    CallOptions options);
  // The live connection to `to`, opening it if needed.
  Task<Result<std::shared_ptr<Connection>>> Connect(Address to, Nanos deadline);
  size_t open_connections() const;
  void CloseAll();

 private:
  struct State;
  static Task<Result<std::shared_ptr<Connection>>> Acquire(std::shared_ptr<State> state, Address to,
                                                           Nanos deadline);
  static Task<Result<RawResponse>> DoCall(std::shared_ptr<State> state, Address to,
                                          uint16_t service, uint16_t method, std::string body,
                                          CallOptions options);
  std::shared_ptr<State> state_;
};

// Where typed stubs send their calls.
struct Channel {
  ClientPool* pool = nullptr;
  Address address;
};

template <typename Rsp, typename Req>
Task<Result<Rsp>> CallTyped(Channel channel, uint16_t service, uint16_t method, Req req,
                            CallOptions options) {
  std::string body = Encode(req);
  Result<RawResponse> raw =
      co_await channel.pool->CallRaw(channel.address, service, method, std::move(body), options);
  if (!raw.ok()) co_return raw.status();
  co_return Decode<Rsp>(raw->body);
}

}  // namespace chainfs::rpc
