#include "cluster_sim.h"

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>
#include <memory>

#include "client/storage_client.h"
#include "history.h"
#include "kv/mem/mem_engine.h"
#include "meta/gc/storage_chunk_remover.h"
#include "mgmtd/mgmtd.h"
#include "mgmtd/routing_follower.h"
#include "rpc/server.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"
#include "storage/server/storage_node.h"
#include "storage/service/storage_service.h"

namespace chainfs::sim {
namespace {

using namespace std::chrono_literals;

constexpr char kSecret[] = "simulation";
constexpr uint32_t kChunkBytes = 64 << 10;
constexpr uint32_t kValueBytes = 4096;
constexpr InodeId kInode{100};
const Address kMgmtdAddress{"m", 8000};

std::string Value(uint64_t id) {
  std::string v(kValueBytes, '\0');
  for (size_t at = 0; at < v.size(); at += 8) std::memcpy(v.data() + at, &id, 8);
  return v;
}

// The id a value holds; 0 for an empty chunk, and UINT64_MAX for bytes no write produced.
uint64_t IdOf(std::span<const char> bytes) {
  if (bytes.empty()) return 0;
  uint64_t id = 0;
  if (bytes.size() != kValueBytes) return UINT64_MAX;
  std::memcpy(&id, bytes.data(), 8);
  return std::string(bytes.begin(), bytes.end()) == Value(id) ? id : UINT64_MAX;
}

struct StorageSlot {
  std::unique_ptr<SimNode> node;
  NodeId id;
  std::vector<std::unique_ptr<kv::MemEngine>> stores;
  std::vector<TargetId> targets;
  std::unique_ptr<storage::StorageNode> running;
  bool starting = false;
};

struct ClientSlot {
  std::unique_ptr<SimNode> node;
  std::unique_ptr<rpc::ClientPool> pool;
  std::unique_ptr<mgmtd::MgmtdClient> mgmtd;
  std::unique_ptr<mgmtd::RoutingFollower> follower;
  std::unique_ptr<client::StorageClient> storage;
};

class ClusterSim {
 public:
  ClusterSim(uint64_t seed, SimConfig config)
      : config_(config), world_(seed), net_(world_, {}), mgmtd_node_(world_, net_, "m") {
    world_.set_tracing(std::getenv("CHAINFS_SIM_TRACE") != nullptr);
  }
  ~ClusterSim() {
    for (auto& c : clients_) {
      c.follower->Stop();
      c.pool->CloseAll();
    }
    for (auto& s : storage_) {
      if (s.running) s.running->Stop();
    }
    if (mgmtd_) mgmtd_->Stop();
    world_.Shutdown();
  }

  SimOutcome Run();

 private:
  void StartMgmtd();
  Task<void> StartStorage(size_t i);
  void CrashStorage(size_t i);
  Task<void> RestartLater(size_t i, Nanos delay);
  Task<void> HealLater(std::string a, std::string b, Nanos delay);
  Task<void> ClearNetworkLossLater(Nanos delay);
  Task<void> ClearDiskErrorsLater(size_t i, Nanos delay);
  Task<void> FreeDiskLater(size_t i, Nanos delay);
  Task<void> FaultLoop();
  void InjectFault();
  void StartClients();
  Task<void> ClientLoop(size_t i);
  Task<void> ClientWrite(ClientSlot& c, uint64_t chunk, uint64_t id);
  Task<void> ClientRead(ClientSlot& c, uint64_t chunk);
  Task<void> ClientReadAnyReplica(ClientSlot& c, uint64_t chunk);
  // Several chunks in one ReadBatch; each read is checked like a single one.
  Task<void> ClientBatchRead(ClientSlot& c);
  void StopFaults();
  bool Settled();
  // The GC's way of removing a file's chunks leaves none on any replica.
  std::vector<std::string> CheckRemoval();
  Task<std::vector<std::string>> CheckChunkReplicas(uint64_t chunk);
  ChainId ChainOf(uint64_t chunk) const { return ChainId(chunk % chains_ + 1); }
  Nanos now() const { return world_.now(); }

  SimConfig config_;
  SimWorld world_;
  SimNetwork net_;
  SimNode mgmtd_node_;
  kv::MemEngine mgmtd_store_;
  std::unique_ptr<mgmtd::Mgmtd> mgmtd_;
  std::unique_ptr<rpc::Server> mgmtd_server_;
  std::vector<StorageSlot> storage_;
  std::vector<std::unique_ptr<storage::StorageNode>> graveyard_;
  std::vector<ClientSlot> clients_;
  History history_;
  uint64_t chains_ = 1;
  bool faults_on_ = false;
  Nanos workload_end_{0};
  int clients_running_ = 0;
  size_t failed_writes_ = 0;
  size_t faults_ = 0;
};

void ClusterSim::StartMgmtd() {
  mgmtd::MgmtdOptions options;
  mgmtd_ = std::make_unique<mgmtd::Mgmtd>(mgmtd_node_, mgmtd_store_, 1, kMgmtdAddress.ToString(),
                                          options);
  mgmtd_server_ = std::make_unique<rpc::Server>(mgmtd_node_, rpc::RpcOptions{}, kSecret);
  mgmtd::MgmtdService::Register(mgmtd_server_->dispatcher(), *mgmtd_);
  CHECK(mgmtd_server_->Start(kMgmtdAddress).ok());
  mgmtd_->Start();
}

Task<void> ClusterSim::StartStorage(size_t i) {
  StorageSlot& s = storage_[i];
  if (s.running || s.starting) co_return;
  world_.Trace(fmt::format("storage {} starting", s.id));
  s.starting = true;
  storage::StorageNodeOptions options;
  options.node = s.id;
  options.listen = Address{s.node->name(), 9000};
  options.mgmtd = {kMgmtdAddress};
  options.secret = kSecret;
  std::vector<storage::TargetSpec> specs;
  for (size_t t = 0; t < s.targets.size(); ++t) {
    specs.push_back(storage::TargetSpec{s.targets[t], fmt::format("t{}/blobs", s.targets[t]),
                                        s.stores[t].get()});
  }
  s.node->sim_disk().set_failed(false);
  s.node->sim_disk().options().error_probability = 0;
  auto started = co_await storage::StorageNode::Start(*s.node, options, std::move(specs));
  s.starting = false;
  world_.Trace(fmt::format("storage {} started: {}", s.id, started.status().ToString()));
  if (started.ok()) {
    s.running = std::move(*started);
  } else {
    world_.Trace(fmt::format("storage {} failed to start: {}", s.id, started.status().ToString()));
  }
}

void ClusterSim::CrashStorage(size_t i) {
  StorageSlot& s = storage_[i];
  world_.Trace(fmt::format("storage {} crash (running: {})", s.id, s.running != nullptr));
  if (!s.running) return;
  s.running->Stop();
  graveyard_.push_back(std::move(s.running));
  net_.KillNode(s.node->name());
  s.node->sim_disk().Crash();
}

Task<void> ClusterSim::RestartLater(size_t i, Nanos delay) {
  SimClock clock(world_);
  co_await clock.Sleep(delay);
  co_await StartStorage(i);
}

Task<void> ClusterSim::HealLater(std::string a, std::string b, Nanos delay) {
  SimClock clock(world_);
  co_await clock.Sleep(delay);
  net_.Heal(a, b);
}

Task<void> ClusterSim::ClearNetworkLossLater(Nanos delay) {
  SimClock clock(world_);
  co_await clock.Sleep(delay);
  net_.options().loss_probability = 0;
  net_.options().max_latency = SimNetworkOptions{}.max_latency;
}

Task<void> ClusterSim::ClearDiskErrorsLater(size_t i, Nanos delay) {
  SimClock clock(world_);
  co_await clock.Sleep(delay);
  // Once faults stop, StopFaults() has done this already.
  if (!faults_on_) co_return;
  storage_[i].node->sim_disk().options().error_probability = 0;
  // A disk error took targets offline; the operator replaces the disk: a restart.
  CrashStorage(i);
  co_await clock.Sleep(delay);
  co_await StartStorage(i);
}

Task<void> ClusterSim::FreeDiskLater(size_t i, Nanos delay) {
  SimClock clock(world_);
  co_await clock.Sleep(delay);
  // No restart: targets that left their chains for want of room rejoin by themselves.
  world_.Trace(fmt::format("fault over: disk of {} has room", storage_[i].node->name()));
  storage_[i].node->sim_disk().set_full(false);
}

void ClusterSim::InjectFault() {
  Random& rnd = world_.random();
  size_t victim = rnd.Uniform(storage_.size());
  std::string name = storage_[victim].node->name();
  Nanos delay(static_cast<int64_t>(rnd.Between(500, 8000)) * 1'000'000);
  ++faults_;
  switch (rnd.Uniform(6)) {
    case 0: {
      size_t down = 0;
      for (auto& s : storage_) down += s.running ? 0 : 1;
      if (down > 0) return;
      world_.Trace(fmt::format("fault: crash {}", name));
      CrashStorage(victim);
      Spawn(world_.executor(), RestartLater(victim, delay), "restart");
      return;
    }
    case 1: {
      std::vector<std::string> names{"m"};
      for (auto& s : storage_) names.push_back(s.node->name());
      for (auto& c : clients_) names.push_back(c.node->name());
      std::string a = names[rnd.Uniform(names.size())], b = names[rnd.Uniform(names.size())];
      if (a == b) return;
      world_.Trace(fmt::format("fault: partition {} {}", a, b));
      net_.Partition(a, b);
      Spawn(world_.executor(), HealLater(a, b, delay), "heal");
      return;
    }
    case 2:
      net_.options().loss_probability = 0.02;
      Spawn(world_.executor(), ClearNetworkLossLater(delay), "loss");
      return;
    case 3:
      if (!storage_[victim].running) return;
      storage_[victim].node->sim_disk().options().error_probability = 0.01;
      Spawn(world_.executor(), ClearDiskErrorsLater(victim, delay), "disk errors");
      return;
    case 4:
      if (!storage_[victim].running) return;
      world_.Trace(fmt::format("fault: disk of {} full", name));
      // Every write refused, as on a full copy-on-write file system: the workload's chunks are
      // few and rewritten in place, so refusing only growth would refuse nothing.
      storage_[victim].node->sim_disk().set_full(true, /*overwrites_too=*/true);
      Spawn(world_.executor(), FreeDiskLater(victim, delay), "disk full");
      return;
    default:
      world_.Trace("fault: slow network");
      net_.options().max_latency = Nanos(20'000'000);
      Spawn(world_.executor(), ClearNetworkLossLater(delay), "slow network");
      return;
  }
}

Task<void> ClusterSim::FaultLoop() {
  SimClock clock(world_);
  while (faults_on_) {
    co_await clock.Sleep(
        Nanos(static_cast<int64_t>(world_.random().Between(500, 3000)) * 1'000'000));
    if (!faults_on_) break;
    InjectFault();
  }
}

void ClusterSim::StopFaults() {
  faults_on_ = false;
  net_.HealAll();
  net_.options().loss_probability = 0;
  net_.options().max_latency = SimNetworkOptions{}.max_latency;
  for (size_t i = 0; i < storage_.size(); ++i) {
    storage_[i].node->sim_disk().options().error_probability = 0;
    storage_[i].node->sim_disk().set_full(false);
    bool failed = false;
    if (storage_[i].running) {
      for (const auto& [id, t] : storage_[i].running->replicator().targets()) failed |= t->failed;
    }
    if (failed) CrashStorage(i);
    Spawn(world_.executor(), StartStorage(i), "final start");
  }
}

void ClusterSim::StartClients() {
  for (int i = 0; i < config_.clients; ++i) {
    ClientSlot c;
    c.node = std::make_unique<SimNode>(world_, net_, fmt::format("c{}", i + 1));
    c.pool = std::make_unique<rpc::ClientPool>(*c.node, rpc::RpcOptions{}, kSecret);
    c.mgmtd = std::make_unique<mgmtd::MgmtdClient>(*c.pool, std::vector<Address>{kMgmtdAddress});
    c.follower = std::make_unique<mgmtd::RoutingFollower>(*c.node, *c.mgmtd);
    c.follower->Start();
    client::StorageClientOptions options;
    options.client_id = static_cast<uint64_t>(i + 1);
    c.storage = std::make_unique<client::StorageClient>(*c.node, *c.pool, *c.follower, options);
    clients_.push_back(std::move(c));
  }
  for (size_t i = 0; i < clients_.size(); ++i) {
    ++clients_running_;
    Spawn(world_.executor(), ClientLoop(i), "client");
  }
}

Task<void> ClusterSim::ClientWrite(ClientSlot& c, uint64_t chunk, uint64_t id) {
  storage::ChunkUpdate u;
  u.chunk = ChunkId{kInode, chunk};
  u.kind = storage::UpdateKind::kWrite;
  u.chunk_size_bytes = kChunkBytes;
  u.length = kValueBytes;
  std::string data = Value(id);
  WriteOp op{id, now(), Nanos(0), false, 0};
  Result<storage::WriteRsp> rsp = co_await c.storage->Update(ChainOf(chunk), u, data);
  op.end = now();
  op.acked = rsp.ok();
  if (rsp.ok()) op.version = rsp->version;
  if (!rsp.ok()) ++failed_writes_;
  history_.AddWrite(chunk, op);
}

Task<void> ClusterSim::ClientRead(ClientSlot& c, uint64_t chunk) {
  std::string out(kValueBytes, '\0');
  ReadOp op{now(), Nanos(0), 0, 0};
  ChunkId id{kInode, chunk};
  Result<size_t> n = co_await c.storage->Read(ChainOf(chunk), id, 0, out, &op.version);
  op.end = now();
  if (!n.ok()) co_return;
  op.id = IdOf(std::span<const char>(out).first(*n));
  history_.AddRead(chunk, op);
}

// A read from a serving replica picked at random, past the client library, which reads a chunk
// from one replica of its choice first: every serving replica must answer linearizably, not
// only the one the library prefers.
Task<void> ClusterSim::ClientReadAnyReplica(ClientSlot& c, uint64_t chunk) {
  std::shared_ptr<const mgmtd::RoutingInfo> routing = c.follower->current();
  const mgmtd::Chain* chain = routing->FindChain(ChainOf(chunk));
  if (chain == nullptr) co_return;
  std::vector<TargetId> serving;
  for (const mgmtd::ChainTarget& t : chain->targets) {
    if (t.state == mgmtd::PublicState::kServing) serving.push_back(t.target);
  }
  if (serving.empty()) co_return;
  TargetId target = serving[c.node->random().Uniform(serving.size())];
  Result<Address> address = routing->AddressOf(target);
  if (!address.ok()) co_return;
  storage::ReadReq req;
  req.ref = storage::ChainRef{chain->id, chain->version, target};
  req.chunk = ChunkId{kInode, chunk};
  req.length = kValueBytes;
  std::string out(kValueBytes, '\0');
  size_t got = 0;
  rpc::CallOptions options{.response_bulk = out, .response_bulk_len = &got};
  storage::StorageService::Client client(rpc::Channel{c.pool.get(), *address});
  ReadOp op{now(), Nanos(0), 0, 0};
  Result<storage::ReadRsp> rsp = co_await client.Read(std::move(req), options);
  op.end = now();
  if (!rsp.ok()) co_return;
  op.version = rsp->version;
  op.id = IdOf(std::span<const char>(out).first(got));
  history_.AddRead(chunk, op);
}

Task<void> ClusterSim::ClientBatchRead(ClientSlot& c) {
  size_t n = 1 + c.node->random().Uniform(3);
  std::vector<std::string> buffers(n, std::string(kValueBytes, '\0'));
  std::vector<client::ReadItem> items(n);
  std::vector<uint64_t> chunks(n);
  for (size_t k = 0; k < n; ++k) {
    chunks[k] = c.node->random().Uniform(config_.chunks);
    items[k].chain = ChainOf(chunks[k]);
    items[k].chunk = ChunkId{kInode, chunks[k]};
    items[k].out = buffers[k];
  }
  Nanos start = now();
  Status st = co_await c.storage->ReadBatch(&items);
  if (!st.ok()) co_return;
  for (size_t k = 0; k < n; ++k) {
    if (!items[k].result.ok()) continue;
    ReadOp op{start, now(), IdOf(std::span<const char>(buffers[k]).first(*items[k].result)),
              items[k].version};
    history_.AddRead(chunks[k], op);
  }
}

Task<void> ClusterSim::ClientLoop(size_t i) {
  ClientSlot& c = clients_[i];
  SimClock clock(world_);
  uint64_t writes = 0;
  while (now() < workload_end_) {
    uint64_t chunk = c.node->random().Uniform(config_.chunks);
    double dice = c.node->random().NextDouble();
    if (dice < 0.5) {
      co_await ClientWrite(c, chunk, ((i + 1) << 32) | ++writes);
    } else if (dice < 0.65) {
      co_await ClientRead(c, chunk);
    } else if (dice < 0.8) {
      co_await ClientReadAnyReplica(c, chunk);
    } else {
      co_await ClientBatchRead(c);
    }
    co_await clock.Sleep(Nanos(static_cast<int64_t>(c.node->random().Uniform(50)) * 1'000'000));
  }
  --clients_running_;
}

bool ClusterSim::Settled() {
  if (clients_running_ > 0) return false;
  mgmtd::RoutingInfo routing = mgmtd_->routing();
  for (const auto& [id, chain] : routing.chains) {
    for (const mgmtd::ChainTarget& t : chain.targets) {
      if (t.state != mgmtd::PublicState::kServing) return false;
    }
  }
  for (auto& s : storage_) {
    if (!s.running) return false;
    auto seen = s.running->replicator().routing();
    if (!seen || seen->version != routing.version) return false;
    for (const auto& [id, t] : s.running->replicator().targets()) {
      for (const auto& [chunk, rec] : t->engine->records()) {
        if (rec.pending) return false;
      }
    }
  }
  return true;
}

Task<std::vector<std::string>> ClusterSim::CheckChunkReplicas(uint64_t chunk) {
  std::vector<std::string> bad;
  mgmtd::RoutingInfo routing = mgmtd_->routing();
  const mgmtd::Chain* chain = routing.FindChain(ChainOf(chunk));
  std::optional<ReadOp> first;
  for (const mgmtd::ChainTarget& ct : chain->targets) {
    storage::LocalTarget* local = nullptr;
    for (auto& s : storage_) {
      if (s.running && s.running->replicator().target(ct.target))
        local = s.running->replicator().target(ct.target);
    }
    if (local == nullptr) {
      bad.push_back(fmt::format("chunk {}: target {} is not running", chunk, ct.target));
      continue;
    }
    ReadOp seen;
    const storage::ChunkRecord* rec = local->engine->Find(ChunkId{kInode, chunk});
    seen.version = rec ? rec->committed.version : 0;
    std::string out(kValueBytes, '\0');
    ChunkId id{kInode, chunk};
    Result<size_t> n = co_await local->engine->Read(id, false, 0, out);
    if (!n.ok()) {
      bad.push_back(
          fmt::format("chunk {} on target {}: {}", chunk, ct.target, n.status().ToString()));
      continue;
    }
    seen.id = IdOf(std::span<const char>(out).first(*n));
    if (!first) {
      first = seen;
      for (std::string& v : history_.CheckFinal(chunk, seen)) bad.push_back(std::move(v));
    } else if (first->version != seen.version || first->id != seen.id) {
      bad.push_back(fmt::format(
          "chunk {}: replicas differ: version {} holding {} and version {} holding {} (target {})",
          chunk, first->version, first->id, seen.version, seen.id, ct.target));
    }
  }
  co_return bad;
}

std::vector<std::string> ClusterSim::CheckRemoval() {
  ClientSlot& c = clients_.front();
  meta::StorageChunkRemover remover(*c.storage, *c.follower);
  meta::Layout layout;
  layout.chain_table = 1;
  std::vector<meta::DoomedFile> files{{kInode, layout, 0}};
  auto removed = RunSimTask(world_, remover.RemoveChunks(files), Nanos(120s));
  if (!removed || !removed->at(0).ok()) {
    return {fmt::format("removing the file's chunks failed: {}",
                        removed ? removed->at(0).ToString() : std::string("did not finish"))};
  }
  std::vector<std::string> bad;
  for (auto& s : storage_) {
    if (!s.running) continue;
    for (const auto& [id, t] : s.running->replicator().targets()) {
      auto last = t->engine->LastChunk(kInode);
      if (last)
        bad.push_back(fmt::format("target {} still holds chunk {} after removal", id, last->first));
    }
  }
  return bad;
}

SimOutcome ClusterSim::Run() {
  SimOutcome outcome;
  StartMgmtd();
  for (int n = 0; n < config_.storage_nodes; ++n) {
    StorageSlot s;
    s.node = std::make_unique<SimNode>(world_, net_, fmt::format("s{}", n + 1));
    s.id = NodeId(n + 1);
    for (int t = 0; t < config_.targets_per_node; ++t) {
      s.targets.push_back(TargetId((n + 1) * 10 + t + 1));
      s.stores.push_back(std::make_unique<kv::MemEngine>());
    }
    storage_.push_back(std::move(s));
  }
  for (size_t i = 0; i < storage_.size(); ++i) Spawn(world_.executor(), StartStorage(i), "start");
  size_t want = storage_.size() * config_.targets_per_node;
  if (!world_.RunUntil([&] { return mgmtd_->routing().targets.size() == want; }, now() + 60s)) {
    outcome.failures.push_back("targets never registered with the cluster manager");
    return outcome;
  }
  mgmtd::CreateChainsReq create;
  create.replicas = config_.replicas;
  rpc::CallContext ctx;
  auto created = RunSimTask(world_, mgmtd_->CreateChains(create, ctx));
  if (!created || !created->ok()) {
    outcome.failures.push_back("creating chains failed");
    return outcome;
  }
  chains_ = (*created)->routing.chains.size();
  workload_end_ = now() + config_.workload;
  StartClients();
  if (config_.faults) {
    faults_on_ = true;
    Spawn(world_.executor(), FaultLoop(), "faults");
  }
  world_.RunUntil([] { return false; }, workload_end_);
  StopFaults();
  if (!world_.RunUntil([&] { return Settled(); }, now() + config_.settle_limit)) {
    outcome.failures.push_back(
        fmt::format("the cluster did not settle in {} s of virtual time (clients running: {})",
                    config_.settle_limit.count() / 1'000'000'000, clients_running_));
  }
  for (std::string& v : history_.Check()) outcome.failures.push_back(std::move(v));
  for (int chunk = 0; chunk < config_.chunks; ++chunk) {
    auto bad = RunSimTask(world_, CheckChunkReplicas(chunk));
    if (bad) outcome.failures.insert(outcome.failures.end(), bad->begin(), bad->end());
  }
  for (std::string& v : CheckRemoval()) outcome.failures.push_back(std::move(v));
  outcome.acked_writes = history_.acked_writes();
  outcome.failed_writes = failed_writes_;
  outcome.reads = history_.reads();
  outcome.faults = faults_;
  for (const std::string& line : world_.trace()) {
    if (line.find("fault") != std::string::npos || line.find("crash") != std::string::npos ||
        line.find("storage") != std::string::npos) {
      fmt::print("{}\n", line);
    }
  }
  return outcome;
}

}  // namespace

SimConfig ConfigForSeed(uint64_t seed) {
  DeterministicRandom rnd(seed ^ 0x5eed);
  SimConfig config;
  config.storage_nodes = static_cast<int>(rnd.Between(3, 6));
  config.clients = static_cast<int>(rnd.Between(2, 4));
  config.chunks = static_cast<int>(rnd.Between(3, 8));
  return config;
}

SimOutcome RunClusterSim(uint64_t seed, const SimConfig& config) {
  ClusterSim sim(seed, config);
  return sim.Run();
}

}  // namespace chainfs::sim
