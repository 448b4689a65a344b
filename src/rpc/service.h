#pragma once

#include <cstdint>
#include <string>

#include "rpc/client.h"
#include "rpc/dispatcher.h"
#include "rpc/wire/serde.h"

// Declares a service once; this gives a typed client stub, a handler interface whose methods
// are coroutines, and registration with a Dispatcher:
//
//   #define ECHO_METHODS(M) M(1, Echo, EchoReq, EchoRsp) M(2, Fail, EchoReq, EchoRsp)
//   CHAINFS_SERVICE(EchoService, 7, ECHO_METHODS)
//
//   class MyEcho : public EchoService::Handler {
//     Task<Result<EchoRsp>> Echo(EchoReq req, rpc::CallContext& ctx) override;
//   };
//   EchoService::Register(server.dispatcher(), my_echo);
//   EchoService::Client client(rpc::Channel{&pool, address});
//   EchoReq req{"hi"};  // named: see docs/design/coroutines.md
//   Result<EchoRsp> r = co_await client.Echo(std::move(req));
//
// Method ids are part of the wire format: never reuse or renumber them.

namespace chainfs::rpc {

template <typename Handler, typename Req, typename Rsp,
          Task<Result<Rsp>> (Handler::*Method)(Req, CallContext&)>
Task<Result<std::string>> InvokeMethod(void* handler, std::string body, CallContext& ctx) {
  Result<Req> req = Decode<Req>(body);
  if (!req.ok()) co_return req.status();
  Result<Rsp> rsp = co_await (static_cast<Handler*>(handler)->*Method)(std::move(*req), ctx);
  if (!rsp.ok()) co_return rsp.status();
  co_return Encode(*rsp);
}

}  // namespace chainfs::rpc

#define CHAINFS_RPC_HANDLER_METHOD(id, Name, Req, Rsp)          \
  virtual ::chainfs::Task<::chainfs::Result<Rsp>> Name(Req req, \
                                                       ::chainfs::rpc::CallContext& ctx) = 0;

#define CHAINFS_RPC_CLIENT_METHOD(id, Name, Req, Rsp)                                            \
  ::chainfs::Task<::chainfs::Result<Rsp>> Name(Req req, ::chainfs::rpc::CallOptions opts = {}) { \
    return ::chainfs::rpc::CallTyped<Rsp>(channel_, kServiceId, id, std::move(req), opts);       \
  }

#define CHAINFS_RPC_REGISTER_METHOD(id, Name, Req, Rsp)                 \
  d.Register(kServiceId, id, std::string(kServiceName) + "." #Name, &h, \
             &::chainfs::rpc::InvokeMethod<Handler, Req, Rsp, &Handler::Name>);

#define CHAINFS_SERVICE(ServiceName, service_id, METHODS)                                \
  struct ServiceName {                                                                   \
    static constexpr uint16_t kServiceId = service_id;                                   \
    static constexpr const char* kServiceName = #ServiceName;                            \
    class Handler {                                                                      \
     public:                                                                             \
      virtual ~Handler() = default;                                                      \
      METHODS(CHAINFS_RPC_HANDLER_METHOD)                                                \
    };                                                                                   \
    class Client {                                                                       \
     public:                                                                             \
      explicit Client(::chainfs::rpc::Channel channel) : channel_(std::move(channel)) {} \
      METHODS(CHAINFS_RPC_CLIENT_METHOD)                                                 \
     private:                                                                            \
      ::chainfs::rpc::Channel channel_;                                                  \
    };                                                                                   \
    static void Register(::chainfs::rpc::Dispatcher& d, Handler& h) {                    \
      METHODS(CHAINFS_RPC_REGISTER_METHOD)                                               \
    }                                                                                    \
  };
