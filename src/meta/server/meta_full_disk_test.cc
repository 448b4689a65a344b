// The metadata server on a disk that fills up: below its reserve it refuses new entries with
// ENOSPC and still removes, so files can be deleted to make room. Needs root (it mounts a small
// tmpfs); skipped otherwise.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "meta/server/meta_test_cluster.h"
#include "small_fs.h"

namespace chainfs::meta {
namespace {

const Caller kRoot{0, 0, {}};

TEST(MetaFullDiskTest, BelowItsReserveNewEntriesFailAndRemovalsGoOn) {
  testing::SmallFileSystem fs("chainfs-meta-full", 48);
  if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  kv::KvConfig kv;
  kv.engine = "rocksdb";
  kv.rocksdb_path = fs.path() + "/meta";
  kv.rocksdb_write_buffer_mb = 1;
  MetaServerConfig config = TestServerConfig(kv);
  config.reserve_mib = 8;
  auto server = MetaServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  MetaTestClient client;
  MetaService::Client stub = client.Stub((*server)->address());
  auto mknod = [&](const std::string& name) {
    return client.Run(stub.Mknod(MknodReq{kRoot, kRootInode, name, NewEntry{}}));
  };
  ASSERT_TRUE(mknod("before").ok());

  ASSERT_GT(fs.Fill("filler"), 0u);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // past the server's last look
  auto refused = mknod("after");
  ASSERT_EQ(refused.status().code(), StatusCode::kNoSpace) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("below the 8 MiB kept"), std::string_view::npos)
      << refused.status().message();
  auto mkdir = client.Run(
      stub.Mknod(MknodReq{kRoot, kRootInode, "dir", NewEntry{FileType::kDirectory, 0755}}));
  EXPECT_EQ(mkdir.status().code(), StatusCode::kNoSpace);
  auto removed = client.Run(stub.Unlink(RemoveReq{kRoot, kRootInode, "before"}));
  EXPECT_TRUE(removed.ok()) << removed.status().ToString();

  std::filesystem::remove(fs.path() + "/filler");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  auto again = mknod("after");
  EXPECT_TRUE(again.ok()) << again.status().ToString();
  server->reset();
}

}  // namespace
}  // namespace chainfs::meta
