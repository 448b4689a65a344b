// Measures the metadata service over RPC on RocksDB and on PostgreSQL, with 1 and with 16
// concurrent clients, beside the same operations done as system calls on a local directory.
//
//   meta_bench [--files N] [--pg DSN] [--engine rocksdb|postgres] [--clients 1|16]
//              [--pg-connections N]
//
// Each client works in a directory of its own: it creates N files, stats each (getattr),
// looks each up by name, lists the directory in pages (readdir: one op per page of 128),
// renames each, and unlinks each. Figures: ops/s and p50/p99 latency per operation. Without
// --pg, a throwaway PostgreSQL server is started with tests/pg/pg_server.sh. The last line is
// RESULT with the figures. First it measures the floors under any durable commit on
// this disk: a 200-byte append with fdatasync, and a RocksDB synced write of a create's size.
// Servers run with the default meta.sync_interval_ms (namespace changes synced within 100 ms,
// design/meta.md); with one client, RocksDB is also measured with every commit synced
// ("rocksdb-sync", meta.sync_interval_ms = 0).

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <thread>

#include "bench/latency.h"
#include "bench/local_fs_ops.h"
#include "common/check.h"
#include "common/logging.h"
#include "meta/server/meta_test_cluster.h"

namespace chainfs::bench {
namespace {

using meta::Caller;
using meta::MetaService;

const Caller kRoot{0, 0, {}};
std::string g_scratch;  // removed on the way out, failures included

// Exits with a message naming what failed (a bad --pg, a full disk), never a crash.
[[noreturn]] void Fail(const std::string& what) {
  fmt::print(stderr, "meta_bench: {}\n", what);
  std::error_code ec;
  if (!g_scratch.empty()) std::filesystem::remove_all(g_scratch, ec);
  std::exit(1);
}

struct Shared {
  std::map<std::string, Latencies> latencies;
  int running = 0;
};

// One client's whole sequence; phases are separated by a barrier so the figures of one
// operation are measured with all clients doing that operation.
struct Barrier {
  int arrived = 0;
  int generation = 0;
};

Task<void> Arrive(Runtime& rt, Barrier* b, int clients) {
  int gen = b->generation;
  if (++b->arrived == clients) {
    b->arrived = 0;
    ++b->generation;
    co_return;
  }
  while (b->generation == gen) co_await rt.clock().Sleep(Nanos(50'000));
}

Task<void> ClientRun(Runtime& rt, MetaService::Client stub, int index, int files, int clients,
                     Barrier* barrier, Shared* shared,
                     std::map<std::string, BenchClock::time_point>* phase_end) {
  std::map<std::string, Latencies> mine;
  meta::MknodReq mkdir{kRoot, kRootInode, fmt::format("c{}", index),
                       meta::NewEntry{meta::FileType::kDirectory, 0755}};
  Result<meta::AttrRsp> dir = co_await stub.Mknod(std::move(mkdir));
  if (!dir.ok()) Fail("mkdir: " + dir.status().ToString());
  InodeId d = dir->attr.id;
  std::vector<InodeId> ids(files);
  auto name = [](int i) { return fmt::format("file-{:06}", i); };
  auto renamed = [](int i) { return fmt::format("moved-{:06}", i); };
  for (const char* op : kOps) {
    co_await Arrive(rt, barrier, clients);
    std::string o = op;
    int n = o == "readdir" ? (files + kReaddirPage - 1) / kReaddirPage : files;
    std::string after;
    for (int i = 0; i < n; ++i) {
      auto start = BenchClock::now();
      Status st;
      if (o == "create") {
        meta::MknodReq req{kRoot, d, name(i), meta::NewEntry{}};
        Result<meta::AttrRsp> r = co_await stub.Mknod(std::move(req));
        if (r.ok()) ids[i] = r->attr.id;
        st = r.status();
      } else if (o == "getattr") {
        meta::InodeReq req{ids[i]};
        Result<meta::AttrRsp> r = co_await stub.GetAttr(std::move(req));
        st = r.status();
      } else if (o == "lookup") {
        meta::LookupReq req{kRoot, d, name(i)};
        Result<meta::AttrRsp> r = co_await stub.Lookup(std::move(req));
        st = r.status();
      } else if (o == "readdir") {
        meta::ReaddirReq req{kRoot, d, after, kReaddirPage};
        Result<meta::ReaddirRsp> r = co_await stub.Readdir(std::move(req));
        if (r.ok() && !r->entries.empty()) after = r->entries.back().name;
        st = r.status();
      } else if (o == "rename") {
        meta::RenameReq req{kRoot, d, name(i), d, renamed(i), 0};
        Result<meta::Empty> r = co_await stub.Rename(std::move(req));
        st = r.status();
      } else {
        meta::RemoveReq req{kRoot, d, renamed(i)};
        Result<meta::UnlinkRsp> r = co_await stub.Unlink(std::move(req));
        st = r.status();
      }
      if (!st.ok()) Fail(o + ": " + st.ToString());
      mine[o].Add(MicrosSince(start));
    }
    (*phase_end)[o] = std::max((*phase_end)[o], BenchClock::now());
  }
  for (auto& [op, l] : mine) shared->latencies[op].Merge(l);
  --shared->running;
}

Task<void> WaitRunning(Runtime& rt, Shared* shared) {
  while (shared->running > 0) co_await rt.clock().Sleep(Nanos(1'000'000));
}

// Runs `clients` clients against one server; phase times come from the barrier points.
Figures RunClients(meta::MetaTestClient& client, const Address& server, int clients, int files) {
  Shared shared;
  shared.running = clients;
  Barrier barrier;
  std::map<std::string, BenchClock::time_point> phase_end;
  std::map<std::string, BenchClock::time_point> phase_start;
  // Phase starts are the previous phase's end (the barrier releases everyone together).
  auto start = BenchClock::now();
  for (int i = 0; i < clients; ++i) {
    client.runtime().Spawn(ClientRun(client.runtime(), client.Stub(server), i, files, clients,
                                     &barrier, &shared, &phase_end),
                           "bench-client");
  }
  client.Run(WaitRunning(client.runtime(), &shared));
  Figures out;
  auto prev = start;
  for (const char* op : kOps) {
    double seconds = std::chrono::duration<double>(phase_end[op] - prev).count();
    prev = phase_end[op];
    Latencies& l = shared.latencies[op];
    out[op] = {static_cast<double>(l.count()) / seconds, l.Percentile(0.5), l.Percentile(0.99)};
  }
  return out;
}

Figures RunEngine(const kv::KvConfig& kv, int clients, int files, int64_t sync_interval_ms) {
  meta::MetaServerConfig config = meta::TestServerConfig(kv);
  config.sync_interval_ms = sync_interval_ms;
  auto server = meta::MetaServer::Start(config);
  if (!server.ok())
    Fail(fmt::format("starting a {} metadata server: {}", kv.engine, server.status().ToString()));
  meta::MetaTestClient client;
  Figures f = RunClients(client, (*server)->address(), clients, files);
  return f;
}

void Print(const std::string& engine, int clients, const Figures& f) {
  for (const char* op : kOps) {
    const Figure& x = f.at(op);
    fmt::print("{:<12} {:>3} clients  {:<8} {:>10.0f} ops/s  p50 {:>8.1f} us  p99 {:>8.1f} us\n",
               engine, clients, op, x.ops_per_s, x.p50_us, x.p99_us);
  }
  std::fflush(stdout);
}

std::string StartPostgres(const std::string& dir) {
  std::string script = std::string(CHAINFS_SOURCE_DIR) + "/tests/pg/pg_server.sh";
  int rc = std::system((script + " start " + dir).c_str());
  if (rc != 0) Fail("could not start PostgreSQL with tests/pg/pg_server.sh");
  return "host=" + dir + " user=postgres dbname=postgres";
}

void StopPostgres(const std::string& dir) {
  std::string script = std::string(CHAINFS_SOURCE_DIR) + "/tests/pg/pg_server.sh";
  (void)std::system((script + " stop " + dir).c_str());
}

}  // namespace
}  // namespace chainfs::bench

int main(int argc, char** argv) {
  using namespace chainfs;
  using namespace chainfs::bench;
  CLI::App app{"metadata benchmark"};
  int files = 2000;
  std::string pg;
  app.add_option("--files", files, "files per client")->check(CLI::Range(128, 1'000'000));
  int pg_connections = 4;
  app.add_option("--pg-connections", pg_connections, "PostgreSQL connections per server")
      ->check(CLI::Range(1, 256));
  std::string only_engine;
  int only_clients = 0;
  app.add_option("--engine", only_engine, "only this engine")
      ->check(CLI::IsMember({"rocksdb", "postgres"}));
  app.add_option("--clients", only_clients, "only this many clients")
      ->check(CLI::IsMember({1, 16}));
  app.add_option("--pg", pg, "PostgreSQL connection string (default: start a throwaway server)");
  CLI11_PARSE(app, argc, argv);
  SetLogLevel(LogLevel::kWarn);

  std::string scratch = fmt::format("/tmp/chainfs-meta-bench-{}", ::getpid());
  std::filesystem::remove_all(scratch);
  std::filesystem::create_directories(scratch);
  g_scratch = scratch;
  std::map<std::string, Figures> all;
  // The floors under any durable commit on this disk, measured in the same run.
  Figure append = SyncedAppend(scratch, 500);
  Figure rocks = RocksDbSyncedWrite(scratch, 500);
  for (auto [name, f] :
       {std::pair{"fdatasync-append", append}, std::pair{"rocksdb-synced-write", rocks}}) {
    fmt::print("{:<12} {:>3} clients  {:<8} {:>10.0f} ops/s  p50 {:>8.1f} us  p99 {:>8.1f} us\n",
               "floor", 1, name, f.ops_per_s, f.p50_us, f.p99_us);
  }
  for (int clients : {1, 16}) {
    if (only_clients != 0 && clients != only_clients) continue;
    int per_client = clients == 1 ? files : std::max(128, files / 4);
    Figures local = RunLocal(scratch + "/local", clients, per_client);
    Print("local", clients, local);
    all[fmt::format("local{}", clients)] = local;
    for (std::string variant : {"rocksdb", "rocksdb-sync", "postgres"}) {
      bool every_sync = variant == "rocksdb-sync";
      std::string engine = every_sync ? "rocksdb" : variant;
      if (!only_engine.empty() && engine != only_engine) continue;
      if (every_sync && clients != 1) continue;
      kv::KvConfig kv;
      kv.engine = engine;
      kv.rocksdb_path = fmt::format("{}/{}-{}", scratch, variant, clients);
      std::string pg_dir = scratch + "/pg";
      bool own_pg = engine == "postgres" && pg.empty();
      kv.postgres = own_pg ? StartPostgres(pg_dir) : pg;
      kv.postgres_connections = pg_connections;
      Figures f = RunEngine(kv, clients, per_client,
                            every_sync ? 0 : meta::MetaServerConfig{}.sync_interval_ms);
      if (own_pg) StopPostgres(pg_dir);
      Print(variant, clients, f);
      all[fmt::format("{}{}", variant, clients)] = f;
    }
  }
  std::filesystem::remove_all(scratch);
  fmt::print(
      "RESULT rocksdb_create_p50_us={:.0f} rocksdb_getattr_p50_us={:.0f} pg_create_p50_us={:.0f} "
      "pg_getattr_p50_us={:.0f} rocksdb_create16_ops={:.0f} rocksdb_getattr16_ops={:.0f}\n",
      all["rocksdb1"]["create"].p50_us, all["rocksdb1"]["getattr"].p50_us,
      all["postgres1"]["create"].p50_us, all["postgres1"]["getattr"].p50_us,
      all["rocksdb16"]["create"].ops_per_s, all["rocksdb16"]["getattr"].ops_per_s);
  return 0;
}
