#include "mgmtd/mgmtd.h"

#include <gtest/gtest.h>

#include "kv/mem/mem_engine.h"
#include "mgmtd/mgmtd_client.h"
#include "mgmtd/mgmtd_store.h"
#include "rpc/server.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::mgmtd {
namespace {

using namespace std::chrono_literals;

TEST(MgmtdStoreTest, AnOldPrimaryCannotWriteAfterLosingTheLease) {
  SimWorld world(5);
  SimNetwork net(world, {});
  SimNode a_node(world, net, "a"), b_node(world, net, "b");
  kv::MemEngine engine;
  MgmtdStore a(engine, a_node, 1, "a:1"), b(engine, b_node, 2, "b:1");
  EXPECT_TRUE(**RunSimTask(world, a.AcquireLease(10s)));
  EXPECT_FALSE(**RunSimTask(world, b.AcquireLease(10s)));
  RoutingInfo routing;
  routing.version = 7;
  EXPECT_TRUE(RunSimTask(world, a.Save(routing))->ok());
  world.RunFor(11s);  // a stalls past its lease
  EXPECT_TRUE(**RunSimTask(world, b.AcquireLease(10s)));
  routing.version = 8;
  EXPECT_EQ(RunSimTask(world, a.Save(routing))->code(), StatusCode::kUnavailable);
  EXPECT_EQ((*RunSimTask(world, b.Load()))->version, 7u);
  EXPECT_FALSE(**RunSimTask(world, a.AcquireLease(10s)));
}

// Two cluster managers over one store: the standby takes over when the primary dies.
TEST(MgmtdTest, StandbyTakesOverFromADeadPrimary) {
  SimWorld world(6);
  SimNetwork net(world, {});
  SimNode a_node(world, net, "a"), b_node(world, net, "b"), c_node(world, net, "c");
  kv::MemEngine engine;
  MgmtdOptions options;
  auto a = std::make_unique<Mgmtd>(a_node, engine, 1, "a:8000", options);
  Mgmtd b(b_node, engine, 2, "b:8000", options);
  rpc::Server a_server(a_node, rpc::RpcOptions{}, "s"), b_server(b_node, rpc::RpcOptions{}, "s");
  MgmtdService::Register(a_server.dispatcher(), *a);
  MgmtdService::Register(b_server.dispatcher(), b);
  ASSERT_TRUE(a_server.Start({"a", 8000}).ok());
  ASSERT_TRUE(b_server.Start({"b", 8000}).ok());
  a->Start();
  world.RunFor(1s);
  b.Start();
  world.RunFor(1s);
  ASSERT_TRUE(a->primary());
  ASSERT_FALSE(b.primary());

  rpc::ClientPool pool(c_node, rpc::RpcOptions{}, "s");
  MgmtdClient client(pool, {Address{"b", 8000}, Address{"a", 8000}});
  HeartbeatReq hb;
  hb.node = NodeId(5);
  hb.address = "x:1";
  hb.incarnation = 1;
  auto rsp = RunSimTask(world, client.Heartbeat(hb));
  ASSERT_TRUE(rsp->ok()) << rsp->status().ToString();  // b said no, a said yes
  EXPECT_EQ((*rsp)->routing_version, 1u);

  // a dies without giving up its lease; b waits it out and takes over with a's state.
  a_server.Stop();
  net.KillNode("a");
  a->Abandon();
  world.RunFor(5s);
  EXPECT_FALSE(b.primary());  // a's lease still runs
  world.RunFor(8s);
  EXPECT_TRUE(b.primary());
  EXPECT_EQ(b.routing().nodes.count(NodeId(5)), 1u);
  rsp = RunSimTask(world, client.Heartbeat(hb));
  ASSERT_TRUE(rsp->ok()) << rsp->status().ToString();
  b.Stop();
  pool.CloseAll();
  world.RunFor(3s);
  world.Shutdown();
}

}  // namespace
}  // namespace chainfs::mgmtd
