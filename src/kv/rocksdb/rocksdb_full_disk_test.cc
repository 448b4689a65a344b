// RocksDB on a file system that fills up. Needs root (it mounts a small tmpfs); skipped
// otherwise.
#include <gtest/gtest.h>

#include <string>

#include "kv/rocksdb/rocksdb_engine.h"
#include "runtime/real/real_runtime.h"
#include "small_fs.h"

namespace chainfs::kv {
namespace {

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
// server must not die: with its log in a LOG file on the full disk, RocksDB aborts on the next
// line logged after that file's failed write (RocksLogger).
TEST(RocksDbEngineTest, AFullDiskRefusesCommitsAndKeepsWhatWasThere) {
  testing::SmallFileSystem fs("chainfs-kv-full", 16);
  if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
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
