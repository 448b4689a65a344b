#include "common/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace chainfs {
namespace {

TEST(Crc32cTest, KnownVectors) {
  std::string check = "123456789";
  EXPECT_EQ(Crc32c(check), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::span<const char>()), 0u);
}

TEST(Crc32cTest, ExtendEqualsWhole) {
  std::string data = "the quick brown fox jumps over the lazy dog";
  uint32_t whole = Crc32c(data);
  uint32_t part = Crc32c(std::span<const char>(data).first(10));
  EXPECT_EQ(Crc32cExtend(part, std::span<const char>(data).subspan(10)), whole);
}

}  // namespace
}  // namespace chainfs
