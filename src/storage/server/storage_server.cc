#include "storage/server/storage_server.h"

#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <set>

#include "common/logging.h"
#include "kv/rocksdb/rocksdb_engine.h"
#include "runtime/address_list.h"
#include "runtime/real/real_runtime.h"
#include "storage/server/storage_node.h"

namespace chainfs::storage {

void StorageServerConfig::Bind(ConfigBinder& b) {
  b.String("storage.listen", &listen);
  b.String("storage.advertise", &advertise, {}, /*may_be_empty=*/true);
  b.Int("storage.node_id", &node_id, 0, int64_t{1} << 40);
  b.String("storage.targets", &targets, {}, /*may_be_empty=*/true);
  b.String("cluster.mgmtd", &mgmtd);
  b.String("cluster.secret", &secret, {}, /*may_be_empty=*/true);
  b.Int("storage.heartbeat_ms", &heartbeat_ms, 10, 600'000);
  b.Int("storage.serve_lease_ms", &serve_lease_ms, 10, 600'000);
  b.Int("storage.punch_mib_per_s", &punch_mib_per_s, 1, 1 << 20);
  b.Int("storage.punch_delay_s", &punch_delay_s, 0, 7 * 86400);
  b.Int("storage.scrub_mib_per_s", &scrub_mib_per_s, 0, 1 << 20);
  b.Int("storage.scrub_interval_s", &scrub_interval_s, 0, 365 * 86400);
  b.Int("storage.rejoin_free_mib", &rejoin_free_mib, 0, int64_t{1} << 30);
  b.Int("storage.reserve_mib", &reserve_mib, 0, int64_t{1} << 30);
  rpc.Bind(b);
}

Result<std::vector<TargetDir>> ParseTargets(const std::string& text) {
  std::vector<TargetDir> out;
  std::set<uint64_t> ids;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    size_t eq = item.find('=');
    uint64_t id = 0;
    auto [end, ec] =
        std::from_chars(item.data(), item.data() + (eq == std::string_view::npos ? 0 : eq), id);
    if (eq == std::string_view::npos || ec != std::errc() || end != item.data() + eq || id == 0 ||
        eq + 1 == item.size()) {
      return InvalidArgument(
          fmt::format("storage.targets: '{}' is not ID=DIR with a positive id", item));
    }
    if (!ids.insert(id).second)
      return InvalidArgument(fmt::format("storage.targets: target {} twice", id));
    out.push_back(TargetDir{TargetId(id), std::string(item.substr(eq + 1))});
  }
  if (out.empty()) return InvalidArgument("storage.targets: no target configured");
  return out;
}

Status StorageServerConfig::Validate() const {
  if (secret.empty()) {
    return InvalidArgument("cluster.secret is not set: every process of a cluster needs it");
  }
  if (node_id <= 0) return InvalidArgument("storage.node_id is not set (a positive number)");
  if (!Address::Parse(listen).ok()) {
    return InvalidArgument(fmt::format("storage.listen: '{}' is not host:port", listen));
  }
  if (!advertise.empty() && !Address::Parse(advertise).ok()) {
    return InvalidArgument(fmt::format("storage.advertise: '{}' is not host:port", advertise));
  }
  if (rejoin_free_mib < reserve_mib) {
    return InvalidArgument(fmt::format(
        "storage.rejoin_free_mib ({}) is below storage.reserve_mib ({}): a target that left its "
        "chain for want of room would rejoin with no room for writes",
        rejoin_free_mib, reserve_mib));
  }
  RETURN_IF_ERROR(ParseTargets(targets).status());
  return ParseAddressList("cluster.mgmtd", mgmtd).status();
}

namespace {

Status CheckTargetDir(const TargetDir& t) {
  std::error_code ec;
  if (!std::filesystem::is_directory(t.path, ec)) {
    return IoError(fmt::format("target {}: directory '{}' does not exist", t.id, t.path));
  }
  if (::access(t.path.c_str(), W_OK | X_OK) != 0) {
    return IoError(fmt::format("target {}: directory '{}' is not writable", t.id, t.path));
  }
  return Status();
}

}  // namespace

struct StorageServer::State {
  std::vector<std::unique_ptr<kv::RocksDbEngine>> stores;
  RealRuntime rt{1};
  std::unique_ptr<StorageNode> node;
  bool stopped = false;
};

StorageServer::StorageServer(std::unique_ptr<State> state) : state_(std::move(state)) {}

StorageServer::~StorageServer() { Stop(); }

Result<std::unique_ptr<StorageServer>> StorageServer::Start(const StorageServerConfig& config) {
  RETURN_IF_ERROR(config.Validate());
  ASSIGN_OR_RETURN(std::vector<TargetDir> dirs, ParseTargets(config.targets));
  auto state = std::make_unique<State>();
  std::vector<TargetSpec> specs;
  for (const TargetDir& dir : dirs) {
    RETURN_IF_ERROR(CheckTargetDir(dir));
    kv::RocksDbOptions options;
    options.path = dir.path + "/meta";
    // Chunk records are small: a small memtable keeps the log RocksDB reserves small.
    options.write_buffer_bytes = 4 << 20;
    ASSIGN_OR_RETURN(std::unique_ptr<kv::RocksDbEngine> store, kv::RocksDbEngine::Open(options));
    struct statvfs fs_stat {};
    bool known = ::statvfs(dir.path.c_str(), &fs_stat) == 0;
    uint64_t capacity = known ? uint64_t{fs_stat.f_blocks} * fs_stat.f_frsize : 0;
    uint64_t fs_id = known ? uint64_t{fs_stat.f_fsid} : 0;
    specs.push_back(TargetSpec{dir.id, dir.path + "/blobs", store.get(), capacity, fs_id});
    state->stores.push_back(std::move(store));
  }
  StorageNodeOptions options;
  options.node = NodeId(static_cast<uint64_t>(config.node_id));
  options.listen = *Address::Parse(config.listen);
  options.advertise = config.advertise;
  options.mgmtd = *ParseAddressList("cluster.mgmtd", config.mgmtd);
  options.secret = config.secret;
  options.heartbeat_interval = Nanos(config.heartbeat_ms * 1'000'000);
  options.serve_lease = Nanos(config.serve_lease_ms * 1'000'000);
  options.punch_bytes_per_second = static_cast<uint64_t>(config.punch_mib_per_s) << 20;
  options.punch_delay = std::chrono::seconds(config.punch_delay_s);
  options.scrub_bytes_per_second = static_cast<uint64_t>(config.scrub_mib_per_s) << 20;
  options.scrub_interval = std::chrono::seconds(config.scrub_interval_s);
  options.rejoin_free_bytes = static_cast<uint64_t>(config.rejoin_free_mib) << 20;
  options.reserve_bytes = static_cast<uint64_t>(config.reserve_mib) << 20;
  options.rpc = config.rpc;
  Runtime& rt = state->rt.worker(0);
  ASSIGN_OR_RETURN(state->node,
                   state->rt.RunSync(0, StorageNode::Start(rt, options, std::move(specs))));
  LOG_INFO("storage server {} on {} with {} targets", config.node_id,
           state->node->address().ToString(), dirs.size());
  return std::unique_ptr<StorageServer>(new StorageServer(std::move(state)));
}

Address StorageServer::address() const { return state_->node->address(); }

namespace {

Task<Status> StopNode(StorageNode* node) {
  node->Stop();
  co_await node->Join();
  co_return Status();
}

}  // namespace

void StorageServer::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  (void)state_->rt.RunSync(0, StopNode(state_->node.get()));
  state_->rt.Stop();
}

}  // namespace chainfs::storage
