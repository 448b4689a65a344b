#pragma once

#include <cstddef>
#include <span>

namespace chainfs {

class BufferPool;

// A block of memory on loan from a BufferPool; returns itself when destroyed. Move-only.
class PooledBuffer {
 public:
  PooledBuffer() = default;
  PooledBuffer(PooledBuffer&& other) noexcept;
  PooledBuffer& operator=(PooledBuffer&& other) noexcept;
  PooledBuffer(const PooledBuffer&) = delete;
  PooledBuffer& operator=(const PooledBuffer&) = delete;
  ~PooledBuffer();

  char* data() const { return data_; }
  size_t capacity() const { return capacity_; }
  std::span<char> span() const { return {data_, capacity_}; }
  std::span<char> first(size_t n) const { return {data_, n}; }
  bool empty() const { return data_ == nullptr; }

 private:
  friend class BufferPool;
  PooledBuffer(BufferPool* pool, char* data, size_t capacity)
      : pool_(pool), data_(data), capacity_(capacity) {}
  void Release();

  BufferPool* pool_ = nullptr;
  char* data_ = nullptr;
  size_t capacity_ = 0;
};

// Hands out buffers in power-of-two size classes from 4 KiB to 64 MiB. Each thread keeps a
// small cache per class; the rest is shared under a lock, bounded by `max_cached_bytes`.
// Larger requests are allocated and freed directly. Every buffer starts on a kAlignment
// boundary, so it can take direct I/O (File::PreferDirectIo) as it is. Thread-safe.
class BufferPool {
 public:
  static constexpr size_t kAlignment = 4096;
  static constexpr size_t kMinClassBytes = 4096;
  static constexpr size_t kMaxClassBytes = size_t{64} << 20;

  explicit BufferPool(size_t max_cached_bytes);
  ~BufferPool();
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;

  // The process-wide pool (256 MiB cache bound).
  static BufferPool& Default();

  // A buffer of at least `min_bytes` (never fewer than kMinClassBytes).
  PooledBuffer Get(size_t min_bytes);

  size_t cached_bytes() const;

 private:
  friend class PooledBuffer;
  struct Shared;
  void Put(char* data, size_t capacity);

  Shared* shared_;
};

}  // namespace chainfs
