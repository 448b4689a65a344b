#pragma once

#include "runtime/network.h"

namespace chainfs {

// TCP (and Unix sockets beside loopback addresses) over asio sockets on the given executor
// (io_uring backend). Hosts must be IP addresses or "localhost". Listeners set SO_REUSEADDR (a
// restarted server rebinds its port at once) but not SO_REUSEPORT: a port another process listens
// on is an error, never silently shared.
class RealNetwork : public Network {
 public:
  explicit RealNetwork(Executor ex) : ex_(std::move(ex)) {}
  Result<std::unique_ptr<Listener>> Listen(const Address& address) override;
  // On a loopback address, the abstract Unix socket "\0chainfs:HOST:PORT", which Connect() to
  // a loopback address then tries first; a round trip over it costs about half one over
  // loopback TCP (design/rpc.md). nullptr on other addresses, or with CHAINFS_LOCAL_SOCKETS=0
  // in the environment. A name another process holds is an error, as a taken port is.
  Result<std::unique_ptr<Listener>> ListenLocal(const Address& address) override;
  Task<Result<std::unique_ptr<Stream>>> Connect(Address address) override;

 private:
  Executor ex_;
};

}  // namespace chainfs
