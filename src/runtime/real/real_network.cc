#include "runtime/real/real_network.h"

#include <fmt/format.h>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cstdlib>
#include <optional>
#include <type_traits>
#include <vector>

#include "common/speculation.h"

namespace chainfs {
namespace {

using asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);

Result<tcp::endpoint> ToEndpoint(const Address& a) {
  std::string host = a.host == "localhost" ? "127.0.0.1" : a.host;
  std::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host, ec);
  if (ec) {
    return InvalidArgument(
        fmt::format("address '{}': host must be an IP address or localhost", a.ToString()));
  }
  return tcp::endpoint(ip, a.port);
}

// The Unix socket that stands beside a loopback TCP address: in the abstract namespace (a name
// starting with NUL), which belongs to the network namespace as loopback does, so the same
// processes reach it, and it goes with its listener, leaving no file behind.
// CHAINFS_LOCAL_SOCKETS=0 turns them off (design/rpc.md).
std::optional<unix_socket::endpoint> LocalEndpoint(const tcp::endpoint& ep) {
  const char* wanted = std::getenv("CHAINFS_LOCAL_SOCKETS");
  if (wanted != nullptr && std::string_view(wanted) == "0") return std::nullopt;
  if (!ep.address().is_loopback() || ep.port() == 0) return std::nullopt;
  std::string name = fmt::format("{}chainfs:{}:{}", '\0', ep.address().to_string(), ep.port());
  return unix_socket::endpoint(name);
}

Status SocketError(std::string_view what, const std::string& peer, const std::error_code& ec) {
  if (ec == asio::error::operation_aborted) {
    return Status(StatusCode::kCancelled, fmt::format("{} {}: cancelled", what, peer));
  }
  return Unavailable(fmt::format("{} {}: {}", what, peer, ec.message()));
}

// A stream over a TCP socket or a Unix one (`Socket`); `peer` names the other end.
template <typename Socket>
class RealStream : public Stream {
 public:
  RealStream(Socket socket, std::string peer)
      : socket_(std::move(socket)), peer_(std::move(peer)) {}
  ~RealStream() override { Close(); }

  Task<Result<size_t>> ReadSome(std::span<char> out) override {
    // Try the socket first: when bytes are waiting, one recv() beats an io_uring round trip.
    if (speculation_.ShouldTry()) {
      ssize_t got = ::recv(socket_.native_handle(), out.data(), out.size(), MSG_DONTWAIT);
      if (got > 0) co_return static_cast<size_t>(got);
      speculation_.Missed();
    }
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(out.data(), out.size()), kAsTuple);
    if (ec == asio::error::eof)
      co_return Unavailable(fmt::format("{} closed the connection", peer_));
    if (ec) co_return SocketError("read from", peer_, ec);
    co_return n;
  }

  Task<Status> WriteAll(std::span<const std::span<const char>> pieces) override {
    // Try the socket first: a gather write that fits the send buffer completes in one call.
    size_t skip = SendNow(pieces);
    if (skip == kAllSent) co_return Status();
    std::vector<asio::const_buffer> bufs;
    bufs.reserve(pieces.size());
    for (auto p : pieces) {
      size_t drop = std::min(skip, p.size());
      skip -= drop;
      if (p.size() > drop) bufs.emplace_back(p.data() + drop, p.size() - drop);
    }
    auto [ec, n] = co_await asio::async_write(socket_, bufs, kAsTuple);
    if (ec) co_return SocketError("write to", peer_, ec);
    co_return Status();
  }

  void Close() override {
    std::error_code ec;
    socket_.shutdown(Socket::shutdown_both, ec);
    socket_.close(ec);
  }

  std::string PeerName() const override { return peer_; }

 private:
  static constexpr size_t kAllSent = ~size_t{0};

  // Sends what the socket takes without blocking; returns the bytes sent, or kAllSent.
  size_t SendNow(std::span<const std::span<const char>> pieces) {
    constexpr size_t kMaxIov = 64;
    if (pieces.size() > kMaxIov) return 0;
    iovec iov[kMaxIov];
    size_t total = 0;
    for (size_t i = 0; i < pieces.size(); ++i) {
      iov[i] = {const_cast<char*>(pieces[i].data()), pieces[i].size()};
      total += pieces[i].size();
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = pieces.size();
    ssize_t sent = ::sendmsg(socket_.native_handle(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) return 0;
    return static_cast<size_t>(sent) == total ? kAllSent : static_cast<size_t>(sent);
  }

  Socket socket_;
  Speculation speculation_;
  std::string peer_;
};

// A Unix stream socket holds no more than its sender's buffer in flight (TCP's grows to
// tcp_wmem's maximum): the default 208 KiB halved 1 MiB sequential reads through the mount.
constexpr int kLocalSendBuffer = 4 << 20;

std::unique_ptr<Stream> LocalStream(unix_socket::socket socket, std::string peer) {
  std::error_code ec;
  socket.set_option(asio::socket_base::send_buffer_size(kLocalSendBuffer), ec);
  return std::make_unique<RealStream<unix_socket::socket>>(std::move(socket), std::move(peer));
}

std::unique_ptr<Stream> TcpStream(tcp::socket socket) {
  std::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  auto ep = socket.remote_endpoint(ec);
  std::string peer =
      ec ? "unknown peer" : fmt::format("{}:{}", ep.address().to_string(), ep.port());
  return std::make_unique<RealStream<tcp::socket>>(std::move(socket), std::move(peer));
}

// Accepts on a TCP acceptor, or on the Unix one beside it (`Protocol`).
template <typename Protocol>
class RealListener : public Listener {
 public:
  using Acceptor = typename Protocol::acceptor;
  RealListener(Acceptor acceptor, Address local)
      : acceptor_(std::move(acceptor)), local_(std::move(local)) {}

  Task<Result<std::unique_ptr<Stream>>> Accept() override {
    auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (ec) co_return SocketError("accept on", local_.ToString(), ec);
    if constexpr (std::is_same_v<Protocol, tcp>) {
      co_return TcpStream(std::move(socket));
    } else {
      co_return LocalStream(std::move(socket),
                            "a process on this machine (" + local_.ToString() + ")");
    }
  }

  Address LocalAddress() const override { return local_; }

  void Close() override {
    std::error_code ec;
    acceptor_.close(ec);
  }

 private:
  Acceptor acceptor_;
  Address local_;
};

// Opens, binds and listens; the error names `address`.
template <typename Acceptor, typename Endpoint>
Status Bind(Acceptor& acceptor, const Endpoint& ep, const Address& address, bool reuse) {
  std::error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec && reuse) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Unavailable(fmt::format("listen on {}: {}", address.ToString(), ec.message()));
  return Status();
}

}  // namespace

Result<std::unique_ptr<Listener>> RealNetwork::Listen(const Address& address) {
  ASSIGN_OR_RETURN(tcp::endpoint ep, ToEndpoint(address));
  tcp::acceptor acceptor(ex_);
  RETURN_IF_ERROR(Bind(acceptor, ep, address, /*reuse=*/true));
  Address local{address.host, acceptor.local_endpoint().port()};
  return std::unique_ptr<Listener>(
      std::make_unique<RealListener<tcp>>(std::move(acceptor), std::move(local)));
}

Result<std::unique_ptr<Listener>> RealNetwork::ListenLocal(const Address& address) {
  ASSIGN_OR_RETURN(tcp::endpoint ep, ToEndpoint(address));
  std::optional<unix_socket::endpoint> local = LocalEndpoint(ep);
  if (!local) return std::unique_ptr<Listener>();
  unix_socket::acceptor acceptor(ex_);
  if (Status st = Bind(acceptor, *local, address, /*reuse=*/false); !st.ok()) {
    return Status(st.code(), fmt::format("{} (its local socket, abstract name 'chainfs:{}:{}')",
                                         st.message(), ep.address().to_string(), ep.port()));
  }
  return std::unique_ptr<Listener>(
      std::make_unique<RealListener<unix_socket>>(std::move(acceptor), address));
}

Task<Result<std::unique_ptr<Stream>>> RealNetwork::Connect(Address address) {
  Result<tcp::endpoint> ep = ToEndpoint(address);
  if (!ep.ok()) co_return ep.status();
  if (std::optional<unix_socket::endpoint> local = LocalEndpoint(*ep)) {
    // Nothing listening there (a server of another kind, or of an older version) is no error:
    // TCP follows.
    unix_socket::socket socket(ex_);
    auto [ec] = co_await socket.async_connect(*local, kAsTuple);
    if (!ec) {
      co_return LocalStream(std::move(socket), address.ToString() + " (local)");
    }
  }
  tcp::socket socket(ex_);
  auto [ec] = co_await socket.async_connect(*ep, kAsTuple);
  if (ec) co_return SocketError("connect to", address.ToString(), ec);
  co_return TcpStream(std::move(socket));
}

}  // namespace chainfs
