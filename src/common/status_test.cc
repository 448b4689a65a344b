#include "common/status.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "common/errno.h"
#include "common/ids.h"
#include "common/result.h"

namespace chainfs {
namespace {

TEST(StatusTest, OkIsOnePointerAndAllocatesNothing) {
  static_assert(sizeof(Status) == sizeof(void*));
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = NotFound("inode 7");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "kNotFound: inode 7");
  EXPECT_EQ(s.WithContext("lookup").message(), "lookup: inode 7");
  Status copy = s;
  EXPECT_EQ(copy, s);
}

TEST(StatusTest, RetryTableGroupsCodes) {
  EXPECT_EQ(RetryScopeOf(StatusCode::kUnavailable), RetryScope::kCall);
  EXPECT_EQ(RetryScopeOf(StatusCode::kDeadlineExceeded), RetryScope::kCall);
  EXPECT_EQ(RetryScopeOf(StatusCode::kConflict), RetryScope::kTransaction);
  EXPECT_EQ(RetryScopeOf(StatusCode::kInvalidArgument), RetryScope::kNone);
  EXPECT_TRUE(Unavailable("x").retryable());
  EXPECT_FALSE(InvalidArgument("x").retryable());
  EXPECT_TRUE(IsKnownStatusCode(0));
  EXPECT_TRUE(IsKnownStatusCode(17));
  EXPECT_FALSE(IsKnownStatusCode(999));
}

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x));
  return Status();
}

TEST(ResultTest, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(StatusTest, EveryCodeHasAnErrno) {
  EXPECT_EQ(ErrnoOf(StatusCode::kNotFound), ENOENT);
  EXPECT_EQ(ErrnoOf(StatusCode::kNotEmpty), ENOTEMPTY);
  EXPECT_EQ(ErrnoOf(StatusCode::kNotPermitted), EPERM);
  EXPECT_EQ(ErrnoOf(StatusCode::kPermissionDenied), EACCES);
  for (uint16_t raw = 1; raw < 64; ++raw) {
    if (IsKnownStatusCode(raw)) {
      EXPECT_GT(ErrnoOf(static_cast<StatusCode>(raw)), 0) << raw;
    }
  }
}

TEST(ResultDeathTest, ValueOfErrorChecks) {
  Result<int> r = NotFound("gone");
  EXPECT_DEATH((void)r.value(), "kNotFound: gone");
}

TEST(IdsTest, StrongIdsCompareAndFormat) {
  InodeId a{3}, b{4};
  EXPECT_LT(a, b);
  EXPECT_EQ(fmt::format("{}", a), "3");
  ChunkId c{InodeId{9}, 2};
  EXPECT_EQ(fmt::format("{}", c), "9:2");
  EXPECT_LT(c, (ChunkId{InodeId{9}, 3}));
  static_assert(!std::is_convertible_v<InodeId, ChainId>);
}

}  // namespace
}  // namespace chainfs
