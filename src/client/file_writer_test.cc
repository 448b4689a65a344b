#include "client/file_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/sim/sim_network.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"

namespace chainfs::client {
namespace {

constexpr uint32_t kChunk = 4096;

// Keeps every chunk write, in the order they land, each taking `latency` of virtual time; the
// first `failures` of them fail.
class Recorder : public ChunkWriter {
 public:
  explicit Recorder(Runtime& rt) : rt_(rt) {}
  struct Landed {
    uint64_t offset;
    std::string bytes;
  };

  Task<Status> Write(InodeId, meta::Layout, uint64_t offset, std::span<const char> data) override {
    ++in_flight_;
    most_in_flight_ = std::max(most_in_flight_, in_flight_);
    std::string bytes(data.begin(), data.end());
    co_await rt_.clock().Sleep(latency);
    --in_flight_;
    if (failures > 0) {
      --failures;
      co_return Unavailable("storage down");
    }
    landed.push_back(Landed{offset, std::move(bytes)});
    co_return Status();
  }

  // The file as the landed writes left it.
  std::string File() const {
    std::string file;
    for (const Landed& w : landed) {
      if (file.size() < w.offset + w.bytes.size()) file.resize(w.offset + w.bytes.size(), '\0');
      file.replace(w.offset, w.bytes.size(), w.bytes);
    }
    return file;
  }

  std::vector<Landed> landed;
  Nanos latency{1'000'000};
  int failures = 0;
  int most_in_flight() const { return most_in_flight_; }

 private:
  Runtime& rt_;
  int in_flight_ = 0;
  int most_in_flight_ = 0;
};

class FileWriterTest : public ::testing::Test {
 protected:
  FileWriterTest() : world_(3), net_(world_, {}), node_(world_, net_, "client"), rec_(node_) {
    meta::Layout layout;
    layout.chunk_size_bytes = kChunk;
    writer_ = std::make_unique<FileWriter>(node_, rec_, InodeId(9), layout, options_);
  }

  Status Write(uint64_t offset, const std::string& bytes) {
    return *RunSimTask(world_, writer_->Write(offset, bytes));
  }
  Status Flush() { return *RunSimTask(world_, writer_->Flush()); }
  // Lets background writes run for `d` of virtual time.
  void Pass(Nanos d) { world_.RunFor(d); }

  SimWorld world_;
  SimNetwork net_;
  SimNode node_;
  Recorder rec_;
  WriterOptions options_;
  std::unique_ptr<FileWriter> writer_;
};

TEST_F(FileWriterTest, WholeChunksGoAtOnceAndTheTailWaitsForAFlush) {
  std::string data;
  for (int i = 0; i < 10; ++i) {
    std::string piece(1000, static_cast<char>('a' + i));
    ASSERT_TRUE(Write(data.size(), piece).ok());
    data += piece;
  }
  Pass(Nanos(5'000'000));  // less than the flush delay
  ASSERT_EQ(rec_.landed.size(), 2u);
  EXPECT_EQ(rec_.landed[0].offset, 0u);
  EXPECT_EQ(rec_.landed[1].offset, kChunk);
  EXPECT_EQ(rec_.landed[1].bytes.size(), kChunk);
  EXPECT_TRUE(writer_->busy());  // the tail, 10,000 - 8,192 bytes
  ASSERT_TRUE(Flush().ok());
  EXPECT_FALSE(writer_->busy());
  ASSERT_EQ(rec_.landed.size(), 3u);
  EXPECT_EQ(rec_.File(), data);
}

TEST_F(FileWriterTest, OverlappingWritesInTheBufferLandAsTheLastOneLeftThem) {
  ASSERT_TRUE(Write(0, std::string(3000, 'a')).ok());
  ASSERT_TRUE(Write(1000, std::string(1000, 'b')).ok());
  ASSERT_TRUE(Write(2500, std::string(2500, 'c')).ok());  // over the end, into chunk 1
  ASSERT_TRUE(Flush().ok());
  std::string expected = std::string(1000, 'a') + std::string(1000, 'b') + std::string(500, 'a') +
                         std::string(2500, 'c');
  EXPECT_EQ(rec_.File(), expected);
}

TEST_F(FileWriterTest, AWriteAwayFromTheBufferedExtentSendsItFirst) {
  ASSERT_TRUE(Write(0, "first").ok());
  ASSERT_TRUE(Write(20'000, "second").ok());
  ASSERT_TRUE(Flush().ok());
  ASSERT_EQ(rec_.landed.size(), 2u);
  EXPECT_EQ(rec_.landed[0].offset, 0u);
  EXPECT_EQ(rec_.landed[0].bytes, "first");
  EXPECT_EQ(rec_.landed[1].offset, 20'000u);
  EXPECT_EQ(rec_.landed[1].bytes, "second");
}

TEST_F(FileWriterTest, TheTailIsSentAfterTheFlushDelay) {
  ASSERT_TRUE(Write(0, "tail").ok());
  Pass(options_.flush_delay / 2);
  EXPECT_TRUE(rec_.landed.empty());
  Pass(options_.flush_delay);
  ASSERT_EQ(rec_.landed.size(), 1u);
  EXPECT_EQ(rec_.landed[0].bytes, "tail");
  EXPECT_FALSE(writer_->busy());
}

TEST_F(FileWriterTest, ChunkWritesRunTogetherUpToTheLimit) {
  // 40 chunks in one write: sent at once, at most max_in_flight of them running.
  std::string data(40 * kChunk, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 % 251);
  ASSERT_TRUE(Write(0, data).ok());
  ASSERT_TRUE(Flush().ok());
  EXPECT_EQ(rec_.most_in_flight(), options_.max_in_flight);
  EXPECT_EQ(rec_.landed.size(), 40u);
  EXPECT_EQ(rec_.File(), data);
}

TEST_F(FileWriterTest, ABackgroundFailureIsReturnedOnceByTheNextFlush) {
  rec_.failures = 1;
  ASSERT_TRUE(Write(0, std::string(kChunk, 'x')).ok());  // a whole chunk: sent in the background
  EXPECT_EQ(Flush().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(Flush().ok());
  EXPECT_TRUE(rec_.landed.empty());
}

}  // namespace
}  // namespace chainfs::client
