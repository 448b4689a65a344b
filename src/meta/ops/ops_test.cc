#include <gtest/gtest.h>

#include <set>

#include "meta/ops/ops_fixture.h"
#include "meta/ops/posix_acl.h"

namespace chainfs::meta {
namespace {

TEST_F(MetaOpsTest, RootExistsOnceAndIsADirectory) {
  EnsureRootOp again(5, Layout{});
  ASSERT_TRUE(Exec(again).ok());
  EXPECT_FALSE(again.created);
  Result<Attr> root = GetAttr(kRootInode);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->record.type, FileType::kDirectory);
  EXPECT_EQ(root->record.nlink, 2u);
  EXPECT_EQ(root->record.mode, 0755u);
}

TEST_F(MetaOpsTest, CreateLookupAndGetAttr) {
  Result<Attr> dir = Mkdir(kRoot, kRootInode, "data");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  Result<Attr> file = Create(kRoot, dir->id, "f", NewEntry{FileType::kRegular, 0640});
  ASSERT_TRUE(file.ok());
  Result<Attr> found = Lookup(kRoot, dir->id, "f");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, file->id);
  EXPECT_EQ(found->record.mode, 0640u);
  EXPECT_TRUE(found->record.layout.has_value());
  Result<Attr> root = GetAttr(kRootInode);
  EXPECT_EQ(root->record.nlink, 3u);  // one subdirectory
  EXPECT_EQ(root->record.mtime_ns, 100);
  Result<Attr> link = Create(kRoot, dir->id, "l", NewEntry{FileType::kSymlink, 0, 0, "f"});
  ASSERT_TRUE(link.ok());
  EXPECT_EQ(GetAttr(link->id)->record.symlink_target, "f");
}

TEST_F(MetaOpsTest, ErrorsAreThePosixOnes) {
  ASSERT_TRUE(Create(kRoot, kRootInode, "file", NewEntry{}).ok());
  InodeId file = Lookup(kRoot, kRootInode, "file")->id;
  EXPECT_EQ(Create(kRoot, kRootInode, "file", NewEntry{}).status().code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Lookup(kRoot, kRootInode, "nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Lookup(kRoot, file, "x").status().code(), StatusCode::kNotDirectory);
  EXPECT_EQ(Create(kRoot, file, "x", NewEntry{}).status().code(), StatusCode::kNotDirectory);
  EXPECT_EQ(Create(kRoot, InodeId(999999), "x", NewEntry{}).status().code(), StatusCode::kNotFound);
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                          std::string("a\0b", 3)}) {
    EXPECT_EQ(Create(kRoot, kRootInode, bad, NewEntry{}).status().code(),
              StatusCode::kInvalidArgument)
        << bad;
  }
  EXPECT_EQ(Create(kRoot, kRootInode, std::string(256, 'n'), NewEntry{}).status().code(),
            StatusCode::kNameTooLong);
  EXPECT_TRUE(Create(kRoot, kRootInode, std::string(255, 'n'), NewEntry{}).ok());
  EXPECT_EQ(Create(kRoot, kRootInode, "m", NewEntry{FileType::kRegular, 010000}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Lookup(kRoot, kRootInode, std::string(300, 'n')).status().code(),
            StatusCode::kNameTooLong);
}

TEST_F(MetaOpsTest, PermissionsAndSetgidInheritance) {
  // Root's directory is 0755 root:root, so alice may not create in it.
  EXPECT_EQ(Create(kAlice, kRootInode, "x", NewEntry{}).status().code(),
            StatusCode::kPermissionDenied);
  Result<Attr> shared = Mkdir(kRoot, kRootInode, "shared", 0777 | kSetGid);
  ASSERT_TRUE(shared.ok());
  Result<Attr> mine = Create(kAlice, shared->id, "mine", NewEntry{FileType::kRegular, 0600});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->record.uid, 1000u);
  EXPECT_EQ(mine->record.gid, 0u);  // the directory's group, not alice's
  Result<Attr> sub = Mkdir(kAlice, shared->id, "sub");
  ASSERT_TRUE(sub.ok());
  EXPECT_TRUE(sub->record.mode & kSetGid);
  Result<Attr> closed = Mkdir(kRoot, kRootInode, "closed", 0700);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(Lookup(kAlice, closed->id, "x").status().code(), StatusCode::kPermissionDenied);
}

// readdirplus gives each entry the attributes a lookup would: for files made one after another
// (read with one scan of their inodes), for files whose ids lie far apart (read one by one), and
// for directories (whose size and link count come from their counters).
TEST_F(MetaOpsTest, ReaddirPlusCarriesWhatLookupGives) {
  Result<Attr> dense = Mkdir(kRoot, kRootInode, "dense");
  Result<Attr> sparse = Mkdir(kRoot, kRootInode, "sparse");
  Result<Attr> other = Mkdir(kRoot, kRootInode, "other");
  ASSERT_TRUE(dense.ok() && sparse.ok() && other.ok());
  for (int i = 0; i < 40; ++i) {
    ASSERT_TRUE(Create(kRoot, dense->id, fmt::format("d{:03}", i), NewEntry{}).ok());
  }
  Result<Attr> sub = Mkdir(kRoot, dense->id, "sub");
  ASSERT_TRUE(sub.ok());
  ASSERT_TRUE(Create(kRoot, sub->id, "x", NewEntry{}).ok());
  ASSERT_TRUE(Mkdir(kRoot, sub->id, "y").ok());
  ASSERT_TRUE(Unlink(kRoot, dense->id, "d007").ok());
  Result<Attr> grown = Lookup(kRoot, dense->id, "d010");
  SetAttrOp grow(kRoot, grown->id, {.size = 12345}, 300);
  ASSERT_TRUE(Exec(grow).ok());
  for (int i = 0; i < 12; ++i) {
    ASSERT_TRUE(Create(kRoot, sparse->id, fmt::format("s{:03}", i), NewEntry{}).ok());
    for (int j = 0; j < 6; ++j) {
      ASSERT_TRUE(Create(kRoot, other->id, fmt::format("o{}-{}", i, j), NewEntry{}).ok());
    }
  }
  for (InodeId dir : {dense->id, sparse->id}) {
    ReaddirOp op(kRoot, dir, "", 1000, /*plus=*/true);
    ASSERT_TRUE(Exec(op).ok());
    ASSERT_EQ(op.attrs.size(), op.entries.size());
    ASSERT_EQ(op.entries.size(), dir == dense->id ? 40u : 12u);
    for (size_t i = 0; i < op.entries.size(); ++i) {
      Result<Attr> looked = Lookup(kRoot, dir, op.entries[i].name);
      ASSERT_TRUE(looked.ok());
      const Attr& listed = op.attrs[i];
      EXPECT_EQ(listed.id, looked->id) << op.entries[i].name;
      EXPECT_EQ(listed.record.type, looked->record.type) << op.entries[i].name;
      EXPECT_EQ(listed.record.mode, looked->record.mode) << op.entries[i].name;
      EXPECT_EQ(listed.record.nlink, looked->record.nlink) << op.entries[i].name;
      EXPECT_EQ(listed.record.size, looked->record.size) << op.entries[i].name;
      EXPECT_EQ(listed.record.mtime_ns, looked->record.mtime_ns) << op.entries[i].name;
      EXPECT_EQ(listed.record.ctime_ns, looked->record.ctime_ns) << op.entries[i].name;
    }
  }
  ReaddirOp again(kRoot, dense->id, "d009", 1, /*plus=*/true);
  ASSERT_TRUE(Exec(again).ok());
  ASSERT_EQ(again.attrs.size(), 1u);
  EXPECT_EQ(again.attrs[0].record.size, 12345u);
  ReaddirOp subdir(kRoot, dense->id, "d038", 5, /*plus=*/true);
  ASSERT_TRUE(Exec(subdir).ok());
  ASSERT_EQ(subdir.entries.back().name, "sub");
  EXPECT_EQ(subdir.attrs.back().record.nlink, 3u);  // 2 + one subdirectory
  EXPECT_EQ(subdir.attrs.back().record.size, 2u);   // two entries
}

TEST_F(MetaOpsTest, ReaddirPagesThroughALargeDirectory) {
  Result<Attr> dir = Mkdir(kRoot, kRootInode, "big");
  constexpr int kFiles = 2500;
  for (int i = 0; i < kFiles; ++i) {
    ASSERT_TRUE(Create(kRoot, dir->id, fmt::format("f{:05}", i), NewEntry{}).ok());
  }
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    ReaddirOp op(kRoot, dir->id, after, 1000);
    ASSERT_TRUE(Exec(op).ok());
    for (const DirEntry& e : op.entries) seen.push_back(e.name);
    if (!op.more) break;
    after = op.entries.back().name;
  }
  ASSERT_EQ(seen.size(), static_cast<size_t>(kFiles));
  EXPECT_EQ(seen.front(), "f00000");
  EXPECT_EQ(seen.back(), "f02499");
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(GetAttr(dir->id)->record.size, static_cast<uint64_t>(kFiles));
}

// Each page names the directory's parent (for its ".." entry), the root's being itself, and
// follows the directory when it moves.
TEST_F(MetaOpsTest, ReaddirNamesTheParent) {
  Result<Attr> a = Mkdir(kRoot, kRootInode, "a");
  Result<Attr> b = Mkdir(kRoot, kRootInode, "b");
  ASSERT_TRUE(a.ok() && b.ok());
  Result<Attr> sub = Mkdir(kRoot, a->id, "sub");
  ASSERT_TRUE(sub.ok());
  ReaddirOp root(kRoot, kRootInode, "", 10);
  ASSERT_TRUE(Exec(root).ok());
  EXPECT_EQ(root.parent, kRootInode);
  ReaddirOp before(kRoot, sub->id, "", 10);
  ASSERT_TRUE(Exec(before).ok());
  EXPECT_EQ(before.parent, a->id);
  RenameOp move(kRoot, a->id, "sub", b->id, "sub", RenameMode::kReplace, 500);
  ASSERT_TRUE(Exec(move).ok());
  ReaddirOp after(kRoot, sub->id, "", 10);
  ASSERT_TRUE(Exec(after).ok());
  EXPECT_EQ(after.parent, b->id);
}

TEST_F(MetaOpsTest, ReaddirVersionMovesWithEveryChangeToTheEntriesOnly) {
  Result<Attr> dir = Mkdir(kRoot, kRootInode, "v");
  Result<Attr> other = Mkdir(kRoot, kRootInode, "w");
  auto version = [&] {
    ReaddirOp op(kRoot, dir->id, "", 10);
    EXPECT_TRUE(Exec(op).ok());
    return op.version;
  };
  std::vector<uint64_t> seen{version()};
  // The fixture's clock stands still (every create is at 100, every unlink at 200): the
  // version must move anyway.
  auto changed = [&](Status st) {
    ASSERT_TRUE(st.ok()) << st.message();
    uint64_t now = version();
    EXPECT_GT(now, seen.back());
    seen.push_back(now);
  };
  changed(Create(kRoot, dir->id, "a", NewEntry{}).status());
  changed(Create(kRoot, dir->id, "b", NewEntry{}).status());
  changed(Mkdir(kRoot, dir->id, "sub").status());
  changed(Unlink(kRoot, dir->id, "b"));
  changed(Rename(dir->id, "a", dir->id, "c"));
  changed(Create(kRoot, dir->id, "b", NewEntry{}).status());
  changed(Rename(dir->id, "b", dir->id, "c", RenameMode::kExchange));
  changed(Rename(dir->id, "c", other->id, "moved"));
  Result<Attr> moved = Lookup(kRoot, other->id, "moved");
  LinkOp link(kRoot, moved->id, dir->id, "linked", 300);
  changed(Exec(link));
  changed(Rmdir(kRoot, dir->id, "sub"));
  // Nothing in the directory changed: neither a listing, a change elsewhere nor an attribute.
  EXPECT_EQ(version(), seen.back());
  ASSERT_TRUE(Create(kRoot, other->id, "x", NewEntry{}).ok());
  SetAttrOp chmod(kRoot, moved->id, {.mode = 0600}, 300);
  ASSERT_TRUE(Exec(chmod).ok());
  EXPECT_EQ(version(), seen.back());
  ReaddirOp plus(kRoot, dir->id, "", 1, /*plus=*/true);
  ASSERT_TRUE(Exec(plus).ok());
  EXPECT_EQ(plus.version, seen.back());
}

TEST_F(MetaOpsTest, UnlinkDropsTheEntryAndQueuesTheLastLink) {
  Result<Attr> f = Create(kRoot, kRootInode, "f", NewEntry{});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(CountKeys(keys::GcDueBy(Nanos(1'000'000))), 0u);
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "f").ok());
  EXPECT_EQ(Lookup(kRoot, kRootInode, "f").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(GetAttr(f->id)->record.nlink, 0u);
  EXPECT_EQ(CountKeys(keys::GcDueBy(Nanos(1'000'000))), 1u);
  EXPECT_EQ(GetAttr(kRootInode)->record.size, 0u);
  EXPECT_EQ(Unlink(kRoot, kRootInode, "f").code(), StatusCode::kNotFound);
}

TEST_F(MetaOpsTest, RemovalErrorsAreThePosixOnes) {
  ASSERT_TRUE(Mkdir(kRoot, kRootInode, "d").ok());
  ASSERT_TRUE(Create(kRoot, kRootInode, "f", NewEntry{}).ok());
  InodeId d = Lookup(kRoot, kRootInode, "d")->id;
  ASSERT_TRUE(Create(kRoot, d, "inside", NewEntry{}).ok());
  EXPECT_EQ(Unlink(kRoot, kRootInode, "d").code(), StatusCode::kIsDirectory);
  EXPECT_EQ(Rmdir(kRoot, kRootInode, "f").code(), StatusCode::kNotDirectory);
  EXPECT_EQ(Rmdir(kRoot, kRootInode, "d").code(), StatusCode::kNotEmpty);
  EXPECT_EQ(Rmdir(kRoot, kRootInode, ".").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Rmdir(kRoot, kRootInode, "..").code(), StatusCode::kNotEmpty);
  EXPECT_EQ(Rmdir(kAlice, kRootInode, "d").code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(Unlink(kRoot, d, "inside").ok());
  EXPECT_EQ(GetAttr(kRootInode)->record.nlink, 3u);
  ASSERT_TRUE(Rmdir(kRoot, kRootInode, "d").ok());
  EXPECT_EQ(GetAttr(kRootInode)->record.nlink, 2u);
  EXPECT_EQ(GetAttr(d).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Create(kRoot, d, "late", NewEntry{}).status().code(), StatusCode::kNotFound);
}

TEST_F(MetaOpsTest, StickyDirectoryProtectsOthersFiles) {
  Result<Attr> tmp = Mkdir(kRoot, kRootInode, "tmp", 0777 | kSticky);
  ASSERT_TRUE(tmp.ok());
  ASSERT_TRUE(Create(kAlice, tmp->id, "alices", NewEntry{}).ok());
  EXPECT_EQ(Unlink(kBob, tmp->id, "alices").code(), StatusCode::kNotPermitted);
  EXPECT_TRUE(Unlink(kAlice, tmp->id, "alices").ok());
}

Task<void> RemoveDir(kv::Engine& e, Runtime& rt, InodeId parent, Status* out, bool* done) {
  RmdirOp op(kRoot, parent, "victim", 300);
  *out = co_await kv::RunTransaction(e, rt.clock(), rt.random(), op);
  *done = true;
}

Task<void> CreateIn(kv::Engine& e, Runtime& rt, InodeId dir, InodeId id, Status* out, bool* done) {
  CreateOp op(kRoot, dir, "newcomer", NewEntry{}, id, 300);
  *out = co_await kv::RunTransaction(e, rt.clock(), rt.random(), op);
  *done = true;
}

TEST_F(MetaOpsTest, RmdirRacingACreateInsideHasOneWinner) {
  for (int round = 0; round < 20; ++round) {
    Result<Attr> victim = Mkdir(kRoot, kRootInode, "victim");
    ASSERT_TRUE(victim.ok());
    Status removed, created;
    bool removed_done = false, created_done = false;
    node_.Spawn(RemoveDir(engine_, node_, kRootInode, &removed, &removed_done), "rmdir");
    node_.Spawn(CreateIn(engine_, node_, victim->id, NewId(), &created, &created_done), "create");
    world_.RunUntil([&] { return removed_done && created_done; }, Nanos(3600s));
    ASSERT_TRUE(removed_done && created_done);
    // Either the directory went first and the create found no parent, or the other way round.
    bool rmdir_first = removed.ok() && created.code() == StatusCode::kNotFound;
    bool create_first = created.ok() && removed.code() == StatusCode::kNotEmpty;
    EXPECT_TRUE(rmdir_first || create_first) << removed.ToString() << " / " << created.ToString();
    if (create_first) {
      ASSERT_TRUE(Unlink(kRoot, victim->id, "newcomer").ok());
      ASSERT_TRUE(Rmdir(kRoot, kRootInode, "victim").ok());
    }
  }
}

TEST_F(MetaOpsTest, LinkAddsANameAndReadlinkReadsTargets) {
  Result<Attr> f = Create(kRoot, kRootInode, "f", NewEntry{});
  LinkOp link(kRoot, f->id, kRootInode, "g", 300);
  ASSERT_TRUE(Exec(link).ok());
  EXPECT_EQ(link.result.record.nlink, 2u);
  EXPECT_EQ(Lookup(kRoot, kRootInode, "g")->id, f->id);
  ASSERT_TRUE(Unlink(kRoot, kRootInode, "f").ok());
  EXPECT_EQ(GetAttr(f->id)->record.nlink, 1u);
  EXPECT_EQ(CountKeys(keys::GcDueBy(Nanos(1'000'000'000))), 0u);  // still linked as g
  LinkOp again(kRoot, f->id, kRootInode, "g", 300);
  EXPECT_EQ(Exec(again).code(), StatusCode::kAlreadyExists);
  Result<Attr> d = Mkdir(kRoot, kRootInode, "d");
  LinkOp dir_link(kRoot, d->id, kRootInode, "d2", 300);
  EXPECT_EQ(Exec(dir_link).code(), StatusCode::kNotPermitted);
  Result<Attr> s = Create(kRoot, kRootInode, "s", NewEntry{FileType::kSymlink, 0, 0, "../target"});
  ReadlinkOp rl(s->id);
  ASSERT_TRUE(Exec(rl).ok());
  EXPECT_EQ(rl.target, "../target");
  ReadlinkOp not_link(f->id);
  EXPECT_EQ(Exec(not_link).code(), StatusCode::kInvalidArgument);
}

TEST_F(MetaOpsTest, SetAttrFollowsLinuxRules) {
  Result<Attr> shared = Mkdir(kRoot, kRootInode, "shared", 0777);
  Result<Attr> f = Create(kAlice, shared->id, "f", NewEntry{FileType::kRegular, 0644 | kSetUid});
  auto set = [&](const Caller& c, AttrChange change) {
    SetAttrOp op(c, f->id, change, 500);
    Status st = Exec(op);
    return st.ok() ? Result<Attr>(op.result) : Result<Attr>(st);
  };
  EXPECT_EQ(set(kBob, {.mode = 0777}).status().code(), StatusCode::kNotPermitted);
  EXPECT_EQ(set(kAlice, {.mode = 010000}).status().code(), StatusCode::kInvalidArgument);
  Result<Attr> r = set(kAlice, {.mode = 0640 | kSetUid});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->record.mode, 0640u | kSetUid);
  EXPECT_EQ(r->record.ctime_ns, 500);
  EXPECT_EQ(set(kAlice, {.uid = 1001}).status().code(), StatusCode::kNotPermitted);
  EXPECT_EQ(set(kBob, {.size = 0}).status().code(), StatusCode::kPermissionDenied);
  r = set(kAlice, {.size = 4096});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->record.size, 4096u);
  EXPECT_EQ(r->record.truncate_version, 1u);
  EXPECT_EQ(r->record.mode & kSetUid, 0u);  // a write by non-root drops setuid
  r = set(kRoot, {.uid = 1001, .gid = 1001});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->record.uid, 1001u);
  EXPECT_EQ(set(kAlice, {.atime_ns = 1, .mtime_ns = 2}).status().code(), StatusCode::kNotPermitted);
  r = set(kBob, {.atime_ns = 1, .mtime_ns = 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->record.mtime_ns, 2);
  SetAttrOp dir_size(kRoot, shared->id, {.size = 0}, 500);
  EXPECT_EQ(Exec(dir_size).code(), StatusCode::kIsDirectory);
}

TEST_F(MetaOpsTest, RenameMovesAndReplaces) {
  InodeId a = Mkdir(kRoot, kRootInode, "a")->id;
  InodeId b = Mkdir(kRoot, kRootInode, "b")->id;
  InodeId f = Create(kRoot, a, "f", NewEntry{})->id;
  ASSERT_TRUE(Rename(a, "f", a, "g").ok());
  EXPECT_EQ(Lookup(kRoot, a, "f").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Lookup(kRoot, a, "g")->id, f);
  ASSERT_TRUE(Rename(a, "g", b, "f").ok());
  EXPECT_EQ(GetAttr(a)->record.size, 0u);
  EXPECT_EQ(GetAttr(b)->record.size, 1u);
  InodeId other = Create(kRoot, b, "other", NewEntry{})->id;
  ASSERT_TRUE(Rename(b, "other", b, "f").ok());  // replaces f
  EXPECT_EQ(Lookup(kRoot, b, "f")->id, other);
  EXPECT_EQ(GetAttr(f)->record.nlink, 0u);
  EXPECT_EQ(CountKeys(keys::GcDueBy(Nanos(1'000'000))), 1u);
  // A directory moves with its link counts.
  ASSERT_TRUE(Rename(kRootInode, "a", b, "a").ok());
  EXPECT_EQ(GetAttr(kRootInode)->record.nlink, 3u);
  EXPECT_EQ(GetAttr(b)->record.nlink, 3u);
  EXPECT_EQ(GetAttr(a)->record.parent, b);
}

TEST_F(MetaOpsTest, RenameErrorsAndFlags) {
  InodeId a = Mkdir(kRoot, kRootInode, "a")->id;
  InodeId full = Mkdir(kRoot, kRootInode, "full")->id;
  ASSERT_TRUE(Create(kRoot, full, "x", NewEntry{}).ok());
  ASSERT_TRUE(Create(kRoot, kRootInode, "file", NewEntry{}).ok());
  EXPECT_EQ(Rename(kRootInode, "a", kRootInode, "full").code(), StatusCode::kNotEmpty);
  EXPECT_EQ(Rename(kRootInode, "a", kRootInode, "file").code(), StatusCode::kNotDirectory);
  EXPECT_EQ(Rename(kRootInode, "file", kRootInode, "a").code(), StatusCode::kIsDirectory);
  EXPECT_EQ(Rename(kRootInode, "nope", kRootInode, "x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Rename(kRootInode, "file", kRootInode, "a", RenameMode::kNoReplace).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Rename(kRootInode, "file", kRootInode, "zz", RenameMode::kExchange).code(),
            StatusCode::kNotFound);
  InodeId sub = Mkdir(kRoot, a, "sub")->id;
  EXPECT_EQ(Rename(kRootInode, "a", sub, "a").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Rename(kRootInode, "a", a, "self").code(), StatusCode::kInvalidArgument);
  // Exchange swaps a file and a directory across two parents.
  InodeId file = Lookup(kRoot, kRootInode, "file")->id;
  ASSERT_TRUE(Rename(kRootInode, "file", full, "x", RenameMode::kExchange).ok());
  EXPECT_EQ(Lookup(kRoot, full, "x")->id, file);
  ASSERT_TRUE(Rename(kRootInode, "file", a, "sub", RenameMode::kExchange).ok());
  EXPECT_EQ(Lookup(kRoot, kRootInode, "file")->id, sub);
  EXPECT_EQ(GetAttr(sub)->record.parent, kRootInode);
  EXPECT_EQ(GetAttr(a)->record.nlink, 2u);
}

Task<void> RenameInto(kv::Engine& e, Runtime& rt, std::string name, InodeId into, Status* out,
                      bool* done) {
  RenameOp op(kRoot, kRootInode, name, into, name, RenameMode::kReplace, 500);
  co_await rt.clock().Sleep(Nanos(rt.random().Uniform(1000)));
  *out = co_await kv::RunTransaction(e, rt.clock(), rt.random(), op);
  *done = true;
}

TEST_F(MetaOpsTest, ConcurrentRenamesNeverFormACycle) {
  for (int round = 0; round < 20; ++round) {
    std::string an = fmt::format("a{}", round), bn = fmt::format("b{}", round);
    InodeId a = Mkdir(kRoot, kRootInode, an)->id;
    InodeId b = Mkdir(kRoot, kRootInode, bn)->id;
    Status s1, s2;
    bool d1 = false, d2 = false;
    node_.Spawn(RenameInto(engine_, node_, an, b, &s1, &d1), "r1");
    node_.Spawn(RenameInto(engine_, node_, bn, a, &s2, &d2), "r2");
    world_.RunUntil([&] { return d1 && d2; }, Nanos(3600s));
    ASSERT_TRUE(d1 && d2);
    EXPECT_FALSE(s1.ok() && s2.ok()) << "both renames committed: a cycle";
    EXPECT_TRUE(s1.ok() || s2.ok()) << s1.ToString() << " / " << s2.ToString();
    for (InodeId start : {a, b}) {  // both still reach the root
      InodeId at = start;
      int steps = 0;
      while (at != kRootInode && steps++ < 10) at = GetAttr(at)->record.parent;
      EXPECT_EQ(at, kRootInode);
    }
  }
}

TEST_F(MetaOpsTest, NewInodesAreMarkedAsHavingNoXattrsUntilOneIsSet) {
  auto marked = [&](InodeId id) { return (GetAttr(id)->record.flags & kInodeNoXattrs) != 0; };
  InodeId f = Create(kRoot, kRootInode, "f", NewEntry{})->id;
  InodeId d = Mkdir(kRoot, kRootInode, "d")->id;
  InodeId s = Create(kRoot, kRootInode, "s", NewEntry{FileType::kSymlink, 0, 0, "f"})->id;
  EXPECT_TRUE(marked(f));
  EXPECT_TRUE(marked(d));
  EXPECT_TRUE(marked(s));
  EXPECT_FALSE(marked(kRootInode));  // made before anything could say
  SetXattrOp set(f, "user.color", "blue", XattrMode::kAny, 600);
  ASSERT_TRUE(Exec(set).ok());
  EXPECT_FALSE(marked(f));
  RemoveXattrOp remove(f, "user.color", 700);
  ASSERT_TRUE(Exec(remove).ok());
  EXPECT_FALSE(marked(f));  // never marked again
  // A minimal ACL is stored as the mode alone: still none.
  std::string minimal = EncodeAcl({{kAclUserObj, 6, 0}, {kAclGroupObj, 4, 0}, {kAclOther, 4, 0}});
  InodeId g = Create(kRoot, kRootInode, "g", NewEntry{})->id;
  SetXattrOp set_minimal(g, std::string(kAclAccess), minimal, XattrMode::kAny, 600);
  ASSERT_TRUE(Exec(set_minimal).ok());
  EXPECT_TRUE(marked(g));
  // A default ACL on a directory, and what its new entries inherit from it, are attributes.
  SetXattrOp set_default(d, std::string(kAclDefault), minimal, XattrMode::kAny, 600);
  ASSERT_TRUE(Exec(set_default).ok());
  EXPECT_FALSE(marked(d));
  EXPECT_FALSE(marked(Mkdir(kRoot, d, "sub")->id));
  ExpectConsistent();
}

TEST_F(MetaOpsTest, XattrsInEveryNamespace) {
  InodeId f = Create(kRoot, kRootInode, "f", NewEntry{})->id;
  // owner rw, user 1000 r, group r, mask r, other r: an ACL beyond the mode.
  std::string acl = EncodeAcl({{kAclUserObj, 6, 0},
                               {kAclUser, 4, 1000},
                               {kAclGroupObj, 4, 0},
                               {kAclMask, 4, 0},
                               {kAclOther, 4, 0}});
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"user.color", "blue"},
                                                        {"trusted.x", "t"},
                                                        {"security.selinux", "ctx"},
                                                        {"system.posix_acl_access", acl}}) {
    SetXattrOp set(f, name, value, XattrMode::kAny, 600);
    ASSERT_TRUE(Exec(set).ok()) << name;
    GetXattrOp get(f, name);
    ASSERT_TRUE(Exec(get).ok());
    EXPECT_EQ(get.value, value);
  }
  ListXattrOp list(f);
  ASSERT_TRUE(Exec(list).ok());
  EXPECT_EQ(list.names.size(), 4u);
  EXPECT_EQ(GetAttr(f)->record.ctime_ns, 600);
  SetXattrOp create(f, "user.color", "red", XattrMode::kCreate, 600);
  EXPECT_EQ(Exec(create).code(), StatusCode::kAlreadyExists);
  SetXattrOp replace(f, "user.none", "x", XattrMode::kReplace, 600);
  EXPECT_EQ(Exec(replace).code(), StatusCode::kNoAttribute);
  GetXattrOp missing(f, "user.none");
  EXPECT_EQ(Exec(missing).code(), StatusCode::kNoAttribute);
  GetXattrOp no_inode(InodeId(987654), "user.color");
  EXPECT_EQ(Exec(no_inode).code(), StatusCode::kNotFound);
  SetXattrOp huge(f, "user.big", std::string(kMaxXattrValueBytes + 1, 'v'), XattrMode::kAny, 600);
  EXPECT_EQ(Exec(huge).code(), StatusCode::kTooLarge);
  SetXattrOp long_name(f, "user." + std::string(300, 'n'), "v", XattrMode::kAny, 600);
  EXPECT_EQ(Exec(long_name).code(), StatusCode::kNameTooLong);
  RemoveXattrOp remove(f, "user.color", 700);
  ASSERT_TRUE(Exec(remove).ok());
  RemoveXattrOp again(f, "user.color", 700);
  EXPECT_EQ(Exec(again).code(), StatusCode::kNoAttribute);
}

// Counts its attempts, to show which creates had to retry.
class CountingCreate : public CreateOp {
 public:
  using CreateOp::CreateOp;
  Task<Status> Run(kv::Transaction& txn) override {
    ++attempts;
    co_return co_await CreateOp::Run(txn);
  }
  int attempts = 0;
};

Task<void> CreateOne(kv::Engine& e, Runtime& rt, InodeId parent, std::string name, InodeId id,
                     std::vector<Status>* results, int* attempts) {
  CountingCreate op(kRoot, parent, std::move(name), NewEntry{}, id, 100);
  // Let the others begin before this one reads.
  co_await rt.clock().Sleep(Nanos(rt.random().Uniform(1000)));
  results->push_back(co_await kv::RunTransaction(e, rt.clock(), rt.random(), op));
  *attempts += op.attempts;
}

TEST_F(MetaOpsTest, CreatesInOneDirectoryDoNotConflictButOneNameWinsOnce) {
  Result<Attr> dir = Mkdir(kRoot, kRootInode, "hot");
  std::vector<Status> results;
  int attempts = 0;
  for (int i = 0; i < 40; ++i) {
    node_.Spawn(
        CreateOne(engine_, node_, dir->id, fmt::format("n{}", i), NewId(), &results, &attempts),
        "c");
  }
  world_.RunUntil([&] { return results.size() == 40; }, Nanos(3600s));
  ASSERT_EQ(results.size(), 40u);
  for (const Status& s : results) EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(attempts, 40);  // no create had to retry

  results.clear();
  for (int i = 0; i < 20; ++i) {
    node_.Spawn(CreateOne(engine_, node_, dir->id, "same", NewId(), &results, &attempts), "c");
  }
  world_.RunUntil([&] { return results.size() == 20; }, Nanos(3600s));
  int won = 0, exists = 0;
  for (const Status& s : results) {
    won += s.ok();
    exists += s.code() == StatusCode::kAlreadyExists;
  }
  EXPECT_EQ(won, 1);
  EXPECT_EQ(exists, 19);
}

}  // namespace
}  // namespace chainfs::meta
