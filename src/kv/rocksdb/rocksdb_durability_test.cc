// Every commit the engine acknowledged survives SIGKILL of the process, mid-stream: durable
// ones and those with relaxed durability (which skip only the sync, and so may be lost only
// when the machine fails).

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <future>
#include <mutex>
#include <set>
#include <string>

#include "kv/rocksdb/rocksdb_engine.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::kv {
namespace {

std::string KeyOf(int writer, int i) { return fmt::format("d/{}/{:08}", writer, i); }

// Commits keys one after another and reports each acknowledged one on `fd`. Odd writers relax
// durability.
Task<void> Writer(Engine& engine, int writer, int fd, int* running) {
  for (int i = 0;; ++i) {
    auto txn = engine.Begin();
    txn->Set(KeyOf(writer, i), std::string(100, 'x'));
    txn->AtomicAdd("acked", 1);
    if (writer % 2 == 1) txn->RelaxDurability();
    Status st = co_await txn->Commit();
    if (!st.ok()) break;
    std::string line = fmt::format("{} {}\n", writer, i);
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) break;
  }
  --*running;
}

Task<Status> WriteForever(Engine& engine, Runtime& rt, int fd) {
  int running = 8;
  for (int w = 0; w < 8; ++w) rt.Spawn(Writer(engine, w, fd, &running), "writer");
  while (running > 0) co_await rt.clock().Sleep(Nanos(10ms));
  co_return Status();
}

[[noreturn]] void ChildMain(const std::string& dir, int fd) {
  auto engine = RocksDbEngine::Open({.path = dir});
  if (!engine.ok()) _exit(3);
  RealRuntime rt(1);
  (void)rt.RunSync(0, WriteForever(**engine, rt.worker(0), fd));
  _exit(0);
}

Task<Result<std::optional<std::string>>> Read(Engine& engine, std::string key) {
  auto txn = engine.Begin();
  co_return co_await txn->Get(key);
}

TEST(RocksDbDurabilityTest, AcknowledgedCommitsSurviveSigkill) {
  std::string dir = ::testing::TempDir() + "/chainfs_kv_durability";
  std::filesystem::remove_all(dir);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    ChildMain(dir, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);

  // Collect acknowledgements until enough have arrived (bounded in count and time), then kill.
  std::set<std::pair<int, int>> acked;
  FILE* in = ::fdopen(pipe_fds[0], "r");
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int writer = 0, i = 0;
  while (acked.size() < 400 && std::chrono::steady_clock::now() < give_up &&
         std::fscanf(in, "%d %d", &writer, &i) == 2) {
    acked.insert({writer, i});
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  // Acknowledgements already in the pipe when the child died count too.
  while (std::fscanf(in, "%d %d", &writer, &i) == 2) acked.insert({writer, i});
  ::fclose(in);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer ended before it was killed";
  ASSERT_GE(acked.size(), 400u);

  auto engine = RocksDbEngine::Open({.path = dir});
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  RealRuntime rt(1);
  size_t missing = 0;
  for (const auto& [w, n] : acked) {
    auto v = rt.RunSync(0, Read(**engine, KeyOf(w, n)));
    if (!v.ok() || !v->has_value()) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged commits";
  auto count = rt.RunSync(0, Read(**engine, "acked"));
  ASSERT_TRUE(count.ok() && count->has_value());
  EXPECT_GE(static_cast<size_t>(*DecodeInt64(**count)), acked.size());
  engine->reset();
  std::filesystem::remove_all(dir);
}

TEST(RocksDbEngineTest, UnusablePathIsNamed) {
  auto engine = RocksDbEngine::Open({.path = "/proc/chainfs-cannot-be-here"});
  ASSERT_FALSE(engine.ok());
  EXPECT_EQ(engine.status().code(), StatusCode::kIoError);
  EXPECT_NE(engine.status().message().find("/proc/chainfs-cannot-be-here"), std::string_view::npos)
      << engine.status().message();
}

}  // namespace
}  // namespace chainfs::kv

namespace chainfs::kv {
namespace {

Task<void> CommitMany(Engine& engine, int writer, int count, int* done) {
  for (int i = 0; i < count; ++i) {
    auto txn = engine.Begin();
    txn->Set(KeyOf(writer, i), "v");
    if (!(co_await txn->Commit()).ok()) break;
  }
  ++*done;
}

Task<Status> ManyWriters(Engine& engine, Runtime& rt, int writers, int each) {
  int done = 0;
  for (int w = 0; w < writers; ++w) rt.Spawn(CommitMany(engine, w, each, &done), "commit");
  while (done < writers) co_await rt.clock().Sleep(Nanos(1ms));
  co_return Status();
}

Task<Status> RelaxedCommits(Engine& engine, int count) {
  for (int i = 0; i < count; ++i) {
    auto txn = engine.Begin();
    txn->Set(KeyOf(0, i), "v");
    txn->AtomicAdd("n", 1);
    txn->RelaxDurability();
    CO_RETURN_IF_ERROR(co_await txn->Commit());
  }
  co_return Status();
}

TEST(RocksDbEngineTest, RelaxedCommitsSkipTheSync) {
  std::string dir = ::testing::TempDir() + "/chainfs_kv_relaxed";
  std::filesystem::remove_all(dir);
  auto engine = RocksDbEngine::Open({.path = dir});
  ASSERT_TRUE(engine.ok());
  RealRuntime rt(1);
  ASSERT_TRUE(rt.RunSync(0, RelaxedCommits(**engine, 50)).ok());
  EXPECT_EQ((*engine)->synced_writes(), 0u);
  auto n = rt.RunSync(0, Read(**engine, "n"));
  ASSERT_TRUE(n.ok() && n->has_value());
  EXPECT_EQ(*DecodeInt64(**n), 50);
  engine->reset();
  std::filesystem::remove_all(dir);
}

Task<Status> DurableCommit(Engine& engine, std::string key) {
  auto txn = engine.Begin();
  txn->Set(key, "v");
  co_return co_await txn->Commit();
}

TEST(RocksDbEngineTest, RelaxedCommitsAreNotHeldByASync) {
  std::string dir = ::testing::TempDir() + "/chainfs_kv_held_sync";
  std::filesystem::remove_all(dir);
  std::mutex mu;
  std::condition_variable cv;
  bool syncing = false, release = false;
  RocksDbOptions options{.path = dir};
  options.before_sync = [&] {
    std::unique_lock lock(mu);
    syncing = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  };
  auto engine = RocksDbEngine::Open(options);
  ASSERT_TRUE(engine.ok());
  RealRuntime rt(1);
  auto durable =
      asio::co_spawn(rt.worker(0).executor(), DurableCommit(**engine, "durable"), asio::use_future);
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return syncing; });
  }
  // The durable commit is written and held in its sync: relaxed commits still go through,
  // after it, and the durable one is not answered before its sync.
  ASSERT_TRUE(rt.RunSync(0, RelaxedCommits(**engine, 5)).ok());
  auto seen = rt.RunSync(0, Read(**engine, "durable"));
  ASSERT_TRUE(seen.ok() && seen->has_value());
  EXPECT_EQ(durable.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_TRUE(durable.get().ok());
  EXPECT_EQ((*engine)->synced_writes(), 1u);
  engine->reset();
  std::filesystem::remove_all(dir);
}

TEST(RocksDbEngineTest, ConcurrentCommitsShareSyncedWrites) {
  std::string dir = ::testing::TempDir() + "/chainfs_kv_group";
  std::filesystem::remove_all(dir);
  auto engine = RocksDbEngine::Open({.path = dir});
  ASSERT_TRUE(engine.ok());
  RealRuntime rt(1);
  ASSERT_TRUE(rt.RunSync(0, ManyWriters(**engine, rt.worker(0), 32, 20)).ok());
  // 640 commits; while one group is being synced, the others queue up behind it.
  EXPECT_LT((*engine)->synced_writes(), 640u / 4) << (*engine)->synced_writes();
  engine->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chainfs::kv
