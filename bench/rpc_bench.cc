// Measures the RPC layer over loopback on the real runtime, beside a plain asio socket echo
// doing the same exchanges, and prints each figure and the ratio to its baseline.
//
//   rpc_bench [seconds_per_figure=2]
//
// Small requests: a 16-byte message and its 16-byte answer, with 1 and with 64 in flight on
// one connection. Bulk: 1 MiB payloads sent to the server, 4 in flight, answered with a short
// acknowledgement. Server and client each run on one worker thread.

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/use_future.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "rpc/server.h"
#include "rpc/service.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct PingReq {
  uint64_t seq = 0;
  CHAINFS_MESSAGE(PingReq, seq)
};
struct PingRsp {
  uint64_t seq = 0;
  CHAINFS_MESSAGE(PingRsp, seq)
};

#define BENCH_METHODS(M) M(1, Ping, PingReq, PingRsp)
CHAINFS_SERVICE(BenchService, 900, BENCH_METHODS)

class BenchHandler : public BenchService::Handler {
 public:
  Task<Result<PingRsp>> Ping(PingReq req, rpc::CallContext&) override {
    co_return PingRsp{req.seq};
  }
};

constexpr size_t kBulkBytes = 1 << 20;
constexpr int kBulkInflight = 4;

// ---- chainfs ----

struct Counter {
  uint64_t ops = 0;
  int running = 0;
};

Task<void> PingLoop(BenchService::Client stub, Clock::time_point end, Counter* c) {
  uint64_t seq = 0;
  while (Clock::now() < end) {
    PingReq req{++seq};
    Result<PingRsp> r = co_await stub.Ping(std::move(req));
    if (!r.ok()) {
      fmt::print(stderr, "ping failed: {}\n", r.status().ToString());
      break;
    }
    ++c->ops;
  }
  --c->running;
}

Task<void> BulkLoop(BenchService::Client stub, Clock::time_point end, Counter* c) {
  std::vector<char> payload(kBulkBytes, 'x');
  while (Clock::now() < end) {
    PingReq req{1};
    rpc::CallOptions opts{.request_bulk = payload};
    Result<PingRsp> r = co_await stub.Ping(std::move(req), opts);
    if (!r.ok()) {
      fmt::print(stderr, "bulk failed: {}\n", r.status().ToString());
      break;
    }
    ++c->ops;
  }
  --c->running;
}

Task<uint64_t> RunLoops(Runtime& rt, BenchService::Client stub, int inflight, bool bulk,
                        double seconds) {
  Counter c;
  c.running = inflight;
  auto end = Clock::now() +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (int i = 0; i < inflight; ++i) {
    rt.Spawn(bulk ? BulkLoop(stub, end, &c) : PingLoop(stub, end, &c), "bench");
  }
  while (c.running > 0) co_await rt.clock().Sleep(Nanos(1ms));
  co_return c.ops;
}

Task<Status> StartServer(Runtime& rt, std::unique_ptr<rpc::Server>* server, BenchHandler* h) {
  rpc::RpcOptions opts;
  *server = std::make_unique<rpc::Server>(rt, opts, "bench-secret");
  BenchService::Register((*server)->dispatcher(), *h);
  co_return (*server)->Start({"127.0.0.1", 0});
}

Task<Status> StopServer(std::unique_ptr<rpc::Server>* server) {
  server->reset();
  co_return Status();
}

Task<Status> MakePool(Runtime& rt, std::unique_ptr<rpc::ClientPool>* pool) {
  *pool = std::make_unique<rpc::ClientPool>(rt, rpc::RpcOptions{}, "bench-secret");
  co_return Status();
}

Task<Status> DropPool(std::unique_ptr<rpc::ClientPool>* pool) {
  pool->reset();
  co_return Status();
}

struct Figures {
  double small1_ops = 0, small64_ops = 0, bulk_gbps = 0;
};

Figures MeasureChainfs(double seconds) {
  RealRuntime rt(2);
  BenchHandler handler;
  std::unique_ptr<rpc::Server> server;
  std::unique_ptr<rpc::ClientPool> pool;
  CHECK(rt.RunSync(0, StartServer(rt.worker(0), &server, &handler)).ok());
  CHECK(rt.RunSync(1, MakePool(rt.worker(1), &pool)).ok());
  BenchService::Client stub(rpc::Channel{pool.get(), server->address()});
  Figures f;
  (void)rt.RunSync(1, RunLoops(rt.worker(1), stub, 1, false, 0.2));  // connect and warm up
  f.small1_ops = rt.RunSync(1, RunLoops(rt.worker(1), stub, 1, false, seconds)) / seconds;
  f.small64_ops = rt.RunSync(1, RunLoops(rt.worker(1), stub, 64, false, seconds)) / seconds;
  uint64_t n = rt.RunSync(1, RunLoops(rt.worker(1), stub, kBulkInflight, true, seconds));
  f.bulk_gbps = n * double(kBulkBytes) / seconds / 1e9;
  CHECK(rt.RunSync(1, DropPool(&pool)).ok());
  CHECK(rt.RunSync(0, StopServer(&server)).ok());
  return f;
}

// ---- plain asio baseline ----

using asio::ip::tcp;
constexpr auto kTuple = asio::experimental::as_tuple(asio::use_awaitable);
constexpr size_t kSmallBytes = 16;

// Echoes whatever arrives: as many small messages per read as the client has in flight.
asio::awaitable<void> EchoSession(tcp::socket s) {
  std::vector<char> buf(64 << 10);
  while (true) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), kTuple);
    if (ec) co_return;
    auto [wec, w] = co_await asio::async_write(s, asio::buffer(buf.data(), n), kTuple);
    if (wec) co_return;
  }
}

// Reads length-prefixed bulk messages whole and acknowledges each with 8 bytes.
asio::awaitable<void> BulkSession(tcp::socket s) {
  std::vector<char> buf(kBulkBytes);
  while (true) {
    uint64_t len = 0;
    auto [ec, n] = co_await asio::async_read(s, asio::buffer(&len, 8), kTuple);
    if (ec || len > buf.size()) co_return;
    auto [ec2, n2] = co_await asio::async_read(s, asio::buffer(buf.data(), len), kTuple);
    if (ec2) co_return;
    auto [wec, w] = co_await asio::async_write(s, asio::buffer(&len, 8), kTuple);
    if (wec) co_return;
  }
}

asio::awaitable<void> Acceptor(tcp::acceptor* a, bool bulk) {
  while (true) {
    auto [ec, s] = co_await a->async_accept(kTuple);
    if (ec) co_return;
    asio::co_spawn(a->get_executor(), bulk ? BulkSession(std::move(s)) : EchoSession(std::move(s)),
                   asio::detached);
  }
}

// Keeps `inflight` small messages outstanding: one coroutine writes while another reads.
asio::awaitable<void> SmallWriter(tcp::socket* s, int inflight, std::atomic<uint64_t>* sent,
                                  std::atomic<uint64_t>* received, Clock::time_point end) {
  char msg[kSmallBytes] = {};
  std::vector<char> batch;
  while (Clock::now() < end) {
    uint64_t room = inflight - (sent->load() - received->load());
    if (room == 0) {
      asio::steady_timer t(s->get_executor(), std::chrono::microseconds(0));
      co_await t.async_wait(asio::use_awaitable);
      continue;
    }
    batch.clear();
    for (uint64_t i = 0; i < room; ++i) batch.insert(batch.end(), msg, msg + kSmallBytes);
    *sent += room;
    auto [ec, n] = co_await asio::async_write(*s, asio::buffer(batch), kTuple);
    if (ec) co_return;
  }
}

asio::awaitable<uint64_t> SmallClient(tcp::endpoint ep, int inflight, double seconds) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket s(ex);
  co_await s.async_connect(ep, asio::use_awaitable);
  s.set_option(tcp::no_delay(true));
  std::atomic<uint64_t> sent{0}, received{0};
  auto end = Clock::now() +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  asio::co_spawn(ex, SmallWriter(&s, inflight, &sent, &received, end), asio::detached);
  std::vector<char> buf(64 << 10);
  size_t bytes = 0;
  while (Clock::now() < end || received < sent) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), kTuple);
    if (ec) break;
    bytes += n;
    received = bytes / kSmallBytes;
  }
  co_return received.load();
}

asio::awaitable<uint64_t> BulkClient(tcp::endpoint ep, double seconds) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket s(ex);
  co_await s.async_connect(ep, asio::use_awaitable);
  s.set_option(tcp::no_delay(true));
  std::vector<char> payload(kBulkBytes, 'x');
  uint64_t len = kBulkBytes, done = 0;
  auto end = Clock::now() +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  // Pipelined like the chainfs figure: kBulkInflight messages ahead of their acknowledgements.
  int outstanding = 0;
  while (Clock::now() < end || outstanding > 0) {
    while (outstanding < kBulkInflight && Clock::now() < end) {
      std::array<asio::const_buffer, 2> bufs = {asio::buffer(&len, 8), asio::buffer(payload)};
      co_await asio::async_write(s, bufs, asio::use_awaitable);
      ++outstanding;
    }
    uint64_t ack = 0;
    co_await asio::async_read(s, asio::buffer(&ack, 8), asio::use_awaitable);
    --outstanding;
    ++done;
  }
  co_return done;
}

template <typename T>
T RunBaseline(bool bulk, asio::awaitable<T> (*client)(tcp::endpoint, int, double), int inflight,
              double seconds) {
  asio::io_context server_io(1), client_io(1);
  tcp::acceptor acceptor(server_io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(server_io, Acceptor(&acceptor, bulk), asio::detached);
  std::thread server([&] { server_io.run(); });
  auto fut = asio::co_spawn(client_io, client(acceptor.local_endpoint(), inflight, seconds),
                            asio::use_future);
  client_io.run();
  T result = fut.get();
  server_io.stop();
  server.join();
  return result;
}

asio::awaitable<uint64_t> BulkClientAdapter(tcp::endpoint ep, int, double seconds) {
  return BulkClient(ep, seconds);
}

Figures MeasureBaseline(double seconds) {
  Figures f;
  f.small1_ops = RunBaseline<uint64_t>(false, SmallClient, 1, seconds) / seconds;
  f.small64_ops = RunBaseline<uint64_t>(false, SmallClient, 64, seconds) / seconds;
  uint64_t n = RunBaseline<uint64_t>(true, BulkClientAdapter, kBulkInflight, seconds);
  f.bulk_gbps = n * double(kBulkBytes) / seconds / 1e9;
  return f;
}

}  // namespace
}  // namespace chainfs::bench

int main(int argc, char** argv) {
  using namespace chainfs::bench;
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;
  if (!(seconds > 0 && seconds <= 60)) {
    fmt::print(stderr, "usage: rpc_bench [seconds_per_figure in (0, 60]]\n");
    return 2;
  }
  // CHAINFS_BENCH_ONLY=chainfs|baseline runs one side alone (for profiling).
  const char* only = std::getenv("CHAINFS_BENCH_ONLY");
  std::string_view which = only ? only : "";
  Figures base = which == "chainfs" ? Figures{1, 1, 1} : MeasureBaseline(seconds);
  Figures ours = which == "baseline" ? Figures{1, 1, 1} : MeasureChainfs(seconds);
  fmt::print("{:<34}{:>14}{:>14}{:>8}\n", "figure", "chainfs", "asio echo", "ratio");
  auto row = [](const char* name, double a, double b, const char* fmt_spec) {
    fmt::print("{:<34}{:>14}{:>14}{:>8.2f}\n", name, fmt::format(fmt::runtime(fmt_spec), a),
               fmt::format(fmt::runtime(fmt_spec), b), b > 0 ? a / b : 0);
  };
  row("small ops/s, 1 in flight", ours.small1_ops, base.small1_ops, "{:.0f}");
  row("small ops/s, 64 in flight", ours.small64_ops, base.small64_ops, "{:.0f}");
  row("bulk GB/s, 1 MiB x 4 in flight", ours.bulk_gbps, base.bulk_gbps, "{:.2f}");
  fmt::print("RESULT small_ratio={:.2f} bulk_ratio={:.2f}\n", ours.small64_ops / base.small64_ops,
             ours.bulk_gbps / base.bulk_gbps);
  return 0;
}
