#include "common/buffer_pool.h"

#include <array>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <utility>
#include <vector>

#include "common/check.h"

namespace chainfs {
namespace {

constexpr int kClassCount =
    std::countr_zero(BufferPool::kMaxClassBytes) - std::countr_zero(BufferPool::kMinClassBytes) + 1;
constexpr size_t kThreadCacheDepth = 8;

int ClassOf(size_t bytes) {
  size_t rounded = std::bit_ceil(std::max(bytes, BufferPool::kMinClassBytes));
  return std::countr_zero(rounded) - std::countr_zero(BufferPool::kMinClassBytes);
}

size_t ClassBytes(int cls) { return BufferPool::kMinClassBytes << cls; }

char* Allocate(size_t bytes) {
  void* p = std::aligned_alloc(BufferPool::kAlignment, bytes);
  CHECK_MSG(p != nullptr, "out of memory");
  return static_cast<char*>(p);
}

// Per thread and per pool: a few buffers of each class, reachable without a lock.
struct ThreadCache {
  ~ThreadCache() {
    for (auto& list : free) {
      for (char* p : list) std::free(p);
    }
  }
  const void* owner = nullptr;
  std::array<std::vector<char*>, kClassCount> free;
};

}  // namespace

struct BufferPool::Shared {
  explicit Shared(size_t max) : max_cached_bytes(max) {}
  size_t max_cached_bytes;
  mutable std::mutex mu;
  size_t cached_bytes = 0;
  std::array<std::vector<char*>, kClassCount> free;
};

namespace {
ThreadCache* CacheFor(const void* pool) {
  // One cache per thread, for the most recent pool used; other pools go to the shared list.
  thread_local ThreadCache cache;
  if (cache.owner == nullptr) cache.owner = pool;
  return cache.owner == pool ? &cache : nullptr;
}
}  // namespace

BufferPool::BufferPool(size_t max_cached_bytes) : shared_(new Shared(max_cached_bytes)) {}

BufferPool::~BufferPool() {
  for (auto& list : shared_->free) {
    for (char* p : list) std::free(p);
  }
  delete shared_;
}

BufferPool& BufferPool::Default() {
  // Never destroyed: buffers may be returned by threads that outlive static destruction.
  static BufferPool* pool = new BufferPool(size_t{256} << 20);
  return *pool;
}

PooledBuffer BufferPool::Get(size_t min_bytes) {
  if (min_bytes > kMaxClassBytes) {
    return PooledBuffer(this, Allocate((min_bytes + 4095) & ~size_t{4095}), min_bytes);
  }
  int cls = ClassOf(min_bytes);
  size_t bytes = ClassBytes(cls);
  if (ThreadCache* cache = CacheFor(this); cache && !cache->free[cls].empty()) {
    char* p = cache->free[cls].back();
    cache->free[cls].pop_back();
    return PooledBuffer(this, p, bytes);
  }
  {
    std::lock_guard lock(shared_->mu);
    auto& list = shared_->free[cls];
    if (!list.empty()) {
      char* p = list.back();
      list.pop_back();
      shared_->cached_bytes -= bytes;
      return PooledBuffer(this, p, bytes);
    }
  }
  return PooledBuffer(this, Allocate(bytes), bytes);
}

void BufferPool::Put(char* data, size_t capacity) {
  if (capacity > kMaxClassBytes || !std::has_single_bit(capacity)) {
    std::free(data);
    return;
  }
  int cls = ClassOf(capacity);
  if (ThreadCache* cache = CacheFor(this); cache && cache->free[cls].size() < kThreadCacheDepth) {
    cache->free[cls].push_back(data);
    return;
  }
  std::lock_guard lock(shared_->mu);
  if (shared_->cached_bytes + capacity > shared_->max_cached_bytes) {
    std::free(data);
    return;
  }
  shared_->free[cls].push_back(data);
  shared_->cached_bytes += capacity;
}

size_t BufferPool::cached_bytes() const {
  std::lock_guard lock(shared_->mu);
  return shared_->cached_bytes;
}

PooledBuffer::PooledBuffer(PooledBuffer&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)) {}

PooledBuffer& PooledBuffer::operator=(PooledBuffer&& other) noexcept {
  if (this != &other) {
    Release();
    pool_ = std::exchange(other.pool_, nullptr);
    data_ = std::exchange(other.data_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  return *this;
}

PooledBuffer::~PooledBuffer() { Release(); }

void PooledBuffer::Release() {
  if (data_ != nullptr) pool_->Put(data_, capacity_);
  data_ = nullptr;
  pool_ = nullptr;
  capacity_ = 0;
}

}  // namespace chainfs
