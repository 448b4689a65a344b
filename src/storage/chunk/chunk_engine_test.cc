#include "storage/chunk/chunk_engine.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "kv/mem/mem_engine.h"
#include "runtime/all_of.h"
#include "runtime/sim/sim_disk.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::storage {
namespace {

constexpr uint32_t kChunk = 256 << 10;  // four checksum blocks

// One target on a simulated disk whose metadata store, like the disk, survives a crash.
class ChunkEngineTest : public ::testing::Test {
 protected:
  ChunkEngineTest() : world_(7), clock_(world_), disk_(world_, "n", {}) { Reopen(); }

  void Reopen(uint64_t reserve_bytes = 0) {
    engine_ = std::make_unique<ChunkEngine>(store_, disk_, clock_, "t/blobs", reserve_bytes);
    ASSERT_TRUE(Run(engine_->Open()).ok());
  }
  void Crash() {
    disk_.Crash();
    Reopen();
  }

  template <typename T>
  T Run(Task<T> task) {
    return *RunSimTask(world_, std::move(task));
  }

  ChunkUpdate Update(UpdateKind kind, uint64_t index, uint32_t offset, uint32_t length) {
    ChunkUpdate u;
    u.chunk = ChunkId{InodeId(5), index};
    u.kind = kind;
    u.chunk_size_bytes = kChunk;
    u.offset = offset;
    u.length = length;
    const ChunkRecord* rec = engine_->Find(u.chunk);
    u.version = (rec ? rec->committed.version : 0) + 1;
    u.tag = UpdateTag{9, ++seq_};
    return u;
  }

  Result<ChunkRecord> Write(uint64_t index, uint32_t offset, const std::string& data,
                            bool commit = true) {
    return Run(
        engine_->Store(Update(UpdateKind::kWrite, index, offset, data.size()), data, commit));
  }

  Task<Status> StoreStatus(uint64_t index, std::string data) {
    ChunkUpdate u = Update(UpdateKind::kWrite, index, 0, data.size());
    co_return (co_await engine_->Store(u, data, true)).status();
  }

  std::string ReadAll(uint64_t index, bool pending = false) {
    std::string out(kChunk, '\0');
    Result<size_t> n = Run(engine_->Read(ChunkId{InodeId(5), index}, pending, 0, out));
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    out.resize(n.ok() ? *n : 0);
    return out;
  }

  // The bytes of `slot` as its blob file holds them.
  std::string RawSlot(const BlobSlot& slot) {
    auto file = Run(
        disk_.Open(fmt::format("t/blobs/{}-{}", slot.size_log2, slot.file), OpenMode::kReadOnly));
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return "";
    uint64_t bytes = uint64_t{1} << slot.size_log2;
    std::string out(bytes, '\0');
    auto n = Run((*file)->ReadAt(slot.index * bytes, out));
    EXPECT_TRUE(n.ok());
    return out;
  }

  SimWorld world_;
  SimClock clock_;
  SimDisk disk_;
  kv::MemEngine store_;
  std::unique_ptr<ChunkEngine> engine_;
  uint64_t seq_ = 0;
};

std::string Pattern(size_t n, char seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i * 7 % 251);
  return s;
}

TEST_F(ChunkEngineTest, WriteCommitAndReadBack) {
  std::string data = Pattern(100'000, 'a');
  auto rec = Write(0, 0, data);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  EXPECT_EQ(rec->committed.version, 1u);
  EXPECT_EQ(rec->committed.length, 100'000u);
  EXPECT_EQ(rec->committed.block_crcs.size(), 2u);
  EXPECT_EQ(ReadAll(0), data);
  // A read in the middle, across a block boundary.
  std::string part(1000, '\0');
  auto n = Run(engine_->Read(ChunkId{InodeId(5), 0}, false, 65'000, part));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(part, data.substr(65'000, 1000));
  // Past the end, and a chunk that was never written: nothing.
  EXPECT_EQ(*Run(engine_->Read(ChunkId{InodeId(5), 0}, false, 100'000, part)), 0u);
  EXPECT_EQ(ReadAll(7), "");
}

TEST_F(ChunkEngineTest, OverwriteIsCopyOnWriteUntilCommitted) {
  std::string old_data = Pattern(kChunk, 'a');
  ASSERT_TRUE(Write(0, 0, old_data).ok());
  auto rec = Write(0, 1000, "new bytes", /*commit=*/false);
  ASSERT_TRUE(rec.ok()) << rec.status().ToString();
  ASSERT_TRUE(rec->pending.has_value());
  EXPECT_NE(rec->pending->slot->Key(), rec->committed.slot->Key());
  std::string expected = old_data;
  expected.replace(1000, 9, "new bytes");
  EXPECT_EQ(ReadAll(0), old_data);
  EXPECT_EQ(ReadAll(0, /*pending=*/true), expected);
  ASSERT_TRUE(Run(engine_->Commit(ChunkId{InodeId(5), 0}, 2)).ok());
  EXPECT_EQ(ReadAll(0), expected);
  // The old version's slot went back to the free list.
  EXPECT_EQ(engine_->used_bytes(), kChunk);
  // Committing again is a no-op; committing a version never stored is an error.
  EXPECT_TRUE(Run(engine_->Commit(ChunkId{InodeId(5), 0}, 2)).ok());
  EXPECT_EQ(Run(engine_->Commit(ChunkId{InodeId(5), 0}, 9)).code(), StatusCode::kOutOfRange);
}

TEST_F(ChunkEngineTest, AppendsGoInPlaceAndKeepChecksumsRight) {
  std::string data = Pattern(70'000, 'x');
  ASSERT_TRUE(Write(0, 0, data).ok());
  std::string more = Pattern(90'000, 'y');
  auto rec = Write(0, 80'000, more, /*commit=*/false);
  ASSERT_TRUE(rec.ok());
  EXPECT_EQ(rec->pending->slot->Key(), rec->committed.slot->Key());
  EXPECT_EQ(ReadAll(0), data);  // the committed version does not see the append
  std::string expected = data + std::string(10'000, '\0') + more;
  EXPECT_EQ(ReadAll(0, true), expected);
  ASSERT_TRUE(Run(engine_->Commit(ChunkId{InodeId(5), 0}, 2)).ok());
  EXPECT_EQ(ReadAll(0), expected);
  EXPECT_EQ(engine_->Find(ChunkId{InodeId(5), 0})->committed.block_crcs, BlockCrcs(expected));
}

TEST_F(ChunkEngineTest, AnAppendAtTheEndAndAWriteOverTheWholeVersionKeepTheirBytes) {
  std::string data = Pattern(70'000, 'x');
  ASSERT_TRUE(Write(0, 0, data).ok());
  std::string more = Pattern(30'000, 'y');
  auto appended = Write(0, 70'000, more);
  ASSERT_TRUE(appended.ok());
  BlobSlot slot = *appended->committed.slot;
  EXPECT_EQ(ReadAll(0), data + more);
  EXPECT_EQ(appended->committed.block_crcs, BlockCrcs(data + more));
  // From offset 0 past the old end: the new version is the written bytes, in a new slot.
  std::string whole = Pattern(120'000, 'z');
  auto rewritten = Write(0, 0, whole);
  ASSERT_TRUE(rewritten.ok());
  EXPECT_NE(rewritten->committed.slot->Key(), slot.Key());
  EXPECT_EQ(ReadAll(0), whole);
  EXPECT_EQ(rewritten->committed.block_crcs, BlockCrcs(whole));
}

TEST_F(ChunkEngineTest, TruncateAndRemove) {
  std::string data = Pattern(200'000, 'q');
  ASSERT_TRUE(Write(0, 0, data).ok());
  auto shrunk = Run(engine_->Store(Update(UpdateKind::kTruncate, 0, 0, 70'001), {}, true));
  ASSERT_TRUE(shrunk.ok()) << shrunk.status().ToString();
  EXPECT_EQ(ReadAll(0), data.substr(0, 70'001));
  auto grown = Run(engine_->Store(Update(UpdateKind::kTruncate, 0, 0, 150'000), {}, true));
  ASSERT_TRUE(grown.ok());
  EXPECT_EQ(ReadAll(0), data.substr(0, 70'001) + std::string(150'000 - 70'001, '\0'));
  ASSERT_TRUE(Run(engine_->Store(Update(UpdateKind::kRemove, 0, 0, 0), {}, true)).ok());
  EXPECT_EQ(engine_->Find(ChunkId{InodeId(5), 0}), nullptr);
  EXPECT_EQ(engine_->used_bytes(), 0u);
  // A removed chunk starts again from version 1.
  ASSERT_TRUE(Write(0, 10, "again").ok());
  EXPECT_EQ(ReadAll(0), std::string(10, '\0') + "again");
}

TEST_F(ChunkEngineTest, RemovedChunksGiveTheirBytesBackRewrittenOnesKeepThem) {
  ASSERT_TRUE(Write(0, 0, Pattern(kChunk, 'a')).ok());
  ASSERT_TRUE(Write(1, 0, Pattern(kChunk, 'b')).ok());
  BlobSlot removed = *engine_->Find(ChunkId{InodeId(5), 0})->committed.slot;
  BlobSlot rewritten = *engine_->Find(ChunkId{InodeId(5), 1})->committed.slot;
  ASSERT_TRUE(Run(engine_->Store(Update(UpdateKind::kRemove, 0, 0, 0), {}, true)).ok());
  // The removal only queues the slot; the storage node punches at its pace.
  EXPECT_EQ(RawSlot(removed), Pattern(kChunk, 'a'));
  EXPECT_TRUE(engine_->punch_due(world_.now()));
  EXPECT_EQ(Run(engine_->PunchFreed(1, world_.now())), kChunk);  // a whole slot, past the budget
  EXPECT_FALSE(engine_->punch_due(world_.now()));
  EXPECT_EQ(RawSlot(removed), std::string(kChunk, '\0'));
  // A rewrite copies the chunk to a new slot (here the punched one, free again); the old one
  // keeps its blocks for the next write, which takes it.
  ASSERT_TRUE(Write(1, 0, "new").ok());
  EXPECT_EQ(*engine_->Find(ChunkId{InodeId(5), 1})->committed.slot, removed);
  EXPECT_EQ(RawSlot(rewritten), Pattern(kChunk, 'b'));
  ASSERT_TRUE(Write(2, 0, "x").ok());
  EXPECT_EQ(*engine_->Find(ChunkId{InodeId(5), 2})->committed.slot, rewritten);
  EXPECT_EQ(ReadAll(1), "new" + Pattern(kChunk, 'b').substr(3));
}

TEST_F(ChunkEngineTest, RefusesUpdatesThatDoNotFit) {
  const std::string abcd = "abcd";
  auto u = Update(UpdateKind::kWrite, 0, kChunk - 2, 4);
  EXPECT_EQ(Run(engine_->Store(u, abcd, true)).status().code(), StatusCode::kInvalidArgument);
  u = Update(UpdateKind::kWrite, 0, 0, 4);
  u.chunk_size_bytes = 3000;
  EXPECT_EQ(Run(engine_->Store(u, abcd, true)).status().code(), StatusCode::kInvalidArgument);
  u = Update(UpdateKind::kWrite, 0, 0, 5);
  EXPECT_EQ(Run(engine_->Store(u, abcd, true)).status().code(), StatusCode::kInvalidArgument);
  u = Update(UpdateKind::kWrite, 0, 0, 4);
  u.version = 3;
  EXPECT_EQ(Run(engine_->Store(u, abcd, true)).status().code(), StatusCode::kOutOfRange);
  ASSERT_TRUE(Write(0, 0, abcd).ok());
  u = Update(UpdateKind::kWrite, 0, 0, 4);
  u.chunk_size_bytes = kChunk * 2;
  EXPECT_EQ(Run(engine_->Store(u, abcd, true)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ReadAll(0), "abcd");
}

TEST_F(ChunkEngineTest, AFlippedByteIsDetected) {
  ASSERT_TRUE(Write(0, 0, Pattern(kChunk, 'z')).ok());
  BlobSlot slot = *engine_->Find(ChunkId{InodeId(5), 0})->committed.slot;
  auto file = Run(
      disk_.Open(fmt::format("t/blobs/{}-{}", slot.size_log2, slot.file), OpenMode::kReadWrite));
  ASSERT_TRUE(file.ok());
  uint64_t at = uint64_t{slot.index} * kChunk + 150'000;
  ASSERT_TRUE(Run((*file)->WriteAt(at, "!")).ok());
  std::string out(10, '\0');
  auto clean = Run(engine_->Read(ChunkId{InodeId(5), 0}, false, 0, out));
  EXPECT_TRUE(clean.ok());  // block 0 is intact
  auto bad = Run(engine_->Read(ChunkId{InodeId(5), 0}, false, 140'000, out));
  ASSERT_EQ(bad.status().code(), StatusCode::kCorruption);
  EXPECT_NE(bad.status().message().find("block 2"), std::string::npos);
}

// Random updates against a model; the disk crashes now and then, losing whatever was not
// synced. Every stored version must read back whole afterwards.
TEST_F(ChunkEngineTest, RandomUpdatesSurviveCrashes) {
  DeterministicRandom rnd(11);
  std::map<uint64_t, std::string> committed;
  for (int step = 0; step < 400; ++step) {
    uint64_t index = rnd.Uniform(4);
    ChunkUpdate u;
    std::string data;
    std::string next = committed.count(index) ? committed[index] : std::string();
    switch (rnd.Uniform(8)) {
      case 0:
        u = Update(UpdateKind::kRemove, index, 0, 0);
        next.clear();
        break;
      case 1: {
        uint32_t len = rnd.Uniform(kChunk + 1);
        u = Update(UpdateKind::kTruncate, index, 0, len);
        next.resize(len, '\0');
        break;
      }
      default: {
        uint32_t off = rnd.Uniform(kChunk);
        uint32_t len = 1 + rnd.Uniform(std::min<uint32_t>(kChunk - off, 90'000));
        data = Pattern(len, static_cast<char>(step));
        u = Update(UpdateKind::kWrite, index, off, len);
        if (next.size() < off + len) next.resize(off + len, '\0');
        next.replace(off, len, data);
      }
    }
    bool two_phase = rnd.OneIn(0.5);
    auto stored = Run(engine_->Store(u, data, !two_phase));
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    if (two_phase && rnd.OneIn(0.3)) {
      ASSERT_TRUE(Run(engine_->DropPending(u.chunk)).ok());
    } else {
      if (two_phase) {
        ASSERT_TRUE(Run(engine_->Commit(u.chunk, u.version)).ok());
      }
      committed[index] = next;
    }
    if (rnd.OneIn(0.1)) Crash();
    for (const auto& [i, content] : committed) ASSERT_EQ(ReadAll(i), content) << "step " << step;
  }
}

TEST_F(ChunkEngineTest, RemovedSlotsArePunchedOnlyOnceDueAndNotAfterAWriteTookThem) {
  for (uint64_t index = 0; index < 3; ++index)
    ASSERT_TRUE(Write(index, 0, Pattern(kChunk, static_cast<char>('a' + index))).ok());
  BlobSlot first = *engine_->Find(ChunkId{InodeId(5), 0})->committed.slot;
  BlobSlot second = *engine_->Find(ChunkId{InodeId(5), 1})->committed.slot;
  ASSERT_TRUE(Run(engine_->Store(Update(UpdateKind::kRemove, 0, 0, 0), {}, true)).ok());
  Nanos first_freed = world_.now();
  world_.RunFor(Nanos(1'000'000'000));
  ASSERT_TRUE(Run(engine_->Store(Update(UpdateKind::kRemove, 1, 0, 0), {}, true)).ok());
  // Nothing freed before the cut-off: nothing is punched.
  EXPECT_FALSE(engine_->punch_due(first_freed - Nanos(1)));
  EXPECT_EQ(Run(engine_->PunchFreed(10 * kChunk, first_freed - Nanos(1))), 0u);
  EXPECT_EQ(RawSlot(first), Pattern(kChunk, 'a'));
  // The first slot is due; the second, freed a second later, is not.
  EXPECT_EQ(Run(engine_->PunchFreed(10 * kChunk, first_freed)), kChunk);
  EXPECT_EQ(RawSlot(first), std::string(kChunk, '\0'));
  EXPECT_EQ(RawSlot(second), Pattern(kChunk, 'b'));
  // A new chunk takes the punched slot, the next one the slot still waiting, as it is; once
  // due, that slot is not punched under it.
  ASSERT_TRUE(Write(3, 0, "x").ok());
  ASSERT_TRUE(Write(4, 0, "y").ok());
  EXPECT_EQ(*engine_->Find(ChunkId{InodeId(5), 3})->committed.slot, first);
  EXPECT_EQ(*engine_->Find(ChunkId{InodeId(5), 4})->committed.slot, second);
  EXPECT_EQ(Run(engine_->PunchFreed(10 * kChunk, world_.now())), 0u);
  EXPECT_FALSE(engine_->punch_due(world_.now()));
  EXPECT_EQ(ReadAll(4), "y");
  EXPECT_EQ(ReadAll(2), Pattern(kChunk, 'c'));
}

TEST_F(ChunkEngineTest, SlotsFreedBeforeARestartArePunchedAfterIt) {
  ASSERT_TRUE(Write(0, 0, Pattern(kChunk, 'a')).ok());
  ASSERT_TRUE(Write(1, 0, Pattern(kChunk, 'b')).ok());
  BlobSlot removed = *engine_->Find(ChunkId{InodeId(5), 0})->committed.slot;
  ASSERT_TRUE(Run(engine_->Store(Update(UpdateKind::kRemove, 0, 0, 0), {}, true)).ok());
  Crash();  // before the punch
  EXPECT_EQ(RawSlot(removed), Pattern(kChunk, 'a'));
  EXPECT_EQ(Run(engine_->PunchFreed(10 * kChunk, world_.now())), kChunk);
  EXPECT_EQ(RawSlot(removed), std::string(kChunk, '\0'));
  EXPECT_EQ(ReadAll(1), Pattern(kChunk, 'b'));
}

TEST_F(ChunkEngineTest, ConcurrentWritesShareTheSyncsOfTheirFile) {
  constexpr int kWrites = 16;
  std::vector<Task<Status>> writes;
  for (int i = 0; i < kWrites; ++i) writes.push_back(StoreStatus(i, Pattern(kChunk, 'a' + i)));
  uint64_t before = disk_.file_syncs();
  std::vector<Status> done = Run(AllOf(std::move(writes)));
  for (const Status& st : done) ASSERT_TRUE(st.ok()) << st.ToString();
  // One sync per write would be 16; the writes all go to one blob file.
  EXPECT_LE(disk_.file_syncs() - before, kWrites / 4u);
  Crash();  // every acknowledged write is durable all the same
  for (int i = 0; i < kWrites; ++i) EXPECT_EQ(ReadAll(i), Pattern(kChunk, 'a' + i)) << i;
}

}  // namespace
// Below its reserve of free space a target has no room for a client's new bytes, even
// overwrites of blocks it has (a copy-on-write file system allocates for those too), so the
// stores beside the chunks keep room; removals, and whole chunks the chain already holds,
// still have room.
TEST_F(ChunkEngineTest, BelowItsReserveOnlyRemovalsHaveRoom) {
  Reopen(/*reserve_bytes=*/256 << 20);
  ASSERT_TRUE(Write(0, 0, "kept").ok());
  EXPECT_TRUE(engine_->RoomFor(Update(UpdateKind::kWrite, 0, 0, 4)).ok());
  disk_.set_full(true);  // no free space reported (SimDisk::FreeBytes)
  Status refused = engine_->RoomFor(Update(UpdateKind::kWrite, 0, 0, 4));
  EXPECT_EQ(refused.code(), StatusCode::kNoSpace) << refused.ToString();
  EXPECT_NE(refused.message().find("256 MiB"), std::string_view::npos) << refused.message();
  EXPECT_TRUE(engine_->RoomFor(Update(UpdateKind::kRemove, 0, 0, 0)).ok());
  EXPECT_TRUE(engine_->RoomFor(Update(UpdateKind::kReplace, 0, 0, 4)).ok());
  disk_.set_full(false);
  EXPECT_TRUE(engine_->RoomFor(Update(UpdateKind::kWrite, 0, 0, 4)).ok());
  Reopen(/*reserve_bytes=*/0);
  disk_.set_full(true);
  EXPECT_TRUE(engine_->RoomFor(Update(UpdateKind::kWrite, 0, 0, 4)).ok()) << "no reserve";
}

// The chunks with a pending version are known without a look at every record, across a
// restart too.
TEST_F(ChunkEngineTest, ChunksWithAPendingVersionAreKeptApart) {
  ASSERT_TRUE(Write(0, 0, "committed").ok());
  ASSERT_TRUE(Write(1, 0, "pending", /*commit=*/false).ok());
  ASSERT_TRUE(Write(2, 0, "pending too", /*commit=*/false).ok());
  EXPECT_EQ(engine_->pending_chunks(), (std::set<ChunkId>{{InodeId(5), 1}, {InodeId(5), 2}}));
  Reopen();
  EXPECT_EQ(engine_->pending_chunks(), (std::set<ChunkId>{{InodeId(5), 1}, {InodeId(5), 2}}));
  ASSERT_TRUE(Run(engine_->Commit(ChunkId{InodeId(5), 1}, 1)).ok());
  ASSERT_TRUE(Run(engine_->DropPending(ChunkId{InodeId(5), 2})).ok());
  EXPECT_TRUE(engine_->pending_chunks().empty());
  ASSERT_TRUE(Write(0, 0, "again", /*commit=*/false).ok());
  ASSERT_TRUE(Run(engine_->Forget(ChunkId{InodeId(5), 0})).ok());
  EXPECT_TRUE(engine_->pending_chunks().empty());
}

}  // namespace chainfs::storage
