// RocksDB on a file system that fills up. Needs root (it mounts a small tmpfs); skipped
// otherwise.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "kv/rocksdb/rocksdb_engine.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::kv {
namespace {

// A tmpfs of `mib` MiB at a fresh directory, unmounted (and removed) at the end.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(int mib) : path_(::testing::TempDir() + "/chainfs_kv_full") {
    ::umount2(path_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
    std::string size = "size=" + std::to_string(mib) + "m";
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, size.c_str()) == 0;
  }
  ~SmallFileSystem() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    std::filesystem::remove_all(path_);
  }
  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }

  // Writes `name` until the file system is full; returns the bytes written.
  size_t Fill(const std::string& name) {
    int fd = ::open((path_ + "/" + name).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0) return 0;
    std::string block(64 << 10, 'f');
    size_t total = 0;
    while (true) {
      ssize_t n = ::write(fd, block.data(), block.size());
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    ::close(fd);
    return total;
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

Task<Status> Put(Engine& engine, std::string key, size_t bytes) {
  auto txn = engine.Begin();
  txn->Set(key, std::string(bytes, 'v'));
  co_return co_await txn->Commit();
}

Task<Result<std::optional<std::string>>> Get(Engine& engine, std::string key) {
  auto txn = engine.Begin();
  co_return co_await txn->Get(key);
}

// Commits are refused with kNoSpace, and what was committed before can still be read. The
// server must not die: RocksDB logged the error to a LOG file on the full disk, and the next
// line logged after that file's failed write aborted the process (RocksLogger).
TEST(RocksDbEngineTest, AFullDiskRefusesCommitsAndKeepsWhatWasThere) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small file system needs root";
  SmallFileSystem fs(16);
  if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here";
  auto engine = RocksDbEngine::Open({.path = fs.path() + "/db", .write_buffer_bytes = 1 << 20});
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  RealRuntime rt(1);
  ASSERT_TRUE(rt.RunSync(0, Put(**engine, "before", 100)).ok());
  ASSERT_GT(fs.Fill("filler"), 0u);
  Status refused;
  for (int i = 0; i < 1000 && refused.ok(); ++i) {
    refused = rt.RunSync(0, Put(**engine, "full/" + std::to_string(i), 64 << 10));
  }
  EXPECT_EQ(refused.code(), StatusCode::kNoSpace) << refused.ToString();
  // Later commits are refused the same way, each with an answer.
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(rt.RunSync(0, Put(**engine, "more", 100)).code(), StatusCode::kNoSpace);
  }
  auto before = rt.RunSync(0, Get(**engine, "before"));
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->value_or(""), std::string(100, 'v'));
  engine->reset();
}

}  // namespace
}  // namespace chainfs::kv
