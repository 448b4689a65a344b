#include "cli/up_command.h"

#include <fmt/format.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/local_processes.h"
#include "mgmtd/mgmtd_client.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::cli {
namespace {

namespace fs = std::filesystem;

// The processes of a local cluster, in start order; `down` stops them in reverse.
std::vector<std::string> ProcessNames(int storage_nodes) {
  std::vector<std::string> names = {"mgmtd"};
  for (int i = 1; i <= storage_nodes; ++i) names.push_back(fmt::format("storage-{}", i));
  names.push_back("meta");
  names.push_back("mount");
  return names;
}

struct Layout {
  fs::path dir;
  fs::path mount;
  std::string exe;
  fs::path Config(const std::string& name) const { return dir / (name + ".toml"); }
  fs::path Log(const std::string& name) const { return dir / "logs" / (name + ".log"); }
  fs::path Pid(const std::string& name) const { return dir / "run" / (name + ".pid"); }
};

std::string RandomSecret() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  std::string out;
  for (int i = 0; i < 16; ++i) out += fmt::format("{:02x}", static_cast<unsigned>(in.get()) & 0xff);
  return out;
}

// The config files of a new cluster (all but meta.toml, which needs the chain count).
Status WriteConfigs(const Layout& l, const UpOptions& o) {
  std::string secret = RandomSecret();
  // Ports: mgmtd, meta, then one per storage node.
  ASSIGN_OR_RETURN(std::vector<int> ports, FreeLoopbackPorts(2 + o.storage_nodes));
  int mgmtd_port = ports[0];
  int meta_port = ports[1];
  std::string mgmtd = fmt::format("127.0.0.1:{}", mgmtd_port);
  std::string cluster = fmt::format("[cluster]\nsecret = \"{}\"\nmgmtd = \"{}\"\n", secret, mgmtd);
  RETURN_IF_ERROR(WriteFile(l.Config("mgmtd"),
                            fmt::format("[cluster]\nsecret = \"{}\"\n\n[mgmtd]\nlisten = \"{}\"\n"
                                        "id = 1\n\n[kv]\nrocksdb_path = \"{}\"\n",
                                        secret, mgmtd, (l.dir / "mgmtd-kv").string())));
  for (int i = 1; i <= o.storage_nodes; ++i) {
    int port = ports[1 + i];
    std::string targets;
    for (int k = 1; k <= o.targets_per_node; ++k) {
      fs::path t = l.dir / fmt::format("storage-{}", i) / fmt::format("target-{}", k);
      fs::create_directories(t);
      targets += fmt::format("{}{}={}", targets.empty() ? "" : ",", i * 100 + k, t.string());
    }
    RETURN_IF_ERROR(WriteFile(l.Config(fmt::format("storage-{}", i)),
                              fmt::format("{}\n[storage]\nlisten = \"127.0.0.1:{}\"\nnode_id = {}\n"
                                          "targets = \"{}\"\n",
                                          cluster, port, i, targets)));
  }
  std::string meta = fmt::format("127.0.0.1:{}", meta_port);
  RETURN_IF_ERROR(WriteFile(l.dir / "meta.address", meta));
  RETURN_IF_ERROR(WriteFile(l.Config("client"), fmt::format("{}meta = \"{}\"\n", cluster, meta)));
  RETURN_IF_ERROR(WriteFile(l.Config("admin"), cluster));
  return Status();
}

Status WriteMetaConfig(const Layout& l, size_t chains) {
  std::string admin = ReadFileOr(l.Config("admin").string(), "");
  std::string meta = ReadFileOr((l.dir / "meta.address").string(), "");
  return WriteFile(l.Config("meta"),
                   fmt::format("{}\n[meta]\nlisten = \"{}\"\nchains = {}\n\n[kv]\nengine = "
                               "\"rocksdb\"\nrocksdb_path = \"{}\"\n",
                               admin, meta, chains, (l.dir / "meta-kv").string()));
}

Result<pid_t> Launch(const Layout& l, const std::string& name, std::vector<std::string> args,
                     const std::string& ready) {
  std::vector<std::string> argv = {l.exe};
  for (std::string& a : args) argv.push_back(std::move(a));
  size_t logged = ReadFileOr(l.Log(name).string(), "").size();
  ASSIGN_OR_RETURN(pid_t pid, StartDetached(argv, l.Log(name).string()));
  RETURN_IF_ERROR(WriteFile(l.Pid(name).string(), fmt::format("{}\n", pid)));
  Status st = WaitForLog(l.Log(name).string(), logged, ready, pid, 60'000);
  if (!st.ok()) return Status(st.code(), fmt::format("{} {}", name, st.message()));
  return pid;
}

// What `up` needs from the cluster manager.
struct ClusterView {
  size_t targets = 0;
  size_t chains = 0;
  size_t serving_chains = 0;
  size_t table_size = 0;
};

Task<Result<ClusterView>> Look(mgmtd::MgmtdClient* client) {
  mgmtd::WatchRoutingReq req;
  req.known_version = 0;
  req.wait_ms = 0;
  CO_ASSIGN_OR_RETURN(mgmtd::RoutingRsp rsp, co_await client->WatchRouting(std::move(req)));
  ClusterView v;
  v.targets = rsp.routing.targets.size();
  v.chains = rsp.routing.chains.size();
  // A chain counts once every target serves and has said it is up to date (for a heartbeat
  // after start-up a serving target still says ONLINE, which `chainfs status` would show).
  for (const auto& [id, chain] : rsp.routing.chains) {
    bool all = !chain.targets.empty();
    for (const mgmtd::ChainTarget& t : chain.targets) {
      auto info = rsp.routing.targets.find(t.target);
      all &= t.state == mgmtd::PublicState::kServing && info != rsp.routing.targets.end() &&
             info->second.local == mgmtd::LocalState::kUpToDate;
    }
    v.serving_chains += all;
  }
  for (const mgmtd::ChainTable& t : rsp.routing.chain_tables) {
    if (t.id == 1) v.table_size = t.chains.size();
  }
  co_return v;
}

Task<Status> CreateChains(mgmtd::MgmtdClient* client, uint32_t replicas) {
  mgmtd::CreateChainsReq req;
  req.replicas = replicas;
  co_return (co_await client->CreateChains(std::move(req))).status();
}

Task<void> Close(rpc::ClientPool* pool) {
  pool->CloseAll();
  co_return;
}

// Waits until every target registered, creates the chains on a new cluster, and waits until
// every chain serves on all its replicas. Returns the chain table's size.
Result<size_t> AwaitChains(const Layout& l, const UpOptions& o) {
  std::string admin = ReadFileOr(l.Config("admin").string(), "");
  auto value = [&admin](const std::string& key) {
    size_t at = admin.find(key + " = \"");
    if (at == std::string::npos) return std::string();
    at += key.size() + 4;
    return admin.substr(at, admin.find('"', at) - at);
  };
  Result<Address> mgmtd = Address::Parse(value("mgmtd"));
  if (!mgmtd.ok()) return mgmtd.status();
  RealRuntime rt(1);
  rpc::RpcOptions rpc;
  rpc::ClientPool pool(rt.worker(0), rpc, value("secret"), "up");
  mgmtd::MgmtdClient client(pool, {*mgmtd});
  size_t want = static_cast<size_t>(o.storage_nodes) * o.targets_per_node;
  bool asked = false;
  Status failure = Unavailable("the chains did not all serve within 120 s");
  size_t table_size = 0;
  for (int i = 0; i < 1200 && table_size == 0; ++i) {
    Result<ClusterView> v = rt.RunSync(0, Look(&client));
    if (v.ok() && v->targets >= want && v->chains == 0 && !asked) {
      Status st = rt.RunSync(0, CreateChains(&client, static_cast<uint32_t>(o.replicas)));
      if (!st.ok()) {
        failure = st;
        break;
      }
      asked = true;
    } else if (v.ok() && v->chains > 0 && v->serving_chains == v->chains) {
      table_size = std::max<size_t>(v->table_size, 1);
      break;
    }
    usleep(100'000);
  }
  rt.RunSync(0, Close(&pool));
  if (table_size == 0) return failure;
  return table_size;
}

Status CheckNotRunning(const Layout& l) {
  for (const std::string& name : ProcessNames(64)) {
    if (pid_t pid = LivePid(l.Pid(name).string()); pid != 0) {
      return Status(StatusCode::kAlreadyExists,
                    fmt::format("a cluster from {} is running ({} is pid {}); stop it with "
                                "`chainfs down --dir {}`",
                                l.dir.string(), name, pid, l.dir.string()));
    }
  }
  return Status();
}

Status Up(const Layout& l, const UpOptions& o) {
  bool fresh = !fs::exists(l.Config("mgmtd"));
  if (fresh) RETURN_IF_ERROR(WriteConfigs(l, o));
  int nodes = 0;
  while (fs::exists(l.Config(fmt::format("storage-{}", nodes + 1)))) ++nodes;
  RETURN_IF_ERROR(
      Launch(l, "mgmtd", {"mgmtd", "--config", l.Config("mgmtd").string()}, "listening on")
          .status());
  for (int i = 1; i <= nodes; ++i) {
    std::string name = fmt::format("storage-{}", i);
    RETURN_IF_ERROR(
        Launch(l, name, {"storage", "--config", l.Config(name).string()}, "listening on").status());
  }
  UpOptions existing = o;
  existing.storage_nodes = nodes;
  ASSIGN_OR_RETURN(size_t chains, AwaitChains(l, existing));
  if (!fs::exists(l.Config("meta"))) RETURN_IF_ERROR(WriteMetaConfig(l, chains));
  RETURN_IF_ERROR(
      Launch(l, "meta", {"meta", "--config", l.Config("meta").string()}, "listening on").status());
  fs::create_directories(l.mount);
  RETURN_IF_ERROR(Launch(l, "mount",
                         {"mount", "--config", l.Config("client").string(), l.mount.string()},
                         "mounted at")
                      .status());
  fmt::print(
      "chainfs is up: a cluster manager, a metadata server (RocksDB), {} storage servers with {} "
      "chains of {} replicas, and the mount.\n"
      "  mount:   {}\n"
      "  configs: {}/*.toml   logs: {}/logs\n"
      "  status:  chainfs status --config {}\n"
      "  stop:    chainfs down --dir {}\n",
      nodes, chains, o.replicas, l.mount.string(), l.dir.string(), l.dir.string(),
      l.Config("admin").string(), l.dir.string());
  return Status();
}

Status Down(const Layout& l) {
  std::string mount = ReadFileOr((l.dir / "mountpoint").string(), "");
  std::vector<std::string> names = ProcessNames(64);
  Status result;
  // Every process gets its stop, even when an earlier one would not go.
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    pid_t pid = LivePid(l.Pid(*it).string());
    if (pid != 0 && !Stop(pid, 15'000)) {
      if (result.ok()) {
        result = Status(StatusCode::kInternal, fmt::format("{} (pid {}) did not stop", *it, pid));
      }
      continue;
    }
    std::error_code ignored;
    fs::remove(l.Pid(*it), ignored);
    if (*it == "mount" && !mount.empty() && IsMounted(mount)) umount2(mount.c_str(), MNT_DETACH);
  }
  return result;
}

Result<Layout> LayoutOf(const std::string& dir, const std::string& mount) {
  Layout l;
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "logs", ec);
  fs::create_directories(fs::path(dir) / "run", ec);
  if (ec) return InvalidArgument(fmt::format("cluster directory {}: {}", dir, ec.message()));
  l.dir = fs::canonical(dir, ec);
  if (ec) return InvalidArgument(fmt::format("cluster directory {}: {}", dir, ec.message()));
  std::string remembered = ReadFileOr((l.dir / "mountpoint").string(), "");
  std::string chosen = !mount.empty() ? mount : !remembered.empty() ? remembered : "";
  if (chosen.empty()) {
    const char* home = std::getenv("HOME");
    chosen = fmt::format("{}/chainfs", home ? home : "/tmp");
  }
  l.mount = fs::absolute(chosen);
  l.exe = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec) return Status(StatusCode::kInternal, "cannot find the chainfs program itself");
  return l;
}

}  // namespace

std::string DefaultClusterDir() {
  const char* home = std::getenv("HOME");
  return fmt::format("{}/.chainfs", home ? home : "/tmp");
}

int RunUp(const UpOptions& options) {
  Result<Layout> l = LayoutOf(options.dir, options.mount);
  Status st = l.status();
  if (st.ok()) st = CheckNotRunning(*l);
  if (st.ok()) st = WriteFile((l->dir / "mountpoint").string(), l->mount.string());
  if (!st.ok()) {
    fmt::print(stderr, "chainfs up: {}\n", st.message());
    return 2;
  }
  st = Up(*l, options);
  if (!st.ok()) {
    fmt::print(stderr, "chainfs up: {}\nstopping what was started\n", st.message());
    (void)Down(*l);
    return 1;
  }
  return 0;
}

int RunDown(const std::string& dir) {
  if (!fs::exists(dir)) {
    fmt::print(stderr, "chainfs down: no cluster directory {}\n", dir);
    return 2;
  }
  Result<Layout> l = LayoutOf(dir, "");
  Status st = l.ok() ? Down(*l) : l.status();
  if (!st.ok()) {
    fmt::print(stderr, "chainfs down: {}\n", st.message());
    return 1;
  }
  fmt::print("chainfs is down ({})\n", l->dir.string());
  return 0;
}

}  // namespace chainfs::cli
