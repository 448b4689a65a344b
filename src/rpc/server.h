#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "rpc/dispatcher.h"
#include "rpc/options.h"
#include "runtime/runtime.h"

namespace chainfs::rpc {

// Accepts connections, authenticates them with the cluster secret and serves their requests
// through its dispatcher. A connection that fails authentication or sends a malformed frame is
// closed and logged; the others go on. Belongs to the thread of `rt`: start, stop and destroy it
// there. Handlers registered in dispatcher() must outlive it.
class Server {
 public:
  Server(Runtime& rt, RpcOptions options, std::string secret);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Dispatcher& dispatcher();
  // Listens on `address` (port 0 picks one) and starts accepting.
  Status Start(const Address& address);
  Address address() const;
  void Stop();
  size_t connections() const;
  // Why the most recent connection was refused (authentication or handshake), or OK.
  Status last_refusal() const;

 private:
  struct State;
  static Task<void> AcceptLoop(std::shared_ptr<State> state, std::shared_ptr<Listener> listener);
  static Task<void> Admit(std::shared_ptr<State> state, std::unique_ptr<Stream> stream);
  std::shared_ptr<State> state_;
};

}  // namespace chainfs::rpc
