#pragma once

#include "runtime/network.h"

namespace chainfs {

// TCP over asio sockets on the given executor (io_uring backend). Hosts must be IP addresses
// or "localhost". Listeners set SO_REUSEADDR (a restarted server rebinds its port at once) but
// not SO_REUSEPORT: a port another process listens on is an error, never silently shared.
class RealNetwork : public Network {
 public:
  explicit RealNetwork(Executor ex) : ex_(std::move(ex)) {}
  Result<std::unique_ptr<Listener>> Listen(const Address& address) override;
  Task<Result<std::unique_ptr<Stream>>> Connect(Address address) override;

 private:
  Executor ex_;
};

}  // namespace chainfs
