#include "fuse/dir_listings.h"

#include <gtest/gtest.h>

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
  auto l = std::make_shared<DirListing>();
  l->dir = dir;
  l->version = version;
  for (size_t i = 0; i < n; ++i) l->entries.push_back({"e" + std::to_string(i), i + 10, 0});
  return l;
}

std::vector<std::string> Names(const DirListing& l) {
  std::vector<std::string> out;
  for (const DirEntry& e : l.entries) out.push_back(e.name);
  return out;
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
  EXPECT_EQ(whole->dir, 7u);
  EXPECT_EQ(whole->version, 5u);
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
  EXPECT_TRUE(whole->entries.empty());
}

TEST(DirListingsTest, FoundOnlyAtTheVersionItWasKeptAt) {
  DirListings kept;
  kept.Keep(Listing(1, 10, 3));
  EXPECT_EQ(kept.Find(2, 10), nullptr);
  ASSERT_NE(kept.Find(1, 10), nullptr);
  EXPECT_EQ(kept.Find(1, 10)->entries.size(), 3u);
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
