#include <gtest/gtest.h>

#include <set>

#include "kv/mem/mem_engine.h"
#include "meta/schema/inode_allocator.h"
#include "meta/schema/keys.h"
#include "meta/schema/records.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::meta {
namespace {

TEST(KeysTest, InodeKeysSortByNumber) {
  EXPECT_LT(keys::Inode(InodeId(2)), keys::Inode(InodeId(10)));
  EXPECT_LT(keys::Inode(InodeId(255)), keys::Inode(InodeId(256)));
  EXPECT_EQ(*keys::ParseInode(keys::Inode(InodeId(0x0102030405060708))),
            InodeId(0x0102030405060708));
  EXPECT_EQ(keys::ParseInode("INODshort").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(keys::ParseInode("DENT12345678").status().code(), StatusCode::kCorruption);
}

TEST(KeysTest, OneDirectorysEntriesFormOneRange) {
  keys::Range r = keys::Dentries(InodeId(7));
  for (const std::string& name :
       std::vector<std::string>{"a", "zzz", std::string(255, '\xff'), std::string("\0x", 2)}) {
    std::string k = keys::Dentry(InodeId(7), name);
    EXPECT_TRUE(r.begin <= k && k < r.end) << name;
    EXPECT_TRUE(keys::TakeDentryName(InodeId(7), k).ok());
    EXPECT_EQ(k, name);
  }
  EXPECT_FALSE(keys::Dentry(InodeId(8), "a") < r.end);
  EXPECT_FALSE(keys::Dentry(InodeId(6), std::string(10, '\xff')) >= r.begin);
  std::string other = keys::Dentry(InodeId(7), "a");
  EXPECT_FALSE(keys::TakeDentryName(InodeId(8), other).ok());
  // Another directory's entry, no name, another kind of key, a cut key: refused, unchanged.
  for (const std::string& bad : {keys::Dentry(InodeId(8), "a"), keys::Dentry(InodeId(7), ""),
                                 keys::Inode(InodeId(7)) + "a", std::string("DEN")}) {
    std::string key = bad;
    EXPECT_EQ(keys::TakeDentryName(InodeId(7), key).code(), StatusCode::kCorruption);
    EXPECT_EQ(key, bad);
  }
}

TEST(KeysTest, GcQueueOrdersByDueTime) {
  EXPECT_LT(keys::GcQueue(Nanos(5), InodeId(99)), keys::GcQueue(Nanos(6), InodeId(1)));
  keys::Range due = keys::GcDueBy(Nanos(5));
  EXPECT_LT(keys::GcQueue(Nanos(5), InodeId(99)), due.end);
  EXPECT_GE(keys::GcQueue(Nanos(6), InodeId(1)), due.end);
}

TEST(RecordsTest, InodeRoundTripsAndGarbageIsCorruption) {
  InodeRecord r;
  r.type = FileType::kDirectory;
  r.mode = 0755;
  r.nlink = 2;
  r.parent = InodeId(1);
  r.layout = Layout{};
  Result<InodeRecord> back = DecodeRecord<InodeRecord>(rpc::Encode(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
  EXPECT_EQ(DecodeRecord<InodeRecord>("garbage").status().code(), StatusCode::kCorruption);
}

Task<void> Take(InodeAllocator& a, int n, std::vector<uint64_t>* out, int* done) {
  for (int i = 0; i < n; ++i) {
    Result<InodeId> id = co_await a.Next();
    if (id.ok()) out->push_back(id->value());
  }
  ++*done;
}

TEST(InodeAllocatorTest, ServersNeverShareAnId) {
  SimWorld world(3);
  SimNetwork net(world, {});
  SimNode a_node(world, net, "a"), b_node(world, net, "b");
  kv::MemEngine engine;
  InodeAllocator a(engine, a_node, 10), b(engine, b_node, 10);
  std::vector<uint64_t> ids;
  int done = 0;
  for (int i = 0; i < 4; ++i) {
    a_node.Spawn(Take(a, 25, &ids, &done), "take");
    b_node.Spawn(Take(b, 25, &ids, &done), "take");
  }
  world.RunUntil([&] { return done == 8; }, Nanos(3600s));
  ASSERT_EQ(done, 8);
  ASSERT_EQ(ids.size(), 200u);
  std::set<uint64_t> unique(ids.begin(), ids.end());
  EXPECT_EQ(unique.size(), 200u);
  EXPECT_EQ(*unique.begin(), 2u);  // the root is 1
  // 200 ids in batches of 10: at most one partly used batch per allocator, so at most 220.
  EXPECT_LE(*unique.rbegin(), 221u);
  world.Shutdown();
}

}  // namespace
}  // namespace chainfs::meta
