#include "meta/server/meta_server.h"

#include <fmt/format.h>
#include <chrono>
#include <memory>

#include "common/logging.h"
#include "meta/gc/gc_worker.h"
#include "meta/gc/storage_chunk_remover.h"
#include "rpc/server.h"
#include "runtime/address_list.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::meta {

void MetaServerConfig::Bind(ConfigBinder& b) {
  b.String("meta.listen", &listen);
  b.String("cluster.secret", &secret, {}, /*may_be_empty=*/true);
  b.String("cluster.mgmtd", &mgmtd, {}, /*may_be_empty=*/true);
  b.Int("meta.chains", &chains, 1, 1 << 20);
  b.Int("meta.capacity_gib", &capacity_gib, 1, int64_t{1} << 30);
  b.Int("meta.session_lease_ms", &session_lease_ms, 1000, 3'600'000);
  b.Int("meta.gc_interval_ms", &gc_interval_ms, 10, 3'600'000);
  b.Int("meta.readdir_page", &readdir_page, 1, 16384);
  b.Int("meta.sync_interval_ms", &sync_interval_ms, 0, 60'000);
  b.Int("meta.poll_us", &poll_us, 0, 10'000);
  b.Int("meta.reserve_mib", &reserve_mib, 0, int64_t{1} << 30);
  kv.Bind(b);
  rpc.Bind(b);
}

Status MetaServerConfig::Validate() const {
  if (secret.empty()) {
    return InvalidArgument("cluster.secret is not set: every process of a cluster needs it");
  }
  Result<Address> a = Address::Parse(listen);
  if (!a.ok()) return InvalidArgument(fmt::format("meta.listen: {}", a.status().message()));
  if (!mgmtd.empty()) RETURN_IF_ERROR(ParseAddressList("cluster.mgmtd", mgmtd).status());
  return Status();
}

MetaHandlerOptions MetaServerConfig::handler_options() const {
  MetaHandlerOptions o;
  o.chains = static_cast<uint32_t>(chains);
  o.capacity_bytes = static_cast<uint64_t>(capacity_gib) << 30;
  o.session_lease = Nanos(session_lease_ms * 1'000'000);
  o.readdir_page = static_cast<uint32_t>(readdir_page);
  o.sync_interval = Nanos(sync_interval_ms * 1'000'000);
  return o;
}

struct MetaServer::State {
  explicit State(std::chrono::microseconds poll) : rt(1, poll) {}
  std::unique_ptr<kv::Engine> engine;
  RealRuntime rt;
  std::unique_ptr<MetaHandler> handler;
  std::unique_ptr<rpc::Server> server;
  // Without cluster.mgmtd, files have no chunks: the GC only counts them.
  NoChunksRemover no_chunks;
  // With it: the storage client stack the GC removes chunks through.
  std::unique_ptr<rpc::ClientPool> pool;
  std::unique_ptr<mgmtd::MgmtdClient> mgmtd;
  std::unique_ptr<mgmtd::RoutingFollower> routing;
  std::unique_ptr<client::StorageClient> storage;
  std::unique_ptr<StorageChunkRemover> storage_remover;
  std::unique_ptr<GcWorker> gc;
  bool gc_running = false;
  bool syncer_running = false;
  Address address;
  bool stopped = false;
};

namespace {

// MetaHandlerOptions::room for a RocksDB store at `path` keeping `reserve` bytes free, looked
// at most every 100 ms: a statvfs per create would cost a few percent of creates.
std::function<Status()> RoomCheck(Disk& disk, std::string path, uint64_t reserve) {
  struct Seen {
    std::chrono::steady_clock::time_point until;
    Status status;
  };
  return [&disk, path = std::move(path), reserve, seen = std::make_shared<Seen>()] {
    auto now = std::chrono::steady_clock::now();
    if (now >= seen->until) {
      seen->status = CheckFreeSpace(disk, path, reserve, "removals (new entries wait)");
      seen->until = now + std::chrono::milliseconds(100);
    }
    return seen->status;
  };
}

Task<Status> StartOnWorker(MetaServer::State* s, const MetaServerConfig* config, Address address) {
  Runtime& rt = s->rt.worker(0);
  MetaHandlerOptions options = config->handler_options();
  if (config->kv.engine == "rocksdb") {
    options.room = RoomCheck(rt.disk(), config->kv.rocksdb_path,
                             static_cast<uint64_t>(config->reserve_mib) << 20);
  }
  s->handler = std::make_unique<MetaHandler>(*s->engine, rt, std::move(options));
  CO_RETURN_IF_ERROR(co_await s->handler->EnsureRoot());
  s->server = std::make_unique<rpc::Server>(rt, config->rpc, config->secret);
  MetaService::Register(s->server->dispatcher(), *s->handler);
  CO_RETURN_IF_ERROR(s->server->Start(address));
  s->address = s->server->address();
  GcOptions gc;
  gc.interval = Nanos(config->gc_interval_ms * 1'000'000);
  gc.rescan = gc.interval * 10;
  ChunkRemover* remover = &s->no_chunks;
  if (!config->mgmtd.empty()) {
    CO_ASSIGN_OR_RETURN(std::vector<Address> managers,
                        ParseAddressList("cluster.mgmtd", config->mgmtd));
    s->pool = std::make_unique<rpc::ClientPool>(rt, config->rpc, config->secret, "meta-gc");
    s->mgmtd = std::make_unique<mgmtd::MgmtdClient>(*s->pool, std::move(managers));
    s->routing = std::make_unique<mgmtd::RoutingFollower>(rt, *s->mgmtd);
    s->routing->Start();
    client::StorageClientOptions storage;
    storage.client_id = rt.random().Next() | (uint64_t{1} << 63);
    s->storage = std::make_unique<client::StorageClient>(rt, *s->pool, *s->routing, storage);
    s->storage_remover = std::make_unique<StorageChunkRemover>(*s->storage, *s->routing);
    remover = s->storage_remover.get();
  }
  s->gc = std::make_unique<GcWorker>(*s->engine, rt, *remover, gc);
  s->gc_running = true;
  co_return Status();
}

Task<void> RunGc(MetaServer::State* s) {
  co_await s->gc->Run();
  s->gc_running = false;
}

Task<void> RunSyncer(MetaServer::State* s) {
  co_await s->handler->SyncCommits();
  s->syncer_running = false;
}

Task<Status> StopOnWorker(MetaServer::State* s) {
  if (s->server) s->server->Stop();
  if (s->gc) {
    s->gc->Stop();
    while (s->gc_running) co_await s->rt.worker(0).clock().Sleep(Nanos(1'000'000));
  }
  if (s->routing) s->routing->Stop();
  if (s->pool) s->pool->CloseAll();
  if (s->routing) co_await s->routing->Join();
  // After the GC: its last commits are synced too.
  if (s->handler) co_await s->handler->Drain();
  while (s->syncer_running) co_await s->rt.worker(0).clock().Sleep(Nanos(1'000'000));
  s->server.reset();
  s->gc.reset();
  s->handler.reset();
  co_return Status();
}

}  // namespace

MetaServer::MetaServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

MetaServer::~MetaServer() { Stop(); }

Result<std::unique_ptr<MetaServer>> MetaServer::Start(const MetaServerConfig& config) {
  RETURN_IF_ERROR(config.Validate());
  ASSIGN_OR_RETURN(Address address, Address::Parse(config.listen));
  auto state = std::make_unique<State>(std::chrono::microseconds(config.poll_us));
  ASSIGN_OR_RETURN(state->engine, kv::OpenEngine(config.kv));
  State* s = state.get();
  std::unique_ptr<MetaServer> server(new MetaServer(std::move(state)));
  Status st = s->rt.RunSync(0, StartOnWorker(s, &config, address));
  if (!st.ok()) return st;
  s->rt.worker(0).Spawn(RunGc(s), "meta-gc");
  s->syncer_running = true;
  s->rt.worker(0).Spawn(RunSyncer(s), "meta-sync");
  LOG_INFO("metadata server on {} over {}", s->address.ToString(), s->engine->name());
  return server;
}

Address MetaServer::address() const { return state_->address; }

void MetaServer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  (void)state_->rt.RunSync(0, StopOnWorker(state_.get()));
  state_->rt.Stop();
}

}  // namespace chainfs::meta
