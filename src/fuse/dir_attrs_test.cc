#include "fuse/dir_attrs.h"

#include <gtest/gtest.h>

namespace chainfs::fuse {
namespace {

using std::chrono::milliseconds;

meta::Attr Dir(uint64_t ino, int64_t time_ns, uint64_t entries, uint32_t nlink) {
  meta::Attr a;
  a.id = InodeId(ino);
  a.record.type = meta::FileType::kDirectory;
  a.record.mode = 0755;
  a.record.mtime_ns = a.record.ctime_ns = time_ns;
  a.record.size = entries;
  a.record.nlink = nlink;
  return a;
}

TEST(DirAttrsTest, AnswersWithinTheTimeoutOnly) {
  DirAttrs dirs;
  dirs.set_ttl(1.0);
  auto t0 = DirAttrs::Clock::now();
  dirs.Remember(Dir(7, 100, 3, 2), t0);
  ASSERT_TRUE(dirs.Fresh(7, t0 + milliseconds(999)).has_value());
  EXPECT_EQ(dirs.Fresh(7, t0 + milliseconds(999))->record.size, 3u);
  EXPECT_FALSE(dirs.Fresh(7, t0 + milliseconds(1000)).has_value());
  EXPECT_FALSE(dirs.Fresh(8, t0).has_value());
}

TEST(DirAttrsTest, OwnEntriesMoveTimesAndCountsButNotFreshness) {
  DirAttrs dirs;
  dirs.set_ttl(1.0);
  auto t0 = DirAttrs::Clock::now();
  dirs.Remember(Dir(7, 100, 3, 2), t0);
  dirs.Added(7, 250, /*child_is_dir=*/false);
  dirs.Added(7, 200, /*child_is_dir=*/true);  // an older change time moves nothing back
  std::optional<meta::Attr> a = dirs.Fresh(7, t0 + milliseconds(500));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->record.mtime_ns, 250);
  EXPECT_EQ(a->record.ctime_ns, 250);
  EXPECT_EQ(a->record.size, 5u);
  EXPECT_EQ(a->record.nlink, 3u);
  // Changes do not extend what the server's answer is good for.
  EXPECT_FALSE(dirs.Fresh(7, t0 + milliseconds(1000)).has_value());
  // An entry made in a directory not known here is nothing to apply.
  dirs.Added(9, 300, false);
  EXPECT_FALSE(dirs.Fresh(9, t0).has_value());
}

TEST(DirAttrsTest, UnlinksMoveTimesAndCountsOrDropTheEntry) {
  DirAttrs dirs;
  dirs.set_ttl(1.0);
  auto t0 = DirAttrs::Clock::now();
  dirs.Remember(Dir(7, 100, 3, 2), t0);
  dirs.Removed(7, 300);
  std::optional<meta::Attr> a = dirs.Fresh(7, t0);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->record.mtime_ns, 300);
  EXPECT_EQ(a->record.ctime_ns, 300);
  EXPECT_EQ(a->record.size, 2u);
  // Without the server's time (an answer replayed from the store) nothing can be applied.
  dirs.Removed(7, 0);
  EXPECT_FALSE(dirs.Fresh(7, t0).has_value());
}

TEST(DirAttrsTest, KeepsOnlyDirectoriesAndForgets) {
  DirAttrs dirs;
  dirs.set_ttl(1.0);
  auto t0 = DirAttrs::Clock::now();
  meta::Attr file = Dir(5, 100, 0, 1);
  file.record.type = meta::FileType::kRegular;
  dirs.Remember(file, t0);
  EXPECT_FALSE(dirs.Fresh(5, t0).has_value());
  dirs.Remember(Dir(7, 100, 3, 2), t0);
  dirs.Forget(7);
  EXPECT_FALSE(dirs.Fresh(7, t0).has_value());
}

TEST(DirAttrsTest, ZeroTimeoutKeepsNothing) {
  DirAttrs dirs;
  dirs.set_ttl(0);
  auto t0 = DirAttrs::Clock::now();
  dirs.Remember(Dir(7, 100, 3, 2), t0);
  EXPECT_EQ(dirs.size(), 0u);
  EXPECT_FALSE(dirs.Fresh(7, t0).has_value());
}

}  // namespace
}  // namespace chainfs::fuse
