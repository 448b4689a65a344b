#include "fuse/statahead.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fuse.h>

#include <cstring>

namespace chainfs::fuse {
namespace {

using std::chrono::milliseconds;

constexpr uint64_t kDir = 7;

// A FUSE request: the header with `opcode`, then `body`.
template <typename Body>
std::string Request(uint32_t opcode, const Body& body) {
  fuse_in_header h{};
  h.opcode = opcode;
  h.len = sizeof(h) + sizeof(body);
  std::string out(sizeof(h) + sizeof(body), '\0');
  std::memcpy(out.data(), &h, sizeof(h));
  std::memcpy(out.data() + sizeof(h), &body, sizeof(body));
  return out;
}

std::string Bare(uint32_t opcode) { return Request(opcode, uint64_t{0}); }

std::string Open(uint32_t flags) {
  fuse_open_in in{};
  in.flags = flags;
  return Request(FUSE_OPEN, in);
}

std::string Flush(uint64_t fh) {
  fuse_flush_in in{};
  in.fh = fh;
  return Request(FUSE_FLUSH, in);
}

std::string Release(uint64_t fh, uint32_t flags) {
  fuse_release_in in{};
  in.fh = fh;
  in.flags = flags;
  return Request(FUSE_RELEASE, in);
}

bool Begins(Statahead& s, const std::string& request) {
  bool changes = s.MutationBegun(request);
  if (changes) s.MutationEnded();
  return changes;
}

// Directory kDir's listing: f0..f{n-1}, inode 100 + i, size i.
struct Listing {
  std::vector<meta::DirEntry> entries;
  std::vector<meta::Attr> attrs;
};
Listing Files(int n) {
  Listing l;
  for (int i = 0; i < n; ++i) {
    l.entries.push_back({"f" + std::to_string(i), InodeId(100 + i), meta::FileType::kRegular});
    meta::Attr a;
    a.id = InodeId(100 + i);
    a.record.size = i;
    l.attrs.push_back(a);
  }
  return l;
}

class StataheadTest : public ::testing::Test {
 protected:
  StataheadTest() { s.set_ttl(1.0); }
  // Misses until a fetch is due; its token.
  std::optional<uint64_t> MissStreak(const Statahead::Who& who, Statahead::Clock::time_point t) {
    std::optional<uint64_t> token;
    for (int i = 0; i < Statahead::kStreak && !token; ++i) token = s.Missed(kDir, who, t);
    return token;
  }
  Statahead s;
  Statahead::Who alice{1000, 1000, {}};
  Statahead::Clock::time_point t0 = Statahead::Clock::now();
};

TEST_F(StataheadTest, AStreakOfMissesFetchesAndLaterLookupsAreAnswered) {
  for (int i = 0; i < Statahead::kStreak - 1; ++i) EXPECT_FALSE(s.Missed(kDir, alice, t0));
  std::optional<uint64_t> token = s.Missed(kDir, alice, t0);
  ASSERT_TRUE(token.has_value());
  EXPECT_FALSE(s.Missed(kDir, alice, t0).has_value());  // one fetch at a time
  Listing l = Files(3);
  s.Fetched(kDir, alice, *token, t0, l.entries, l.attrs);
  std::optional<Statahead::Hit> hit = s.Find(kDir, "f2", alice, t0 + milliseconds(400));
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->attr.id, InodeId(102));
  EXPECT_EQ(hit->attr.record.size, 2u);
  EXPECT_NEAR(hit->seconds_left, 0.6, 0.001);
  // Names it lacks, other directories, other credentials, and after the timeout: asked for.
  EXPECT_FALSE(s.Find(kDir, "f3", alice, t0).has_value());
  EXPECT_FALSE(s.Find(kDir + 1, "f2", alice, t0).has_value());
  EXPECT_FALSE(s.Find(kDir, "f2", {1001, 1000, {}}, t0).has_value());
  EXPECT_FALSE(s.Find(kDir, "f2", {1000, 1000, {4}}, t0).has_value());
  EXPECT_FALSE(s.Find(kDir, "f2", alice, t0 + milliseconds(1000)).has_value());
  // A valid snapshot that lacks a name is not fetched again.
  EXPECT_FALSE(MissStreak(alice, t0).has_value());
  // Once it is stale, a new streak fetches again.
  EXPECT_TRUE(MissStreak(alice, t0 + milliseconds(1000)).has_value());
}

TEST_F(StataheadTest, ChangesThroughTheMountEndWhatWasFetched) {
  std::optional<uint64_t> token = MissStreak(alice, t0);
  ASSERT_TRUE(token.has_value());
  Listing l = Files(3);
  s.Fetched(kDir, alice, *token, t0, l.entries, l.attrs);
  ASSERT_TRUE(s.Find(kDir, "f1", alice, t0).has_value());
  ASSERT_TRUE(s.MutationBegun(Bare(FUSE_UNLINK)));
  EXPECT_FALSE(s.Find(kDir, "f1", alice, t0).has_value());
  s.MutationEnded();
  EXPECT_FALSE(s.Find(kDir, "f1", alice, t0).has_value());
}

TEST_F(StataheadTest, AFetchOverlappingAChangeIsDropped) {
  // A change that began during the fetch: the listing may predate it.
  std::optional<uint64_t> token = MissStreak(alice, t0);
  ASSERT_TRUE(token.has_value());
  ASSERT_TRUE(s.MutationBegun(Bare(FUSE_SETATTR)));
  s.MutationEnded();
  Listing l = Files(3);
  s.Fetched(kDir, alice, *token, t0, l.entries, l.attrs);
  EXPECT_FALSE(s.Find(kDir, "f1", alice, t0).has_value());
  EXPECT_EQ(s.dirs(), 0u);
  // A change still in flight: no fetch starts until it is answered.
  ASSERT_TRUE(s.MutationBegun(Bare(FUSE_WRITE)));
  EXPECT_FALSE(MissStreak(alice, t0).has_value());
  EXPECT_FALSE(MissStreak(alice, t0).has_value());
  s.MutationEnded();
  EXPECT_TRUE(MissStreak(alice, t0).has_value());
  s.FetchFailed();
  EXPECT_TRUE(MissStreak(alice, t0).has_value());
}

TEST_F(StataheadTest, LookupsInAnotherDirectoryOrAChangeBreakTheStreak) {
  for (int i = 0; i < Statahead::kStreak - 1; ++i) EXPECT_FALSE(s.Missed(kDir, alice, t0));
  EXPECT_FALSE(s.Missed(kDir + 1, alice, t0));
  for (int i = 0; i < Statahead::kStreak - 1; ++i) EXPECT_FALSE(s.Missed(kDir, alice, t0));
  EXPECT_TRUE(Begins(s, Bare(FUSE_CREATE)));
  EXPECT_FALSE(s.Missed(kDir, alice, t0));  // unlink, create, rename loops never fetch
  s.set_ttl(0);
  EXPECT_FALSE(MissStreak(alice, t0).has_value());
}

TEST_F(StataheadTest, ABigDirectoryIsFetchedAgainOnlyAfterLookupsWorthTheListing) {
  std::optional<uint64_t> token = MissStreak(alice, t0);
  ASSERT_TRUE(token.has_value());
  Listing l = Files(1600);
  s.Fetched(kDir, alice, *token, t0, l.entries, l.attrs);
  auto later = t0 + milliseconds(1000);
  size_t worth = 1600 / Statahead::kEntriesPerLookup;
  for (size_t i = 0; i + 1 < worth; ++i) ASSERT_FALSE(s.Missed(kDir, alice, later)) << i;
  EXPECT_TRUE(s.Missed(kDir, alice, later).has_value());
}

TEST_F(StataheadTest, KeepsTheNewestDirectories) {
  for (uint64_t dir = 1; dir <= Statahead::kMaxDirs + 1; ++dir) {
    std::optional<uint64_t> token;
    for (int i = 0; i < Statahead::kStreak && !token; ++i) token = s.Missed(dir, alice, t0);
    ASSERT_TRUE(token.has_value());
    Listing l = Files(1);
    s.Fetched(dir, alice, *token, t0, l.entries, l.attrs);
  }
  EXPECT_EQ(s.dirs(), Statahead::kMaxDirs);
  EXPECT_FALSE(s.Find(1, "f0", alice, t0).has_value());
  EXPECT_TRUE(s.Find(Statahead::kMaxDirs + 1, "f0", alice, t0).has_value());
}

TEST(StataheadChangesTest, WhichRequestsAreChanges) {
  Statahead s;
  for (uint32_t op : {FUSE_LOOKUP, FUSE_GETATTR, FUSE_READ, FUSE_READDIRPLUS, FUSE_GETXATTR,
                      FUSE_FORGET, FUSE_STATFS, FUSE_OPENDIR}) {
    EXPECT_FALSE(Begins(s, Bare(op))) << op;
  }
  for (uint32_t op : {FUSE_UNLINK, FUSE_CREATE, FUSE_WRITE, FUSE_SETATTR, FUSE_RENAME, FUSE_RENAME2,
                      FUSE_SETXATTR, FUSE_FALLOCATE, FUSE_COPY_FILE_RANGE, FUSE_FSYNC,
                      static_cast<fuse_opcode>(9999)}) {
    EXPECT_TRUE(Begins(s, Bare(op))) << op;
  }
  EXPECT_FALSE(Begins(s, Open(O_RDONLY)));
  EXPECT_TRUE(Begins(s, Open(O_WRONLY)));
  EXPECT_TRUE(Begins(s, Open(O_RDWR)));
  EXPECT_TRUE(Begins(s, Open(O_RDONLY | O_TRUNC)));
  // Flushes and releases of read-only handles are not; of others, or unknown ones, they are.
  s.OpenedReadOnly(5);
  EXPECT_FALSE(Begins(s, Flush(5)));
  EXPECT_TRUE(Begins(s, Flush(6)));
  EXPECT_FALSE(Begins(s, Release(5, O_RDONLY)));
  EXPECT_TRUE(Begins(s, Flush(5)));  // released: the number may come back for a writer
  EXPECT_TRUE(Begins(s, Release(6, O_WRONLY)));
  // Too short to read: a change.
  EXPECT_TRUE(Begins(s, std::string(4, '\0')));
  fuse_in_header h{};
  h.opcode = FUSE_OPEN;
  std::string header_only(sizeof(h), '\0');
  std::memcpy(header_only.data(), &h, sizeof(h));
  EXPECT_TRUE(Begins(s, header_only));
}

}  // namespace
}  // namespace chainfs::fuse
