// mgmtd and three storage servers as real processes on loopback: a stream of chunk writes goes
// on while one storage process is killed with SIGKILL and later restarted; when its target
// serves again, every byte of every chunk must be the same on every replica.
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "client/storage_client.h"
#include "mgmtd/routing_follower.h"
#include "process.h"
#include "runtime/real/real_runtime.h"
#include "storage/service/storage_service.h"

namespace chainfs::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr char kSecret[] = "real-cluster-test";
constexpr uint32_t kChunkBytes = 256 << 10;
constexpr InodeId kInode{7};
constexpr int kChunks = 60;

std::string Content(uint64_t index, uint64_t generation) {
  std::string s(kChunkBytes - index * 1000, '\0');
  for (size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>((i * 31 + index * 7 + generation) % 251);
  return s;
}

class RealCluster {
 public:
  RealCluster() : dir_(fs::temp_directory_path() / fmt::format("chainfs-real-{}", ::getpid())) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    bin_ = std::getenv("CHAINFS_BIN") ? std::getenv("CHAINFS_BIN") : "build/src/cli/chainfs";
    mgmtd_port_ = FreePort();
    for (int i = 0; i < 3; ++i) storage_ports_[i] = FreePort();
  }
  ~RealCluster() {
    for (auto& p : storage_) p.Kill(SIGKILL);
    mgmtd_.Kill(SIGTERM);
    if (::testing::Test::HasFailure()) {
      fmt::print("logs kept in {}\n", dir_.string());
    } else {
      fs::remove_all(dir_);
    }
  }

  std::string mgmtd_address() const { return fmt::format("127.0.0.1:{}", mgmtd_port_); }

  bool StartMgmtd() {
    return mgmtd_.Start({bin_, "mgmtd", "--set", "mgmtd.listen=" + mgmtd_address(), "--set",
                         std::string("cluster.secret=") + kSecret, "--set",
                         "kv.rocksdb_path=" + (dir_ / "mgmtd").string(), "--set",
                         "mgmtd.heartbeat_timeout_ms=3000"},
                        (dir_ / "mgmtd.log").string());
  }

  bool StartStorage(int i) {
    fs::path target = dir_ / fmt::format("s{}", i + 1);
    fs::create_directories(target);
    return storage_[i].Start(
        {bin_, "storage", "--set", fmt::format("storage.listen=127.0.0.1:{}", storage_ports_[i]),
         "--set", fmt::format("storage.node_id={}", i + 1), "--set",
         fmt::format("storage.targets={}={}", (i + 1) * 10 + 1, target.string()), "--set",
         "cluster.mgmtd=" + mgmtd_address(), "--set", std::string("cluster.secret=") + kSecret,
         "--set", "storage.heartbeat_ms=300", "--set", "storage.serve_lease_ms=2000"},
        (dir_ / fmt::format("storage{}.log", i + 1)).string());
  }

  void KillStorage(int i) { storage_[i].Kill(SIGKILL); }

 private:
  fs::path dir_;
  std::string bin_;
  int mgmtd_port_ = 0;
  int storage_ports_[3] = {};
  Process mgmtd_;
  Process storage_[3];
};

struct Env {
  Runtime* rt;
  RealCluster* cluster;
  rpc::ClientPool* pool;
  mgmtd::MgmtdClient* mgmtd;
  mgmtd::RoutingFollower* follower;
  client::StorageClient* storage;
  std::map<uint64_t, std::string> expected;
  ChainId chain;
};

// Waits until `done` holds for the routing, at most `limit`.
template <typename Pred>
Task<Status> WaitRouting(Env* env, Pred done, Nanos limit, const char* what) {
  Nanos deadline = env->rt->clock().Now() + limit;
  while (env->rt->clock().Now() < deadline) {
    auto routing = env->follower->current();
    if (done(*routing)) co_return Status();
    co_await env->follower->WaitNewer(routing->version, env->rt->clock().Now() + Nanos(500ms));
  }
  co_return Internal(fmt::format("timed out waiting until {}", what));
}

Task<Status> WriteChunk(Env* env, uint64_t index, uint64_t generation) {
  std::string data = Content(index, generation);
  storage::ChunkUpdate u;
  u.chunk = ChunkId{kInode, index};
  u.kind = storage::UpdateKind::kWrite;
  u.chunk_size_bytes = kChunkBytes;
  u.length = static_cast<uint32_t>(data.size());
  Result<storage::WriteRsp> rsp = co_await env->storage->Update(env->chain, u, data);
  if (!rsp.ok()) co_return rsp.status();
  env->expected[index] = std::move(data);
  co_return Status();
}

// Reads `index` from `target` alone and compares it with what was written.
Task<Status> VerifyReplica(Env* env, const mgmtd::Chain& chain, TargetId target, uint64_t index) {
  auto routing = env->follower->current();
  CO_ASSIGN_OR_RETURN(Address address, routing->AddressOf(target));
  storage::ReadReq req;
  req.ref = storage::ChainRef{chain.id, chain.version, target};
  req.chunk = ChunkId{kInode, index};
  req.length = kChunkBytes;
  std::string out(kChunkBytes, '\0');
  size_t got = 0;
  rpc::CallOptions options{.response_bulk = out, .response_bulk_len = &got};
  storage::StorageService::Client client(rpc::Channel{env->pool, address});
  Result<storage::ReadRsp> rsp = co_await client.Read(std::move(req), options);
  if (!rsp.ok()) co_return rsp.status();
  out.resize(got);
  if (out != env->expected[index]) {
    co_return Internal(fmt::format("chunk {} on target {}: {} bytes differ from the {} written",
                                   index, target, got, env->expected[index].size()));
  }
  co_return Status();
}

// A storage server learns the routing from its own follower, possibly after this client did:
// a stale-routing answer is asked again, for at most 10 s.
Task<Status> VerifyReplicaSettled(Env* env, const mgmtd::Chain& chain, TargetId target,
                                  uint64_t index) {
  for (int attempt = 0;; ++attempt) {
    Status st = co_await VerifyReplica(env, chain, target, index);
    if (st.code() != StatusCode::kStaleRouting || attempt >= 200) co_return st;
    co_await env->rt->clock().Sleep(Nanos(50'000'000));
  }
}

bool AllServing(const mgmtd::RoutingInfo& r) {
  if (r.chains.empty()) return false;
  for (const auto& [id, c] : r.chains) {
    for (const auto& t : c.targets) {
      if (t.state != mgmtd::PublicState::kServing) return false;
    }
  }
  return true;
}

Task<Status> Scenario(Env* env) {
  CO_RETURN_IF_ERROR(co_await WaitRouting(
      env, [](const mgmtd::RoutingInfo& r) { return r.targets.size() == 3; }, Nanos(30s),
      "three targets registered"));
  mgmtd::CreateChainsReq create;
  create.replicas = 3;
  CO_ASSIGN_OR_RETURN(mgmtd::RoutingRsp created,
                      co_await env->mgmtd->CreateChains(std::move(create)));
  env->chain = created.routing.chains.begin()->first;
  CO_RETURN_IF_ERROR(co_await WaitRouting(env, AllServing, Nanos(30s), "the chain serves"));
  for (int i = 0; i < 20; ++i) CO_RETURN_IF_ERROR(co_await WriteChunk(env, i, 1));
  env->cluster->KillStorage(1);
  // Overwrites and new chunks while the killed replica is gone (writes wait out the failure).
  for (int i = 10; i < 40; ++i) CO_RETURN_IF_ERROR(co_await WriteChunk(env, i, 2));
  if (!env->cluster->StartStorage(1)) co_return Internal("cannot restart storage 2");
  for (int i = 40; i < kChunks; ++i) CO_RETURN_IF_ERROR(co_await WriteChunk(env, i, 3));
  CO_RETURN_IF_ERROR(co_await WaitRouting(env, AllServing, Nanos(60s), "target 21 serves again"));
  auto routing = env->follower->current();
  const mgmtd::Chain& chain = routing->chains.at(env->chain);
  for (const mgmtd::ChainTarget& t : chain.targets) {
    for (int i = 0; i < kChunks; ++i)
      CO_RETURN_IF_ERROR(co_await VerifyReplicaSettled(env, chain, t.target, i));
  }
  env->pool->CloseAll();
  co_return Status();
}

TEST(RealClusterTest, KilledStorageProcessSyncsBackAndEveryReplicaMatches) {
  RealCluster cluster;
  ASSERT_TRUE(cluster.StartMgmtd());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cluster.StartStorage(i));
  RealRuntime rt(1);
  rpc::ClientPool pool(rt.worker(0), rpc::RpcOptions{}, kSecret, "test");
  mgmtd::MgmtdClient mgmtd(pool, {*Address::Parse(cluster.mgmtd_address())});
  mgmtd::RoutingFollower follower(rt.worker(0), mgmtd);
  client::StorageClientOptions options;
  options.client_id = 42;
  client::StorageClient storage(rt.worker(0), pool, follower, options);
  follower.Start();
  Env env{&rt.worker(0), &cluster, &pool, &mgmtd, &follower, &storage, {}, ChainId(0)};
  Status st = rt.RunSync(0, Scenario(&env));
  EXPECT_TRUE(st.ok()) << st.ToString();
  follower.Stop();
  rt.Stop();
}

}  // namespace
}  // namespace chainfs::testing
