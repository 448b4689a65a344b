#include "runtime/real/real_network.h"

#include <fmt/format.h>
#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <vector>

#include "common/speculation.h"

namespace chainfs {
namespace {

using asio::ip::tcp;
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

Status SocketError(std::string_view what, const std::string& peer, const std::error_code& ec) {
  if (ec == asio::error::operation_aborted) {
    return Status(StatusCode::kCancelled, fmt::format("{} {}: cancelled", what, peer));
  }
  return Unavailable(fmt::format("{} {}: {}", what, peer, ec.message()));
}

class RealStream : public Stream {
 public:
  explicit RealStream(tcp::socket socket) : socket_(std::move(socket)) {
    std::error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    auto ep = socket_.remote_endpoint(ec);
    peer_ = ec ? "unknown peer" : fmt::format("{}:{}", ep.address().to_string(), ep.port());
  }
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
    socket_.shutdown(tcp::socket::shutdown_both, ec);
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

  tcp::socket socket_;
  Speculation speculation_;
  std::string peer_;
};

class RealListener : public Listener {
 public:
  RealListener(tcp::acceptor acceptor, Address local)
      : acceptor_(std::move(acceptor)), local_(std::move(local)) {}

  Task<Result<std::unique_ptr<Stream>>> Accept() override {
    auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (ec) co_return SocketError("accept on", local_.ToString(), ec);
    co_return std::unique_ptr<Stream>(std::make_unique<RealStream>(std::move(socket)));
  }

  Address LocalAddress() const override { return local_; }

  void Close() override {
    std::error_code ec;
    acceptor_.close(ec);
  }

 private:
  tcp::acceptor acceptor_;
  Address local_;
};

}  // namespace

Result<std::unique_ptr<Listener>> RealNetwork::Listen(const Address& address) {
  ASSIGN_OR_RETURN(tcp::endpoint ep, ToEndpoint(address));
  tcp::acceptor acceptor(ex_);
  std::error_code ec;
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Unavailable(fmt::format("listen on {}: {}", address.ToString(), ec.message()));
  }
  Address local{address.host, acceptor.local_endpoint().port()};
  return std::unique_ptr<Listener>(std::make_unique<RealListener>(std::move(acceptor), local));
}

Task<Result<std::unique_ptr<Stream>>> RealNetwork::Connect(Address address) {
  Result<tcp::endpoint> ep = ToEndpoint(address);
  if (!ep.ok()) co_return ep.status();
  tcp::socket socket(ex_);
  auto [ec] = co_await socket.async_connect(*ep, kAsTuple);
  if (ec) co_return SocketError("connect to", address.ToString(), ec);
  co_return std::unique_ptr<Stream>(std::make_unique<RealStream>(std::move(socket)));
}

}  // namespace chainfs
