// Measures the storage layer through the storage client against a real cluster on loopback:
// mgmtd and three storage servers (one chain, three replicas, targets on the local disk),
// beside fio with direct I/O on the same disk.
//
//   storage_bench [--dir DIR] [--mib N] [--jobs N] [--seconds N]
//
// Figures: sequential 1 MiB chunk writes and reads (GB/s; the page cache is dropped before
// reads when this process may), and 4 KiB random reads (IOPS). Each is printed with fio's
// figure for the same pattern and their ratio. The last line is RESULT with the ratios.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "bench/fio_baseline.h"
#include "client/storage_client.h"
#include "common/logging.h"
#include "mgmtd/mgmtd_client.h"
#include "mgmtd/routing_follower.h"
#include "process.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::bench {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::Process;

constexpr char kSecret[] = "storage-bench";
constexpr uint32_t kChunkBytes = 1 << 20;
constexpr uint32_t kSmallRead = 4096;
constexpr InodeId kInode{1};

struct Options {
  std::string dir;
  int mib = 512;
  int jobs = 8;
  int seconds = 10;
};

struct Cluster;
Cluster* g_cluster = nullptr;  // its servers are killed on every way out

[[noreturn]] void Fail(const std::string& what);

bool DropCaches() {
  ::sync();
  std::ofstream f("/proc/sys/vm/drop_caches");
  if (!f) return false;
  f << "3\n";
  return static_cast<bool>(f);
}

struct Cluster {
  fs::path dir;
  std::string mgmtd;
  Process mgmtd_process;
  Process storage[3];

  void Start(const std::string& bin) {
    mgmtd = fmt::format("127.0.0.1:{}", testing::FreePort());
    std::string secret = std::string("cluster.secret=") + kSecret;
    if (!mgmtd_process.Start({bin, "mgmtd", "--set", "mgmtd.listen=" + mgmtd, "--set", secret,
                              "--set", "kv.rocksdb_path=" + (dir / "mgmtd").string()},
                             (dir / "mgmtd.log").string())) {
      Fail("cannot start chainfs mgmtd from " + bin);
    }
    for (int i = 0; i < 3; ++i) {
      fs::path target = dir / fmt::format("t{}", i + 1);
      fs::create_directories(target);
      if (!storage[i].Start({bin, "storage", "--set",
                             fmt::format("storage.listen=127.0.0.1:{}", testing::FreePort()),
                             "--set", fmt::format("storage.node_id={}", i + 1), "--set",
                             fmt::format("storage.targets={}={}", i + 1, target.string()), "--set",
                             "cluster.mgmtd=" + mgmtd, "--set", secret},
                            (dir / fmt::format("storage{}.log", i + 1)).string())) {
        Fail("cannot start chainfs storage");
      }
    }
  }
};

[[noreturn]] void Fail(const std::string& what) {
  fmt::print(stderr, "storage_bench: {}\n", what);
  if (g_cluster != nullptr) {
    for (auto& p : g_cluster->storage) p.Kill(SIGKILL);
    g_cluster->mgmtd_process.Kill(SIGKILL);
  }
  std::exit(1);
}

struct Client {
  Runtime* rt;
  mgmtd::MgmtdClient* mgmtd;
  mgmtd::RoutingFollower* follower;
  client::StorageClient* storage;
  ChainId chain;
  uint64_t chunks = 0;
  uint64_t next = 0;
  Status error;
};

Task<Status> Setup(Client* c) {
  Nanos deadline = c->rt->clock().Now() + Nanos(30s);
  while (c->follower->current()->targets.size() < 3) {
    if (c->rt->clock().Now() > deadline) co_return Internal("storage servers never registered");
    co_await c->follower->WaitNewer(c->follower->current()->version,
                                    c->rt->clock().Now() + Nanos(1s));
  }
  mgmtd::CreateChainsReq req;
  req.replicas = 3;
  CO_ASSIGN_OR_RETURN(mgmtd::RoutingRsp rsp, co_await c->mgmtd->CreateChains(std::move(req)));
  c->chain = rsp.routing.chains.begin()->first;
  while (c->follower->current()->chains.empty()) {
    co_await c->follower->WaitNewer(c->follower->current()->version,
                                    c->rt->clock().Now() + Nanos(1s));
  }
  co_return Status();
}

Task<void> Writer(Client* c) {
  std::string data(kChunkBytes, 'w');
  while (c->error.ok() && c->next < c->chunks) {
    uint64_t index = c->next++;
    storage::ChunkUpdate u;
    u.chunk = ChunkId{kInode, index};
    u.kind = storage::UpdateKind::kWrite;
    u.chunk_size_bytes = kChunkBytes;
    u.length = kChunkBytes;
    Result<storage::WriteRsp> rsp = co_await c->storage->Update(c->chain, u, data);
    if (!rsp.ok()) c->error = rsp.status();
  }
}

Task<void> Reader(Client* c, uint32_t bytes, Nanos until, uint64_t* ops) {
  std::string out(bytes, '\0');
  Random& rnd = c->rt->random();
  while (c->error.ok() && c->rt->clock().Now() < until) {
    uint64_t index;
    uint32_t offset = 0;
    if (bytes == kChunkBytes) {
      if (c->next >= c->chunks) break;
      index = c->next++;
    } else {
      index = rnd.Uniform(c->chunks);
      offset = static_cast<uint32_t>(rnd.Uniform(kChunkBytes / bytes)) * bytes;
    }
    ChunkId chunk{kInode, index};
    Result<size_t> n = co_await c->storage->Read(c->chain, chunk, offset, out);
    if (!n.ok()) c->error = n.status();
    ++*ops;
  }
}

// Runs `jobs` copies of a phase and waits for all; returns the seconds it took.
template <typename MakeTask>
double RunPhase(RealRuntime& rt, int jobs, MakeTask make) {
  auto start = std::chrono::steady_clock::now();
  std::vector<std::future<void>> done;
  for (int j = 0; j < jobs; ++j) {
    done.push_back(asio::co_spawn(rt.worker(0).executor(), make(), asio::use_future));
  }
  for (auto& f : done) f.get();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void PrintFigure(const char* name, double ours, double fio, const char* unit) {
  fmt::print("{:<24} chainfs {:>10.4f} {}   fio {:>10.4f} {}   ratio {:.3f}\n", name, ours, unit,
             fio, unit, fio > 0 ? ours / fio : 0.0);
}

}  // namespace

int Main(const Options& options, const std::string& bin) {
  SetLogLevel(LogLevel::kWarn);
  Cluster cluster;
  g_cluster = &cluster;
  // A directory of its own, so that two runs never share one.
  cluster.dir = fs::path(options.dir) / fmt::format("run-{}", ::getpid());
  std::error_code ec;
  fs::remove_all(cluster.dir, ec);
  fs::create_directories(cluster.dir, ec);
  if (ec) Fail(fmt::format("cannot create {}: {}", cluster.dir.string(), ec.message()));
  cluster.Start(bin);
  RealRuntime rt(1);
  rpc::ClientPool pool(rt.worker(0), rpc::RpcOptions{}, kSecret, "bench");
  mgmtd::MgmtdClient mgmtd(pool, {*Address::Parse(cluster.mgmtd)});
  mgmtd::RoutingFollower follower(rt.worker(0), mgmtd);
  client::StorageClientOptions copts;
  copts.client_id = 7;
  client::StorageClient storage(rt.worker(0), pool, follower, copts);
  follower.Start();
  Client c{&rt.worker(0), &mgmtd, &follower, &storage, ChainId(0)};
  c.chunks = static_cast<uint64_t>(options.mib);
  Status st = rt.RunSync(0, Setup(&c));
  if (!st.ok()) Fail(st.ToString());

  double write_s = RunPhase(rt, options.jobs, [&] { return Writer(&c); });
  if (!c.error.ok()) Fail("write: " + c.error.ToString());
  double write_gbs = c.chunks * double(kChunkBytes) / write_s / 1e9;
  bool dropped = DropCaches();
  c.next = 0;
  uint64_t ops = 0;
  Nanos far = rt.worker(0).clock().Now() + Nanos(3600s);
  double read_s = RunPhase(rt, options.jobs, [&] { return Reader(&c, kChunkBytes, far, &ops); });
  if (!c.error.ok()) Fail("read: " + c.error.ToString());
  double read_gbs = c.chunks * double(kChunkBytes) / read_s / 1e9;
  if (dropped) DropCaches();
  uint64_t small_ops = 0;
  Nanos until = rt.worker(0).clock().Now() + Nanos(std::chrono::seconds(options.seconds));
  double rand_s = RunPhase(rt, 32, [&] { return Reader(&c, kSmallRead, until, &small_ops); });
  if (!c.error.ok()) Fail("random read: " + c.error.ToString());
  double iops = small_ops / rand_s;
  follower.Stop();
  rt.RunSync(0, [](rpc::ClientPool* p) -> Task<int> {
    p->CloseAll();
    co_return 0;
  }(&pool));
  rt.Stop();
  for (auto& p : cluster.storage) p.Kill(SIGTERM);
  cluster.mgmtd_process.Kill(SIGTERM);
  g_cluster = nullptr;

  std::string file = (cluster.dir / "fio.dat").string();
  FioFigure fw = RunFio(file, "write", "1M", options.jobs, options.mib, options.seconds * 3);
  if (dropped) DropCaches();
  FioFigure fr = RunFio(file, "read", "1M", options.jobs, options.mib, options.seconds * 3);
  FioFigure frr = RunFio(file, "randread", "4k", 32, options.mib, options.seconds);
  for (const FioFigure* f : {&fw, &fr, &frr}) {
    if (!f->ok) Fail(f->error);
  }
  fs::remove_all(cluster.dir, ec);
  fmt::print(
      "storage_bench: {} MiB in 1 MiB chunks, {} in flight, 3 replicas on one disk; page "
      "cache {}dropped before reads\n",
      options.mib, options.jobs, dropped ? "" : "NOT ");
  PrintFigure("seq write 1 MiB", write_gbs, fw.bytes_per_s / 1e9, "GB/s");
  PrintFigure("seq read 1 MiB", read_gbs, fr.bytes_per_s / 1e9, "GB/s");
  PrintFigure("rand read 4 KiB", iops, frr.iops, "IOPS");
  fmt::print("RESULT write_ratio={:.3f} read_ratio={:.3f} randread_ratio={:.3f}\n",
             write_gbs * 1e9 / fw.bytes_per_s, read_gbs * 1e9 / fr.bytes_per_s, iops / frr.iops);
  return 0;
}

}  // namespace chainfs::bench

int main(int argc, char** argv) {
  CLI::App app{"storage_bench: the storage layer beside fio on the same disk"};
  chainfs::bench::Options options;
  options.dir = std::string(CHAINFS_SOURCE_DIR) + "/build/storage-bench";
  app.add_option("--dir", options.dir, "scratch directory on the disk to measure");
  app.add_option("--mib", options.mib, "MiB written and read")->check(CLI::Range(16, 65536));
  app.add_option("--jobs", options.jobs, "chunks in flight")->check(CLI::Range(1, 256));
  app.add_option("--seconds", options.seconds, "bound of the random-read phase")
      ->check(CLI::Range(1, 600));
  CLI11_PARSE(app, argc, argv);
  std::string bin = std::string(CHAINFS_BINARY_DIR) + "/src/cli/chainfs";
  return chainfs::bench::Main(options, bin);
}
