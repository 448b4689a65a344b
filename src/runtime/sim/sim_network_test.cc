#include "runtime/sim/sim_network.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs {
namespace {

struct Cluster {
  explicit Cluster(uint64_t seed, SimNetworkOptions opt = {}) : world(seed), net(world, opt) {
    for (const char* n : {"a", "b", "c"}) {
      nodes.push_back(std::make_unique<SimNode>(world, net, n));
    }
  }
  ~Cluster() { world.Shutdown(); }
  SimWorld world;
  SimNetwork net;
  std::vector<std::unique_ptr<SimNode>> nodes;
};

// Echoes every message it receives until the stream breaks.
Task<void> EchoOne(std::unique_ptr<Stream> s) {
  char buf[256];
  while (true) {
    Result<size_t> n = co_await s->ReadSome(buf);
    if (!n.ok()) co_return;
    std::span<const char> piece(buf, *n);
    if (!(co_await s->WriteAll({&piece, 1})).ok()) co_return;
  }
}

Task<void> EchoServer(Runtime& rt, std::shared_ptr<Listener> listener) {
  while (true) {
    auto s = co_await listener->Accept();
    if (!s.ok()) co_return;
    rt.Spawn(EchoOne(std::move(*s)), "echo");
  }
}

// Sends `rounds` messages to `to`, reconnecting after failures; returns the count echoed.
Task<int> PingClient(Runtime& rt, Address to, int rounds) {
  int ok = 0;
  std::unique_ptr<Stream> s;
  for (int i = 0; i < rounds; ++i) {
    co_await rt.clock().Sleep(Nanos(rt.random().Between(1'000, 2'000'000)));
    if (!s) {
      auto c = co_await rt.network().Connect(to);
      if (!c.ok()) continue;
      s = std::move(*c);
    }
    std::string msg = fmt::format("{}-{}", rt.name(), i);
    std::span<const char> piece(msg);
    std::string back(msg.size(), '\0');
    Status st = co_await s->WriteAll({&piece, 1});
    if (st.ok()) st = co_await ReadExact(*s, back);
    if (!st.ok() || back != msg) {
      s.reset();
      continue;
    }
    ++ok;
  }
  co_return ok;
}

TEST(SimNetworkTest, EchoesAcrossNodes) {
  Cluster c(7);
  auto listener = c.nodes[1]->network().Listen({"b", 9000});
  ASSERT_TRUE(listener.ok());
  c.nodes[1]->Spawn(EchoServer(*c.nodes[1], std::move(*listener)), "server");
  auto ok = RunSimTask(c.world, PingClient(*c.nodes[0], {"b", 9000}, 20));
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 20);
}

TEST(SimNetworkTest, ConnectToMissingListenerIsRefused) {
  Cluster c(7);
  auto r = RunSimTask(c.world, c.nodes[0]->network().Connect({"b", 1}));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r->status().message().find("refused"), std::string_view::npos);
}

TEST(SimNetworkTest, PartitionTimesOutConnectsAndResetsStreams) {
  Cluster c(7);
  auto listener = c.nodes[1]->network().Listen({"b", 9000});
  c.nodes[1]->Spawn(EchoServer(*c.nodes[1], std::move(*listener)), "server");
  c.net.Partition("a", "b");
  auto r = RunSimTask(c.world, c.nodes[0]->network().Connect({"b", 9000}));
  EXPECT_EQ(r->status().message(), "connect to b:9000: timed out");
  auto ok = RunSimTask(c.world, PingClient(*c.nodes[0], {"b", 9000}, 3));
  EXPECT_EQ(*ok, 0);
  c.net.HealAll();
  ok = RunSimTask(c.world, PingClient(*c.nodes[0], {"b", 9000}, 3));
  EXPECT_EQ(*ok, 3);
}

TEST(SimNetworkTest, KilledNodeResetsItsStreams) {
  Cluster c(7);
  auto listener = c.nodes[1]->network().Listen({"b", 9000});
  c.nodes[1]->Spawn(EchoServer(*c.nodes[1], std::move(*listener)), "server");
  auto s = RunSimTask(c.world, c.nodes[0]->network().Connect({"b", 9000}));
  ASSERT_TRUE(s->ok());
  c.net.KillNode("b");
  char buf[4];
  auto r = RunSimTask(c.world, (**s)->ReadSome(buf));
  EXPECT_EQ(r->status().code(), StatusCode::kUnavailable);
}

// Three nodes ping each other in a ring through loss, partitions and disk writes; returns the
// world's trace.
std::vector<std::string> RunScenario(uint64_t seed) {
  Cluster c(seed, SimNetworkOptions{.loss_probability = 0.02});
  for (int i = 0; i < 3; ++i) {
    std::string host = c.nodes[i]->name();
    auto listener = c.nodes[i]->network().Listen({host, 9000});
    c.nodes[i]->Spawn(EchoServer(*c.nodes[i], std::move(*listener)), "server");
  }
  int finished = 0;
  for (int i = 0; i < 3; ++i) {
    Address peer{c.nodes[(i + 1) % 3]->name(), 9000};
    asio::co_spawn(c.world.executor(), PingClient(*c.nodes[i], peer, 40),
                   [&](std::exception_ptr, int) { ++finished; });
  }
  c.world.Schedule(Nanos(5'000'000), [&] { c.net.Partition("a", "b"); });
  c.world.Schedule(Nanos(30'000'000), [&] { c.net.HealAll(); });
  c.world.RunUntil([&] { return finished == 3; }, Nanos(600s));
  EXPECT_EQ(finished, 3);
  return c.world.trace();
}

TEST(SimNetworkTest, SameSeedSameTrace) {
  std::vector<std::string> first = RunScenario(42);
  std::vector<std::string> second = RunScenario(42);
  EXPECT_GT(first.size(), 100u);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, RunScenario(43));
}

}  // namespace
}  // namespace chainfs
