#include "fuse/dir_listings.h"

#include <gtest/gtest.h>
#include <linux/fuse.h>
#include <sys/stat.h>

#include <cstring>
#include <string>

namespace chainfs::fuse {
namespace {

DirPage Page(std::vector<std::string> names, uint64_t version, bool more) {
  DirPage page;
  for (std::string& n : names) page.entries.push_back({std::move(n), 100, 0100000});
  page.version = version;
  page.more = more;
  return page;
}

std::shared_ptr<const DirListing> Listing(uint64_t dir, uint64_t version, size_t n) {
  auto l = std::make_shared<DirListing>(dir, version);
  for (size_t i = 0; i < n; ++i) l->Append({"e" + std::to_string(i), i + 10, 0});
  return l;
}

std::vector<std::string> Names(const DirListing& l) {
  std::vector<std::string> out;
  for (size_t k = 0; k < l.size(); ++k) out.push_back(l.At(k).name);
  return out;
}

// The records in `bytes` as the kernel reads them: name, inode, type bits and next offset.
struct Parsed {
  std::string name;
  uint64_t ino;
  uint32_t mode;
  uint64_t next;
  bool operator==(const Parsed&) const = default;
};

std::vector<Parsed> Parse(std::string_view bytes) {
  std::vector<Parsed> out;
  while (!bytes.empty()) {
    fuse_dirent head;
    EXPECT_GE(bytes.size(), FUSE_NAME_OFFSET);
    std::memcpy(&head, bytes.data(), FUSE_NAME_OFFSET);
    size_t length = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + head.namelen);
    EXPECT_GE(bytes.size(), length);
    if (bytes.size() < length) break;
    out.push_back({std::string(bytes.substr(FUSE_NAME_OFFSET, head.namelen)), head.ino,
                   head.type << 12, head.off});
    bytes.remove_prefix(length);
  }
  return out;
}

TEST(DirListingTest, RecordsAreWhatTheKernelReadsWithTheNextOffsetOfEachEntry) {
  DirListing l(7, 3);
  l.Append({"a", 10, S_IFREG});
  l.Append({"sub-directory", 11, S_IFDIR});  // 24 + 13 bytes: padded to 40
  l.Append({std::string(255, 'n'), 12, S_IFLNK});
  EXPECT_EQ(l.size(), 3u);
  std::vector<Parsed> all = Parse(l.Records(0, 1 << 20));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], (Parsed{"a", 10, S_IFREG, 3}));
  EXPECT_EQ(all[1], (Parsed{"sub-directory", 11, S_IFDIR, 4}));
  EXPECT_EQ(all[2], (Parsed{std::string(255, 'n'), 12, S_IFLNK, 5}));
  EXPECT_EQ(l.At(1).name, "sub-directory");
  EXPECT_EQ(l.At(1).ino, 11u);
  EXPECT_EQ(l.At(1).mode, static_cast<uint32_t>(S_IFDIR));
  // Padding is zero, as the kernel expects of a name's tail.
  std::string_view second = l.Records(1, 40);
  ASSERT_EQ(second.size(), 40u);
  EXPECT_EQ(second.substr(24 + 13), std::string(3, '\0'));
}

TEST(DirListingTest, RecordsHoldOnlyWholeEntriesThatFit) {
  DirListing l(7, 3);
  for (int i = 0; i < 10; ++i) l.Append({"f" + std::to_string(i), 100u + i, S_IFREG});
  // Each record is 24 bytes and a two-byte name, padded: 32.
  EXPECT_EQ(l.Records(0, 31).size(), 0u);
  EXPECT_EQ(l.Records(0, 32).size(), 32u);
  EXPECT_EQ(l.Records(0, 95).size(), 64u);
  EXPECT_EQ(l.Records(8, 1000).size(), 64u);  // the last two
  EXPECT_EQ(Parse(l.Records(8, 1000)).front().name, "f8");
  EXPECT_TRUE(l.Records(10, 1000).empty());
  EXPECT_TRUE(l.Records(11, 1000).empty());
  l.Truncate(4);
  EXPECT_EQ(l.size(), 4u);
  EXPECT_EQ(l.Records(0, 1000).size(), 4 * 32u);
  l.Append({"g", 200, S_IFREG});
  EXPECT_EQ(Parse(l.Records(4, 1000)), (std::vector<Parsed>{{"g", 200, S_IFREG, 7}}));
}

TEST(ListingBuilderTest, PagesFromTheStartAtOneVersionMakeAWholeListing) {
  ListingBuilder b(7);
  ASSERT_TRUE(b.Add(0, Page({"a", "b"}, 5, true)));
  EXPECT_EQ(b.Take(), nullptr);  // not whole yet
  ASSERT_TRUE(b.Add(2, Page({"c"}, 5, true)));
  // The kernel asked for attributes from entry 1: that part is fetched again.
  ASSERT_TRUE(b.Add(1, Page({"b", "c", "d"}, 5, false)));
  std::shared_ptr<const DirListing> whole = b.Take();
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(whole->dir(), 7u);
  EXPECT_EQ(whole->version(), 5u);
  EXPECT_EQ(Names(*whole), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(b.Take(), nullptr);  // given once
}

TEST(ListingBuilderTest, AChangedVersionAGapOrALateStartGivesUp) {
  ListingBuilder changed(7);
  ASSERT_TRUE(changed.Add(0, Page({"a"}, 5, true)));
  EXPECT_FALSE(changed.Add(1, Page({"b"}, 6, false)));  // an entry changed between pages
  EXPECT_FALSE(changed.Add(1, Page({"b"}, 5, false)));  // and stays given up
  EXPECT_EQ(changed.Take(), nullptr);

  ListingBuilder gap(7);
  ASSERT_TRUE(gap.Add(0, Page({"a"}, 5, true)));
  EXPECT_FALSE(gap.Add(2, Page({"c"}, 5, false)));
  EXPECT_EQ(gap.Take(), nullptr);

  ListingBuilder late(7);
  EXPECT_FALSE(late.Add(3, Page({"d"}, 5, false)));  // a reader that seeked past the start
  EXPECT_EQ(late.Take(), nullptr);
}

TEST(ListingBuilderTest, AnEmptyDirectoryIsAWholeListing) {
  ListingBuilder b(7);
  ASSERT_TRUE(b.Add(0, Page({}, 0, false)));
  std::shared_ptr<const DirListing> whole = b.Take();
  ASSERT_NE(whole, nullptr);
  EXPECT_EQ(whole->size(), 0u);
}

TEST(DirListingsTest, FoundOnlyAtTheVersionItWasKeptAt) {
  DirListings kept;
  kept.Keep(Listing(1, 10, 3));
  EXPECT_EQ(kept.Find(2, 10), nullptr);
  ASSERT_NE(kept.Find(1, 10), nullptr);
  EXPECT_EQ(kept.Find(1, 10)->size(), 3u);
  // Another version: the directory changed, and the old listing goes for good.
  EXPECT_EQ(kept.Find(1, 11), nullptr);
  EXPECT_EQ(kept.Find(1, 10), nullptr);
  EXPECT_EQ(kept.dirs(), 0u);
  EXPECT_EQ(kept.entries(), 0u);
}

TEST(DirListingsTest, ANewerListingReplacesTheOlderOne) {
  DirListings kept;
  kept.Keep(Listing(1, 10, 3));
  kept.Keep(Listing(1, 12, 5));
  EXPECT_EQ(kept.dirs(), 1u);
  EXPECT_EQ(kept.entries(), 5u);
  ASSERT_NE(kept.Find(1, 12), nullptr);
}

TEST(DirListingsTest, TheLeastRecentlyUsedGoFirstAndLongListingsAreNotKept) {
  DirListings kept;
  for (uint64_t d = 1; d <= DirListings::kMaxDirs; ++d) kept.Keep(Listing(d, 1, 1));
  ASSERT_NE(kept.Find(1, 1), nullptr);  // now the most recently used
  kept.Keep(Listing(100, 1, 1));
  EXPECT_EQ(kept.dirs(), DirListings::kMaxDirs);
  EXPECT_NE(kept.Find(1, 1), nullptr);
  EXPECT_EQ(kept.Find(2, 1), nullptr);  // the least recently used went
  EXPECT_NE(kept.Find(100, 1), nullptr);

  kept.Keep(Listing(200, 1, DirListings::kMaxListing + 1));
  EXPECT_EQ(kept.Find(200, 1), nullptr);
  // Entries over all listings are bounded too.
  kept.Keep(Listing(300, 1, DirListings::kMaxListing));
  kept.Keep(Listing(301, 1, DirListings::kMaxListing));
  kept.Keep(Listing(302, 1, DirListings::kMaxListing));
  EXPECT_LE(kept.entries(), DirListings::kMaxEntries);
  EXPECT_NE(kept.Find(302, 1), nullptr);
  EXPECT_EQ(kept.Find(300, 1), nullptr);
}

}  // namespace
}  // namespace chainfs::fuse
