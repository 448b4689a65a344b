#include "meta/ops/idempotent.h"

#include <gtest/gtest.h>

#include "meta/ops/ops_fixture.h"
#include "meta/ops/sessions.h"

namespace chainfs::meta {
namespace {

constexpr uint64_t kSession = 0x5e55;

class IdempotentTest : public MetaOpsTest {
 protected:
  void SetUp() override {
    MetaOpsTest::SetUp();
    PutClientOp op(kSession, ClientRecord{"test", node_.clock().WallNow().count() + 10'000'000'000},
                   /*renew=*/false);
    ASSERT_TRUE(Exec(op).ok());
  }

  // One send of a tagged mkdir; a retry is the same call with the same tag.
  Result<Attr> TaggedMkdir(InodeId parent, const std::string& name, RequestTag tag,
                           bool* replayed) {
    CreateOp op(kRoot, parent, name, NewEntry{FileType::kDirectory, 0755}, NewId(), 100);
    IdempotentOp once(op, tag, &op.result);
    Status st = Exec(once);
    *replayed = once.replayed;
    if (!st.ok()) return st;
    return op.result;
  }

  Status TaggedUnlink(InodeId parent, const std::string& name, RequestTag tag) {
    UnlinkOp op(kRoot, parent, name, 200);
    IdempotentOp once(op, tag);
    return Exec(once);
  }

  Status TaggedRename(InodeId sp, const std::string& sn, InodeId dp, const std::string& dn,
                      RequestTag tag) {
    RenameOp op(kRoot, sp, sn, dp, dn, RenameMode::kReplace, 300);
    IdempotentOp once(op, tag);
    return Exec(once);
  }

  size_t Answers() { return CountKeys(keys::Requests(kSession)); }
};

TEST_F(IdempotentTest, AMkdirSentAgainGetsItsFirstAnswer) {
  bool replayed = false;
  Result<Attr> first = TaggedMkdir(kRootInode, "d", RequestTag{kSession, 1}, &replayed);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(replayed);
  Result<Attr> again = TaggedMkdir(kRootInode, "d", RequestTag{kSession, 1}, &replayed);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(replayed);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(again->record.type, FileType::kDirectory);
  // Another request for the same name is a new mkdir, and finds the directory.
  Result<Attr> other = TaggedMkdir(kRootInode, "d", RequestTag{kSession, 2}, &replayed);
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  ExpectConsistent();
}

TEST_F(IdempotentTest, AnUnlinkSentAgainSucceedsAndLeavesALaterFileAlone) {
  ASSERT_TRUE(Create(kRoot, kRootInode, "f", NewEntry{}).ok());
  ASSERT_TRUE(TaggedUnlink(kRootInode, "f", RequestTag{kSession, 1}).ok());
  // Someone makes "f" again before the lost answer's retry arrives.
  Result<Attr> newer = Create(kRoot, kRootInode, "f", NewEntry{});
  ASSERT_TRUE(newer.ok());
  EXPECT_TRUE(TaggedUnlink(kRootInode, "f", RequestTag{kSession, 1}).ok());
  Result<Attr> still = Lookup(kRoot, kRootInode, "f");
  ASSERT_TRUE(still.ok()) << still.status().ToString();
  EXPECT_EQ(still->id, newer->id);
  // Untagged, the same unlink twice is what it always was.
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "f").ok());
  EXPECT_EQ(Unlink(kRoot, kRootInode, "f").code(), StatusCode::kNotFound);
  ExpectConsistent();
}

TEST_F(IdempotentTest, ARenameSentAgainIsNotDoneTwice) {
  ASSERT_TRUE(Create(kRoot, kRootInode, "a", NewEntry{}).ok());
  ASSERT_TRUE(TaggedRename(kRootInode, "a", kRootInode, "b", RequestTag{kSession, 1}).ok());
  EXPECT_TRUE(TaggedRename(kRootInode, "a", kRootInode, "b", RequestTag{kSession, 1}).ok());
  EXPECT_TRUE(Lookup(kRoot, kRootInode, "b").ok());
  EXPECT_EQ(TaggedRename(kRootInode, "a", kRootInode, "b", RequestTag{kSession, 2}).code(),
            StatusCode::kNotFound);
}

TEST_F(IdempotentTest, AFailedRequestStoresNothing) {
  EXPECT_EQ(TaggedUnlink(kRootInode, "missing", RequestTag{kSession, 1}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Answers(), 0u);
  // Its retry is decided again.
  ASSERT_TRUE(Create(kRoot, kRootInode, "missing", NewEntry{}).ok());
  EXPECT_TRUE(TaggedUnlink(kRootInode, "missing", RequestTag{kSession, 1}).ok());
}

TEST_F(IdempotentTest, UnregisteredSessionsAndUntaggedRequestsRunAsTheyAre) {
  bool replayed = false;
  ASSERT_TRUE(TaggedMkdir(kRootInode, "x", RequestTag{0xdead, 1}, &replayed).ok());
  EXPECT_EQ(TaggedMkdir(kRootInode, "x", RequestTag{0xdead, 1}, &replayed).status().code(),
            StatusCode::kAlreadyExists);
  ASSERT_TRUE(TaggedMkdir(kRootInode, "y", RequestTag{}, &replayed).ok());
  EXPECT_EQ(TaggedMkdir(kRootInode, "y", RequestTag{}, &replayed).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(CountKeys(keys::Requests(0xdead)), 0u);
  EXPECT_EQ(CountKeys(keys::Requests(0)), 0u);
}

TEST_F(IdempotentTest, AnswersGoWhenTheClientLetsGoOrItsSessionEnds) {
  bool replayed = false;
  for (uint64_t seq = 1; seq <= 6; ++seq) {
    ASSERT_TRUE(
        TaggedMkdir(kRootInode, "d" + std::to_string(seq), RequestTag{kSession, seq}, &replayed)
            .ok());
  }
  EXPECT_EQ(Answers(), 6u);
  // Request 7 says nothing below 4 is in flight, from 1 on.
  RequestTag tag{kSession, 7, 1, 4};
  ASSERT_TRUE(TaggedMkdir(kRootInode, "d7", tag, &replayed).ok());
  EXPECT_EQ(Answers(), 4u);  // 4, 5, 6 and 7
  // A let-go answer's request, were it sent again, would be decided again.
  EXPECT_EQ(TaggedMkdir(kRootInode, "d1", RequestTag{kSession, 1}, &replayed).status().code(),
            StatusCode::kAlreadyExists);
  EndClientOp end(kSession, node_.clock().WallNow().count(), /*only_if_expired=*/false);
  ASSERT_TRUE(Exec(end).ok());
  EXPECT_EQ(Answers(), 0u);
  ExpectConsistent();
}

}  // namespace
}  // namespace chainfs::meta
