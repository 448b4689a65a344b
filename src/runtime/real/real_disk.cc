#include "runtime/real/real_disk.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/falloc.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/random_access_file.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write_at.hpp>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>

namespace chainfs {
namespace {

namespace fs = std::filesystem;
constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);

// Threads that only wait for the device: blocking syncs run here.
asio::thread_pool& SyncPool() {
  static asio::thread_pool pool(4);
  return pool;
}

// errno of fdatasync(fd), 0 on success.
Task<int> FdatasyncOn(int fd) { co_return ::fdatasync(fd) == 0 ? 0 : errno; }

// errno of punching [offset, offset + length) out of fd, 0 on success.
Task<int> PunchOn(int fd, uint64_t offset, uint64_t length) {
  int rc = ::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                       static_cast<off_t>(length));
  co_return rc == 0 ? 0 : errno;
}

Status DiskError(std::string_view what, const std::string& path, const std::error_code& ec) {
  // asio reports errno values in a category of its own, so compare the number.
  if (ec.value() == ENOENT) {
    return NotFound(fmt::format("{} '{}': {}", what, path, ec.message()));
  }
  // A full disk is not a broken one: the write is refused, the disk keeps serving.
  if (ec.value() == ENOSPC || ec.value() == EDQUOT) {
    return Status(StatusCode::kNoSpace, fmt::format("{} '{}': {}", what, path, ec.message()));
  }
  return IoError(fmt::format("{} '{}': {}", what, path, ec.message()));
}

class RealFile : public File {
 public:
  RealFile(asio::random_access_file file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}

  Task<Result<size_t>> ReadAt(uint64_t offset, std::span<char> out) override {
    size_t done = 0;
    while (done < out.size()) {
      std::span<char> rest = out.subspan(done);
      bool direct = direct_ && rest.size() >= kDirectReadMinBytes && Aligned(offset + done, rest);
      auto& from = direct ? *direct_ : file_;
      auto [ec, n] = co_await from.async_read_some_at(
          offset + done, asio::buffer(rest.data(), rest.size()), kAsTuple);
      if (direct && ec.value() == EINVAL) {
        direct_.reset();  // refused for its alignment after all: cached from now on
        continue;
      }
      if (ec == asio::error::eof) break;
      if (ec) co_return DiskError("read", path_, ec);
      done += n;
    }
    co_return done;
  }

  Task<Status> WriteAt(uint64_t offset, std::span<const char> data) override {
    if (direct_ && Aligned(offset, data)) {
      auto [ec, n] = co_await asio::async_write_at(
          *direct_, offset, asio::buffer(data.data(), data.size()), kAsTuple);
      if (!ec) co_return Status();
      // Refused for its alignment after all (a device with larger blocks): cached from now on.
      if (ec.value() != EINVAL) co_return DiskError("write", path_, ec);
      direct_.reset();
    }
    auto [ec, n] = co_await asio::async_write_at(file_, offset,
                                                 asio::buffer(data.data(), data.size()), kAsTuple);
    if (ec) co_return DiskError("write", path_, ec);
    co_return Status();
  }

  // A second descriptor on the same file, opened with O_DIRECT, takes the aligned I/O. The
  // kernel keeps the two coherent: direct I/O first writes back the cached pages it covers, and
  // a direct write drops them.
  bool PreferDirectIo() override {
    if (direct_) return true;
    int fd = ::open(path_.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC);
    if (fd < 0) return false;
    direct_.emplace(file_.get_executor(), fd);
    return true;
  }

  // fdatasync blocks for as long as the device takes (milliseconds for a large write), so it
  // runs on the sync pool while this thread serves others.
  Task<Status> Sync() override {
    int err = co_await asio::co_spawn(SyncPool().get_executor(), FdatasyncOn(file_.native_handle()),
                                      asio::use_awaitable);
    if (err != 0) co_return DiskError("sync", path_, std::error_code(err, std::system_category()));
    co_return Status();
  }

  Task<Status> Truncate(uint64_t size) override {
    std::error_code ec;
    file_.resize(size, ec);
    if (ec) co_return DiskError("truncate", path_, ec);
    co_return Status();
  }

  // A punch updates the file system's journal, which may wait for the device: the sync pool.
  Task<Status> PunchHole(uint64_t offset, uint64_t length) override {
    int err = co_await asio::co_spawn(SyncPool().get_executor(),
                                      PunchOn(file_.native_handle(), offset, length),
                                      asio::use_awaitable);
    if (err == EOPNOTSUPP) {
      co_return Status(StatusCode::kUnimplemented,
                       fmt::format("punch '{}': the file system cannot", path_));
    }
    if (err != 0) co_return DiskError("punch", path_, std::error_code(err, std::system_category()));
    co_return Status();
  }

  Result<uint64_t> Size() const override {
    std::error_code ec;
    uint64_t size = file_.size(ec);
    if (ec) return DiskError("size of", path_, ec);
    return size;
  }

 private:
  static bool Aligned(uint64_t offset, std::span<const char> data) {
    return offset % kDirectIoAlign == 0 && data.size() % kDirectIoAlign == 0 &&
           reinterpret_cast<uintptr_t>(data.data()) % kDirectIoAlign == 0;
  }

  asio::random_access_file file_;
  std::optional<asio::random_access_file> direct_;  // for aligned I/O, once preferred
  std::string path_;
};

asio::file_base::flags ToFlags(OpenMode mode) {
  switch (mode) {
    case OpenMode::kReadOnly:
      return asio::file_base::read_only;
    case OpenMode::kReadWrite:
      return asio::file_base::read_write;
    case OpenMode::kCreate:
      return asio::file_base::read_write | asio::file_base::create;
  }
  return asio::file_base::read_only;
}

}  // namespace

Task<Result<std::unique_ptr<File>>> RealDisk::Open(std::string path, OpenMode mode) {
  asio::random_access_file file(ex_);
  std::error_code ec;
  file.open(path, ToFlags(mode), ec);
  if (ec) co_return DiskError("open", path, ec);
  co_return std::unique_ptr<File>(std::make_unique<RealFile>(std::move(file), path));
}

Task<Status> RealDisk::Remove(std::string path) {
  std::error_code ec;
  if (!fs::remove(path, ec) && !ec) ec = std::make_error_code(std::errc::no_such_file_or_directory);
  if (ec) co_return DiskError("remove", path, ec);
  co_return Status();
}

Task<Status> RealDisk::Rename(std::string from, std::string to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) co_return DiskError("rename", from, ec);
  co_return Status();
}

Task<Status> RealDisk::MakeDirs(std::string path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) co_return DiskError("create directory", path, ec);
  co_return Status();
}

Task<Status> RealDisk::SyncDir(std::string path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    co_return DiskError("open directory", path, std::error_code(errno, std::system_category()));
  int rc = ::fsync(fd);
  std::error_code ec(rc == 0 ? 0 : errno, std::system_category());
  ::close(fd);
  if (rc != 0) co_return DiskError("sync directory", path, ec);
  co_return Status();
}

Task<Result<std::vector<std::string>>> RealDisk::List(std::string path) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) co_return DiskError("list", path, ec);
  std::sort(names.begin(), names.end());
  co_return names;
}

Result<uint64_t> RealDisk::FreeBytes(const std::string& path) {
  struct statvfs st {};
  if (::statvfs(path.c_str(), &st) != 0) {
    return DiskError("statvfs", path, std::error_code(errno, std::system_category()));
  }
  return uint64_t{st.f_bavail} * st.f_frsize;
}

}  // namespace chainfs
