#include "fuse/dir_answer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <memory>
#include <string>

namespace chainfs::fuse {
namespace {

// Plain entries need no request until the answer is sent: each is 24 bytes and its name,
// padded to 8.
TEST(DirAnswerTest, EntriesAreAddedOnlyWhileTheyFitTheKernelsSize) {
  DirAnswer answer(nullptr, 100, /*plus=*/false);
  EXPECT_TRUE(answer.Add(".", 1, S_IFDIR, 1, nullptr));
  EXPECT_TRUE(answer.Add("..", 1, S_IFDIR, 2, nullptr));
  EXPECT_EQ(answer.used(), 64u);
  EXPECT_TRUE(answer.Add("abcdefgh", 9, S_IFREG, 3, nullptr));  // exactly 32
  EXPECT_EQ(answer.used(), 96u);
  EXPECT_FALSE(answer.Add("x", 10, S_IFREG, 4, nullptr));
  EXPECT_EQ(answer.used(), 96u);
  EXPECT_EQ(answer.room(), 4u);
}

TEST(DirAnswerTest, KeptRecordsFillWhatIsLeftWithWholeRecords) {
  auto listing = std::make_shared<DirListing>(7, 1);
  for (int i = 0; i < 10; ++i) listing->Append({"f" + std::to_string(i), 100u + i, S_IFREG});
  DirAnswer answer(nullptr, 200, /*plus=*/false);
  ASSERT_TRUE(answer.Add(".", 7, S_IFDIR, 1, nullptr));
  answer.AddRecords(listing, 0);
  EXPECT_EQ(answer.used(), 32u + 5 * 32u);  // five of the ten fit in the 168 bytes left
  DirAnswer rest(nullptr, 1 << 20, /*plus=*/false);
  rest.AddRecords(listing, 5);
  EXPECT_EQ(rest.used(), 5 * 32u);
  DirAnswer past(nullptr, 1 << 20, /*plus=*/false);
  past.AddRecords(listing, 10);
  EXPECT_EQ(past.used(), 0u);
}

}  // namespace
}  // namespace chainfs::fuse
