#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "runtime/task.h"

namespace chainfs {

// "host:port". In the real runtime host is an IP address or name; in the simulation it is a
// simulated node's name.
struct Address {
  std::string host;
  uint16_t port = 0;

  static Result<Address> Parse(std::string_view text);
  std::string ToString() const;
  auto operator<=>(const Address&) const = default;
};

// A reliable, ordered byte stream (TCP, or its simulation). One reader and one writer may use
// it at the same time; it belongs to one executor's thread.
class Stream {
 public:
  virtual ~Stream() = default;
  // Reads at least one byte. kUnavailable when the peer closed or the connection broke.
  virtual Task<Result<size_t>> ReadSome(std::span<char> out) = 0;
  // Writes every byte of every piece, in order, as one gather write where possible.
  virtual Task<Status> WriteAll(std::span<const std::span<const char>> pieces) = 0;
  // Fails pending and later reads and writes of this end; the peer sees the stream close.
  virtual void Close() = 0;
  virtual std::string PeerName() const = 0;
};

// Reads exactly out.size() bytes.
Task<Status> ReadExact(Stream& stream, std::span<char> out);

class Listener {
 public:
  virtual ~Listener() = default;
  virtual Task<Result<std::unique_ptr<Stream>>> Accept() = 0;
  virtual Address LocalAddress() const = 0;
  // Makes a pending and every later Accept() fail.
  virtual void Close() = 0;
};

// Sockets. Service code opens connections and listens only through a Network.
class Network {
 public:
  virtual ~Network() = default;
  // Port 0 picks a free port; LocalAddress() tells which.
  virtual Result<std::unique_ptr<Listener>> Listen(const Address& address) = 0;
  // A second way in to what listens on `address` (a port Listen() bound), for peers on this
  // machine: Connect() to `address` goes there when it can. nullptr when the network has none
  // for that address (then Connect() uses the first).
  virtual Result<std::unique_ptr<Listener>> ListenLocal(const Address& address);
  virtual Task<Result<std::unique_ptr<Stream>>> Connect(Address address) = 0;
};

}  // namespace chainfs
