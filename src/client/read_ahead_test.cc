#include "client/read_ahead.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "runtime/sim/sim_network.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::client {
namespace {

// A file held in memory; every read of it is counted and takes 100 us of virtual time.
class CountingSource : public ChunkReader {
 public:
  explicit CountingSource(Runtime& rt) : rt_(rt) {}

  Task<Status> Read(InodeId, meta::Layout, uint64_t offset, std::span<char> out) override {
    reads.push_back({offset, out.size()});
    co_await rt_.clock().Sleep(Nanos(100'000));
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] = offset + i < content.size() ? content[offset + i] : '\0';
    }
    co_return Status();
  }

  struct Call {
    uint64_t offset;
    size_t length;
  };
  std::string content;
  std::vector<Call> reads;

 private:
  Runtime& rt_;
};

std::string Pattern(size_t n, int seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7 + seed) % 251);
  return s;
}

class ReadAheadTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxWindow = 64 << 10;

  ReadAheadTest() : world_(5), net_(world_, {}), node_(world_, net_, "client"), src_(node_) {
    src_.content = Pattern(256 << 10, 1);
    ra_ = std::make_unique<ReadAhead>(node_, kMaxWindow, budget_, &in_flight_);
  }
  ~ReadAheadTest() override { world_.RunFor(Nanos(1'000'000'000)); }  // let fetches end

  ReadAhead::Source Source() {
    return ReadAhead::Source{&src_, InodeId(3), meta::Layout{}, src_.content.size(), generation_};
  }
  // Reads `n` bytes at `offset` through the read-ahead.
  std::string Read(uint64_t offset, size_t n) {
    std::string out(n, '\0');
    EXPECT_TRUE(RunSimTask(world_, ra_->Read(Source(), offset, out))->ok());
    return out;
  }

  SimWorld world_;
  SimNetwork net_;
  SimNode node_;
  CountingSource src_;
  ReadAheadBudget budget_{1 << 20};
  int in_flight_ = 0;
  uint64_t generation_ = 1;
  std::unique_ptr<ReadAhead> ra_;
};

TEST_F(ReadAheadTest, SequentialReadsFindTheirBytesFetchedAhead) {
  Nanos start = world_.now();
  for (uint64_t at = 0; at < src_.content.size(); at += 4096) {
    ASSERT_EQ(Read(at, 4096), src_.content.substr(at, 4096)) << at;
  }
  // 64 reads in a few fetches of a block each (a quarter of the largest window), no byte
  // fetched twice.
  EXPECT_LE(src_.reads.size(), 20u);
  uint64_t next = 0;
  for (const auto& c : src_.reads) {
    EXPECT_EQ(c.offset, next);
    EXPECT_LE(c.length, kMaxWindow / 4);
    next = c.offset + c.length;
  }
  // Each fetch takes 100 us; the reader waited for a few of them, not for each.
  EXPECT_LT(world_.now() - start, Nanos(600'000));
}

TEST_F(ReadAheadTest, ReadsThatArriveTogetherShareTheBlocksAhead) {
  Read(0, 4096);
  Read(4096, 4096);
  // The kernel's own read-ahead can send several reads of one handle at once.
  std::vector<std::string> outs(4, std::string(8192, '\0'));
  std::vector<std::optional<Status>> results(4);
  for (int i = 0; i < 4; ++i) {
    node_.Spawn(
        [](ReadAhead& ra, ReadAhead::Source src, uint64_t at, std::string& out,
           std::optional<Status>& result) -> Task<void> {
          result = co_await ra.Read(src, at, out);
        }(*ra_, Source(), 8192 + i * 8192, outs[i], results[i]),
        "reader");
  }
  world_.RunFor(Nanos(10'000'000));
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(results[i].has_value() && results[i]->ok()) << i;
    EXPECT_EQ(outs[i], src_.content.substr(8192 + i * 8192, 8192)) << i;
  }
  uint64_t next = 0;
  for (const auto& c : src_.reads) {
    EXPECT_EQ(c.offset, next) << "a byte fetched twice or skipped";
    next = c.offset + c.length;
  }
}

TEST_F(ReadAheadTest, ARandomReadFetchesOnlyItself) {
  EXPECT_EQ(Read(100'000, 4096), src_.content.substr(100'000, 4096));
  EXPECT_EQ(Read(20'000, 4096), src_.content.substr(20'000, 4096));
  ASSERT_EQ(src_.reads.size(), 2u);
  EXPECT_EQ(src_.reads[0].length, 4096u);
  EXPECT_EQ(src_.reads[1].offset, 20'000u);
  EXPECT_EQ(src_.reads[1].length, 4096u);
}

TEST_F(ReadAheadTest, BytesFromBeforeAChangeAreNeverServed) {
  for (uint64_t at = 0; at < 32 << 10; at += 4096) Read(at, 4096);
  world_.RunFor(Nanos(10'000'000));  // the window ahead is in
  // This client wrote: the file's generation moves, and the next read sees the new bytes.
  src_.content = Pattern(src_.content.size(), 2);
  ++generation_;
  size_t before = src_.reads.size();
  EXPECT_EQ(Read(32 << 10, 4096), src_.content.substr(32 << 10, 4096));
  EXPECT_GT(src_.reads.size(), before);
}

TEST_F(ReadAheadTest, WithoutBudgetEachReadFetchesItself) {
  ReadAheadBudget none(0);
  ra_ = std::make_unique<ReadAhead>(node_, kMaxWindow, none, &in_flight_);
  for (uint64_t at = 0; at < 64 << 10; at += 4096) {
    ASSERT_EQ(Read(at, 4096), src_.content.substr(at, 4096));
  }
  EXPECT_EQ(src_.reads.size(), 16u);
  ra_.reset();
}

TEST_F(ReadAheadTest, NothingIsFetchedPastTheEndOfTheFile) {
  for (uint64_t at = 0; at < src_.content.size(); at += 8192) Read(at, 8192);
  world_.RunFor(Nanos(10'000'000));
  for (const auto& c : src_.reads) EXPECT_LE(c.offset + c.length, src_.content.size());
  EXPECT_EQ(in_flight_, 0);
}

}  // namespace
}  // namespace chainfs::client
