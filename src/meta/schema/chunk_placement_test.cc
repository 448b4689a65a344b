#include "meta/schema/chunk_placement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace chainfs::meta {
namespace {

Layout MakeLayout(uint32_t stripe, uint32_t first, uint64_t seed) {
  Layout l;
  l.stripe = stripe;
  l.first_chain = first;
  l.seed = seed;
  return l;
}

TEST(ChunkPlacementTest, AFileUsesStripeConsecutiveChainsShuffled) {
  auto chains = FileChains(MakeLayout(8, 30, 12345), 32);
  ASSERT_TRUE(chains.ok());
  std::vector<uint32_t> sorted = *chains;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 30, 31}));   // wraps the table
  EXPECT_NE(*chains, (std::vector<uint32_t>{30, 31, 0, 1, 2, 3, 4, 5}));  // shuffled
}

// Files written today are read with this placement forever: these values must never change.
TEST(ChunkPlacementTest, TheShuffleNeverChanges) {
  EXPECT_EQ(*FileChains(MakeLayout(16, 0, 1), 64),
            (std::vector<uint32_t>{6, 0, 15, 1, 3, 7, 14, 2, 4, 10, 8, 12, 5, 13, 11, 9}));
  EXPECT_EQ(*FileChains(MakeLayout(5, 7, 0xdeadbeef), 10), (std::vector<uint32_t>{1, 9, 7, 0, 8}));
}

TEST(ChunkPlacementTest, ChunksCycleThroughTheListAndSpreadEvenly) {
  Layout l = MakeLayout(16, 3, 99);
  auto chains = FileChains(l, 100);
  ASSERT_TRUE(chains.ok());
  EXPECT_EQ(ChunkIndexOf(l, 0), 0u);
  EXPECT_EQ(ChunkIndexOf(l, (1u << 20) - 1), 0u);
  EXPECT_EQ(ChunkIndexOf(l, 5u << 20), 5u);
  std::map<uint32_t, int> per_chain;
  for (uint64_t chunk = 0; chunk < 1600; ++chunk) ++per_chain[ChainOfChunk(*chains, chunk)];
  EXPECT_EQ(per_chain.size(), 16u);
  for (const auto& [chain, n] : per_chain) EXPECT_EQ(n, 100);
  EXPECT_EQ(ChainOfChunk(*chains, 16), ChainOfChunk(*chains, 0));
  // Different seeds give different orders, and the same seed the same one.
  EXPECT_NE(*FileChains(MakeLayout(16, 3, 100), 100), *chains);
  EXPECT_EQ(*FileChains(MakeLayout(16, 3, 99), 100), *chains);
}

TEST(ChunkPlacementTest, BadLayoutsAreRefused) {
  Layout l = MakeLayout(4, 0, 1);
  EXPECT_EQ(FileChains(l, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FileChains(l, 3).status().code(), StatusCode::kInvalidArgument);  // stripe > table
  l.stripe = 0;
  EXPECT_EQ(FileChains(l, 8).status().code(), StatusCode::kInvalidArgument);
  l.stripe = 4;
  for (uint32_t bad : {0u, 1000u, 32u << 10, 3u << 20, 128u << 20}) {
    l.chunk_size_bytes = bad;
    EXPECT_EQ(FileChains(l, 8).status().code(), StatusCode::kInvalidArgument) << bad;
  }
  l.chunk_size_bytes = 64u << 10;
  EXPECT_TRUE(FileChains(l, 8).ok());
}

}  // namespace
}  // namespace chainfs::meta
