#include "common/buffer_pool.h"

#include <gtest/gtest.h>

#include <thread>

namespace chainfs {
namespace {

TEST(BufferPoolTest, RoundsUpAndReuses) {
  BufferPool pool(1 << 20);
  char* first = nullptr;
  {
    PooledBuffer b = pool.Get(5000);
    EXPECT_EQ(b.capacity(), 8192u);
    first = b.data();
  }
  PooledBuffer again = pool.Get(8000);
  EXPECT_EQ(again.data(), first);
}

TEST(BufferPoolTest, EveryBufferIsAligned) {
  BufferPool pool(1 << 20);
  for (size_t size : {size_t{1}, size_t{5000}, size_t{1} << 20, BufferPool::kMaxClassBytes + 1}) {
    PooledBuffer b = pool.Get(size);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data()) % BufferPool::kAlignment, 0u) << size;
  }
}

TEST(BufferPoolTest, OversizeIsAllocatedDirectly) {
  BufferPool pool(1 << 20);
  PooledBuffer big = pool.Get(BufferPool::kMaxClassBytes + 1);
  EXPECT_GE(big.capacity(), BufferPool::kMaxClassBytes + 1);
}

TEST(BufferPoolTest, CrossThreadReturnIsBounded) {
  BufferPool pool(64 << 10);
  std::vector<PooledBuffer> bufs;
  for (int i = 0; i < 64; ++i) bufs.push_back(pool.Get(4096));
  std::thread t([&] { bufs.clear(); });
  t.join();
  EXPECT_LE(pool.cached_bytes(), size_t{64} << 10);
}

TEST(BufferPoolTest, MoveTransfersOwnership) {
  BufferPool pool(1 << 20);
  PooledBuffer a = pool.Get(100);
  char* p = a.data();
  PooledBuffer b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.data(), p);
}

}  // namespace
}  // namespace chainfs
