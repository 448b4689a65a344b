#include "runtime/sim/sim_disk.h"

#include <gtest/gtest.h>

#include "runtime/sim/sim_run.h"

namespace chainfs {
namespace {

Task<Status> WriteFile(Disk& disk, std::string path, std::string data, bool sync) {
  auto f = co_await disk.Open(path, OpenMode::kCreate);
  if (!f.ok()) co_return f.status();
  CO_RETURN_IF_ERROR(co_await (*f)->WriteAt(0, data));
  if (sync) CO_RETURN_IF_ERROR(co_await (*f)->Sync());
  co_return Status();
}

Task<Result<std::string>> ReadFile(Disk& disk, std::string path) {
  auto f = co_await disk.Open(path, OpenMode::kReadOnly);
  if (!f.ok()) co_return f.status();
  std::string out(64, '\0');
  auto n = co_await (*f)->ReadAt(0, out);
  if (!n.ok()) co_return n.status();
  out.resize(*n);
  co_return out;
}

TEST(SimDiskTest, CrashKeepsOnlySyncedData) {
  SimWorld world(3);
  SimDisk disk(world, "n", {});
  ASSERT_TRUE(RunSimTask(world, WriteFile(disk, "d/synced", "durable", true))->ok());
  ASSERT_TRUE(RunSimTask(world, disk.SyncDir("d"))->ok());
  ASSERT_TRUE(RunSimTask(world, WriteFile(disk, "d/synced", "lost!!!", false))->ok());
  ASSERT_TRUE(RunSimTask(world, WriteFile(disk, "d/unnamed", "data", true))->ok());
  EXPECT_EQ(**RunSimTask(world, ReadFile(disk, "d/synced")), "lost!!!");
  disk.Crash();
  EXPECT_EQ(**RunSimTask(world, ReadFile(disk, "d/synced")), "durable");
  // Its contents were synced, but its name never was.
  EXPECT_EQ(RunSimTask(world, ReadFile(disk, "d/unnamed"))->status().code(), StatusCode::kNotFound);
}

TEST(SimDiskTest, InjectedErrorsAreIoErrors) {
  SimWorld world(3);
  SimDisk disk(world, "n", {});
  disk.set_failed(true);
  Status st = *RunSimTask(world, WriteFile(disk, "f", "x", true));
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find("simulated I/O error"), std::string_view::npos);
  disk.set_failed(false);
  EXPECT_TRUE(RunSimTask(world, WriteFile(disk, "f", "x", true))->ok());
}

TEST(SimDiskTest, ListAndRename) {
  SimWorld world(3);
  SimDisk disk(world, "n", {});
  ASSERT_TRUE(RunSimTask(world, WriteFile(disk, "d/b", "1", false))->ok());
  ASSERT_TRUE(RunSimTask(world, WriteFile(disk, "d/a", "2", false))->ok());
  ASSERT_TRUE(RunSimTask(world, disk.Rename("d/b", "d/c"))->ok());
  auto names = RunSimTask(world, disk.List("d"));
  EXPECT_EQ(**names, (std::vector<std::string>{"a", "c"}));
}

}  // namespace
}  // namespace chainfs
