#include "runtime/sim/sim_disk.h"

#include <fmt/format.h>

#include <algorithm>

namespace chainfs {

namespace {

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

class SimFile : public File {
 public:
  SimFile(SimDisk& disk, std::string path, std::shared_ptr<SimDisk::Content> content, bool writable)
      : disk_(disk),
        path_(std::move(path)),
        content_(std::move(content)),
        writable_(writable),
        epoch_(disk.epoch_) {}

  Task<Result<size_t>> ReadAt(uint64_t offset, std::span<char> out) override {
    Status st = co_await disk_.Begin("read", path_, epoch_);
    if (!st.ok()) co_return st;
    const std::string& data = content_->current;
    if (offset >= data.size()) co_return size_t{0};
    size_t n = std::min<size_t>(out.size(), data.size() - offset);
    std::copy_n(data.data() + offset, n, out.data());
    co_return n;
  }

  Task<Status> WriteAt(uint64_t offset, std::span<const char> data) override {
    if (!writable_) co_return IoError(fmt::format("write '{}': file is read-only", path_));
    CO_RETURN_IF_ERROR(co_await disk_.Begin("write", path_, epoch_));
    std::string& cur = content_->current;
    if (disk_.full_ && (disk_.full_overwrites_ || cur.size() < offset + data.size())) {
      co_return Status(StatusCode::kNoSpace,
                       fmt::format("write '{}': no space left on the device", path_));
    }
    if (cur.size() < offset + data.size()) cur.resize(offset + data.size(), '\0');
    std::copy(data.begin(), data.end(), cur.begin() + static_cast<long>(offset));
    co_return Status();
  }

  Task<Status> Sync() override {
    CO_RETURN_IF_ERROR(co_await disk_.Begin("sync", path_, epoch_));
    content_->durable = content_->current;
    ++disk_.file_syncs_;
    co_return Status();
  }

  Task<Status> Truncate(uint64_t size) override {
    if (!writable_) co_return IoError(fmt::format("truncate '{}': file is read-only", path_));
    CO_RETURN_IF_ERROR(co_await disk_.Begin("truncate", path_, epoch_));
    content_->current.resize(size, '\0');
    co_return Status();
  }

  Task<Status> PunchHole(uint64_t offset, uint64_t length) override {
    if (!writable_) co_return IoError(fmt::format("punch '{}': file is read-only", path_));
    CO_RETURN_IF_ERROR(co_await disk_.Begin("punch", path_, epoch_));
    std::string& cur = content_->current;
    if (offset < cur.size()) {
      uint64_t n = std::min<uint64_t>(length, cur.size() - offset);
      std::fill_n(cur.begin() + static_cast<long>(offset), n, '\0');
    }
    co_return Status();
  }

  Result<uint64_t> Size() const override { return content_->current.size(); }

 private:
  SimDisk& disk_;
  std::string path_;
  std::shared_ptr<SimDisk::Content> content_;
  bool writable_;
  // Files opened before a crash belong to the process that crashed: they fail from then on.
  uint64_t epoch_;
};

SimDisk::SimDisk(SimWorld& world, std::string node, SimDiskOptions options)
    : world_(world), node_(std::move(node)), options_(options) {}

SimDisk::~SimDisk() = default;

Task<Status> SimDisk::Begin(std::string_view op, const std::string& path,
                            std::optional<uint64_t> epoch) {
  uint64_t started = epoch.value_or(epoch_);
  SimClock clock(world_);
  Nanos span = options_.max_latency - options_.min_latency;
  Nanos latency = options_.min_latency;
  if (span.count() > 0) latency += Nanos(world_.random().Uniform(span.count() + 1));
  co_await clock.Sleep(latency);
  if (started != epoch_) {
    co_return IoError(fmt::format("{} '{}': the disk crashed under this operation", op, path));
  }
  if (failed_ || world_.random().OneIn(options_.error_probability)) {
    world_.Trace(fmt::format("disk {} error {} {}", node_, op, path));
    co_return IoError(fmt::format("{} '{}': simulated I/O error", op, path));
  }
  co_return Status();
}

void SimDisk::Crash() {
  world_.Trace(fmt::format("disk {} crash", node_));
  ++epoch_;
  live_ = durable_;
  for (auto& [path, content] : live_) content->current = content->durable;
}

Task<Result<std::unique_ptr<File>>> SimDisk::Open(std::string path, OpenMode mode) {
  CO_RETURN_IF_ERROR(co_await Begin("open", path));
  auto it = live_.find(path);
  if (it == live_.end()) {
    if (mode != OpenMode::kCreate) co_return NotFound(fmt::format("open '{}': no such file", path));
    it = live_.emplace(path, std::make_shared<Content>()).first;
  }
  co_return std::unique_ptr<File>(
      std::make_unique<SimFile>(*this, path, it->second, mode != OpenMode::kReadOnly));
}

Task<Status> SimDisk::Remove(std::string path) {
  CO_RETURN_IF_ERROR(co_await Begin("remove", path));
  if (live_.erase(path) == 0) co_return NotFound(fmt::format("remove '{}': no such file", path));
  co_return Status();
}

Task<Status> SimDisk::Rename(std::string from, std::string to) {
  CO_RETURN_IF_ERROR(co_await Begin("rename", from));
  auto it = live_.find(from);
  if (it == live_.end()) co_return NotFound(fmt::format("rename '{}': no such file", from));
  auto content = it->second;
  live_.erase(it);
  live_[to] = std::move(content);
  co_return Status();
}

Task<Status> SimDisk::MakeDirs(std::string path) {
  // Directories are implied by the names of the files in them.
  co_return co_await Begin("mkdir", path);
}

Task<Status> SimDisk::SyncDir(std::string path) {
  CO_RETURN_IF_ERROR(co_await Begin("syncdir", path));
  std::erase_if(durable_, [&](const auto& e) { return Parent(e.first) == path; });
  for (const auto& [name, content] : live_) {
    if (Parent(name) == path) durable_[name] = content;
  }
  co_return Status();
}

Task<Result<std::vector<std::string>>> SimDisk::List(std::string path) {
  CO_RETURN_IF_ERROR(co_await Begin("list", path));
  std::vector<std::string> names;
  for (const auto& [name, content] : live_) {
    if (Parent(name) == path) names.push_back(name.substr(path.size() + 1));
  }
  co_return names;
}

Result<uint64_t> SimDisk::FreeBytes(const std::string& path) {
  if (failed_) return IoError(fmt::format("statvfs '{}': the disk failed", path));
  return full_ ? 0 : kSimFreeBytes;
}

}  // namespace chainfs
