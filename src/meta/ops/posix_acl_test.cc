#include "meta/ops/posix_acl.h"

#include <fcntl.h>
#include <gtest/gtest.h>

#include "meta/ops/open_ops.h"
#include "meta/ops/ops_fixture.h"
#include "meta/ops/xattr_ops.h"

namespace chainfs::meta {
namespace {

std::vector<AclEntry> Extended() {
  return {{kAclUserObj, 6, 0},  {kAclUser, 5, 1001}, {kAclGroupObj, 4, 0},
          {kAclGroup, 7, 2000}, {kAclMask, 5, 0},    {kAclOther, 0, 0}};
}

TEST(PosixAclTest, EncodesAndParsesTheKernelFormat) {
  std::string bytes = EncodeAcl(Extended());
  ASSERT_EQ(bytes.size(), 4u + 6 * 8);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x02\x00\x00\x00", 4));
  Result<std::vector<AclEntry>> back = ParseAcl(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 6u);
  EXPECT_EQ((*back)[1].tag, kAclUser);
  EXPECT_EQ((*back)[1].id, 1001u);
  EXPECT_EQ((*back)[1].perm, 5);
}

TEST(PosixAclTest, RefusesMalformedAcls) {
  std::string good = EncodeAcl(Extended());
  EXPECT_FALSE(ParseAcl("").ok());
  EXPECT_FALSE(ParseAcl(good.substr(0, good.size() - 1)).ok());
  std::string version = good;
  version[0] = 3;
  EXPECT_FALSE(ParseAcl(version).ok());
  // Named entries without a mask; two owners; an unknown tag; permission bits beyond rwx.
  EXPECT_FALSE(
      ParseAcl(
          EncodeAcl(
              {{kAclUserObj, 6, 0}, {kAclUser, 4, 5}, {kAclGroupObj, 4, 0}, {kAclOther, 4, 0}}))
          .ok());
  EXPECT_FALSE(
      ParseAcl(
          EncodeAcl(
              {{kAclUserObj, 6, 0}, {kAclUserObj, 6, 0}, {kAclGroupObj, 4, 0}, {kAclOther, 4, 0}}))
          .ok());
  EXPECT_FALSE(
      ParseAcl(
          EncodeAcl({{kAclUserObj, 6, 0}, {0x40, 4, 0}, {kAclGroupObj, 4, 0}, {kAclOther, 4, 0}}))
          .ok());
  EXPECT_FALSE(
      ParseAcl(EncodeAcl({{kAclUserObj, 8, 0}, {kAclGroupObj, 4, 0}, {kAclOther, 4, 0}})).ok());
}

TEST(PosixAclTest, ModeBitsChmodAndInheritance) {
  std::vector<AclEntry> acl = Extended();
  EXPECT_EQ(AclModeBits(acl), 0650u);  // the group bits are the mask's
  EXPECT_FALSE(AclIsMinimal(acl));
  ChmodAcl(acl, 0740);
  EXPECT_EQ(AclModeBits(acl), 0740u);
  EXPECT_EQ(acl[1].perm, 5);  // named entries stay; the mask limits them
  std::vector<AclEntry> inherited = Extended();
  EXPECT_EQ(InheritAcl(inherited, 02644), 02640u);
  EXPECT_EQ(inherited[0].perm, 6);
  EXPECT_EQ(inherited[4].perm, 4);  // mask r-x limited to r--
  EXPECT_TRUE(AclIsMinimal({{kAclUserObj, 6, 0}, {kAclGroupObj, 4, 0}, {kAclOther, 4, 0}}));
}

TEST(PosixAclTest, AccessFollowsNamedEntriesThroughTheMask) {
  std::vector<AclEntry> acl = Extended();
  auto none = [](uint32_t) { return false; };
  auto in_2000 = [](uint32_t g) { return g == 2000; };
  auto in_owning = [](uint32_t g) { return g == 50; };
  EXPECT_TRUE(AclPermits(acl, 1001, 50, none, kMayRead | kMayExec));
  EXPECT_FALSE(AclPermits(acl, 1001, 50, none, kMayWrite));  // user rx
  EXPECT_TRUE(AclPermits(acl, 7, 50, in_2000, kMayRead));
  EXPECT_FALSE(AclPermits(acl, 7, 50, in_2000, kMayWrite));  // group rwx, mask r-x
  EXPECT_TRUE(AclPermits(acl, 7, 50, in_owning, kMayRead));
  EXPECT_FALSE(AclPermits(acl, 7, 50, in_owning, kMayExec));  // owning group r--
  EXPECT_FALSE(AclPermits(acl, 7, 50, none, kMayRead));       // other ---
}

TEST_F(MetaOpsTest, AnAccessAclSetsTheModeAndGrantsAccess) {
  InodeId open_dir = Mkdir(kRoot, kRootInode, "open", 0777)->id;
  InodeId f = Create(kAlice, open_dir, "f", NewEntry{FileType::kRegular, 0600})->id;
  std::vector<AclEntry> acl = {{kAclUserObj, 6, 0},
                               {kAclUser, 4, kBob.uid},
                               {kAclGroupObj, 0, 0},
                               {kAclMask, 4, 0},
                               {kAclOther, 0, 0}};
  OpenOp denied(kBob, f, O_RDONLY, 0, 200);
  EXPECT_EQ(Exec(denied).code(), StatusCode::kPermissionDenied);
  SetXattrOp by_bob(f, std::string(kAclAccess), EncodeAcl(acl), XattrMode::kAny, 300, kBob);
  EXPECT_EQ(Exec(by_bob).code(), StatusCode::kNotPermitted);
  SetXattrOp set(f, std::string(kAclAccess), EncodeAcl(acl), XattrMode::kAny, 300, kAlice);
  ASSERT_TRUE(Exec(set).ok());
  EXPECT_EQ(GetAttr(f)->record.mode, 0640u);
  OpenOp allowed(kBob, f, O_RDONLY, 0, 400);
  EXPECT_TRUE(Exec(allowed).ok());
  OpenOp someone_else(Caller{1002, 1002, {}}, f, O_RDONLY, 0, 400);
  EXPECT_EQ(Exec(someone_else).code(), StatusCode::kPermissionDenied);
  SetXattrOp garbage(f, std::string(kAclAccess), "nonsense", XattrMode::kAny, 500, kAlice);
  EXPECT_EQ(Exec(garbage).code(), StatusCode::kInvalidArgument);
  ExpectConsistent();
}

// Truncating and touching need write access, which a named-user entry grants as well as the
// mode bits do.
TEST_F(MetaOpsTest, AnAclGrantingWriteAllowsTruncateAndTouch) {
  InodeId open_dir = Mkdir(kRoot, kRootInode, "open", 0777)->id;
  InodeId f = Create(kAlice, open_dir, "f", NewEntry{FileType::kRegular, 0600})->id;
  AttrChange truncate;
  truncate.size = 0;
  AttrChange touch;
  touch.times_to_now = true;
  SetAttrOp denied(kBob, f, truncate, 200);
  EXPECT_EQ(Exec(denied).code(), StatusCode::kPermissionDenied);
  std::vector<AclEntry> acl = {{kAclUserObj, 6, 0},
                               {kAclUser, 6, kBob.uid},
                               {kAclGroupObj, 0, 0},
                               {kAclMask, 6, 0},
                               {kAclOther, 0, 0}};
  SetXattrOp set(f, std::string(kAclAccess), EncodeAcl(acl), XattrMode::kAny, 300, kAlice);
  ASSERT_TRUE(Exec(set).ok());
  SetAttrOp allowed(kBob, f, truncate, 400);
  EXPECT_TRUE(Exec(allowed).ok());
  SetAttrOp touched(kBob, f, touch, 500);
  EXPECT_TRUE(Exec(touched).ok());
  SetAttrOp stranger(Caller{1002, 1002, {}}, f, touch, 600);
  EXPECT_EQ(Exec(stranger).code(), StatusCode::kPermissionDenied);
  ExpectConsistent();
}

TEST_F(MetaOpsTest, NewEntriesTakeTheDefaultAclOrTheUmask) {
  Caller masked = kAlice;
  masked.umask = 022;
  InodeId open_dir = Mkdir(kRoot, kRootInode, "open", 0777)->id;
  InodeId plain = Create(masked, open_dir, "plain", NewEntry{FileType::kRegular, 0666})->id;
  EXPECT_EQ(GetAttr(plain)->record.mode, 0644u);
  InodeId dir = Mkdir(kAlice, open_dir, "d", 0755)->id;
  std::vector<AclEntry> def = {{kAclUserObj, 7, 0},
                               {kAclUser, 6, kBob.uid},
                               {kAclGroupObj, 5, 0},
                               {kAclMask, 7, 0},
                               {kAclOther, 5, 0}};
  SetXattrOp set(dir, std::string(kAclDefault), EncodeAcl(def), XattrMode::kAny, 300, kAlice);
  ASSERT_TRUE(Exec(set).ok());
  Result<Attr> file = Create(masked, dir, "f", NewEntry{FileType::kRegular, 0666});
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->record.mode, 0664u);  // the default ACL, not the umask
  GetXattrOp access(file->id, std::string(kAclAccess));
  ASSERT_TRUE(Exec(access).ok());
  Result<std::vector<AclEntry>> got = ParseAcl(access.value);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(AclModeBits(*got), 0664u);
  Result<Attr> sub = Mkdir(masked, dir, "sub", 0777);
  ASSERT_TRUE(sub.ok());
  GetXattrOp inherited_default(sub->id, std::string(kAclDefault));
  EXPECT_TRUE(Exec(inherited_default).ok());
  SetXattrOp on_file(file->id, std::string(kAclDefault), EncodeAcl(def), XattrMode::kAny, 400,
                     kAlice);
  EXPECT_EQ(Exec(on_file).code(), StatusCode::kPermissionDenied);
  ExpectConsistent();
}

}  // namespace
}  // namespace chainfs::meta
