#pragma once

#include <deque>
#include <memory>
#include <span>
#include <vector>

#include "client/chunk_io.h"
#include "common/buffer_pool.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"

namespace chainfs::client {

// Memory all of a client's read-ahead windows may hold together; a window that does not fit
// is not fetched (the read asks for its own bytes only). Belongs to the client's thread.
class ReadAheadBudget {
 public:
  explicit ReadAheadBudget(uint64_t limit) : limit_(limit) {}
  bool Take(uint64_t bytes) {
    if (bytes > limit_ - used_) return false;
    used_ += bytes;
    return true;
  }
  void Give(uint64_t bytes) { used_ -= bytes; }
  uint64_t used() const { return used_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
};

// Read-ahead for one open file handle. Sequential reads grow a window (doubling up to
// `max_window` bytes) that is kept fetched ahead of the reader in blocks of up to 1 MiB, each
// fetched on its own: every read tops the window up, so fetches run continuously and a reader
// waits only for the block it needs, never for a whole window. A random read fetches only
// itself. What was read under an older generation of the file (a write or truncate here
// since) is never served. Belongs to the client's thread; fetches still running when the
// handle goes finish on their own, counted in `*in_flight` so the client can wait for them
// before it goes.
class ReadAhead {
 public:
  // Where the file's bytes come from, as of this read.
  struct Source {
    ChunkReader* chunks;
    InodeId id;
    meta::Layout layout;
    uint64_t size;        // the file's length as known: nothing is fetched past it
    uint64_t generation;  // moves with every change to the file made by this client
  };

  ReadAhead(Runtime& rt, uint64_t max_window, ReadAheadBudget& budget, int* in_flight);
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Fills `out` with the bytes at `offset`; the caller keeps it within src.size.
  Task<Status> Read(const Source& src, uint64_t offset, std::span<char> out);

 private:
  struct Block {
    Block(Clock& clock, ReadAheadBudget& b) : ready(clock), budget(b) {}
    ~Block() { budget.Give(length); }
    Block(const Block&) = delete;
    Block& operator=(const Block&) = delete;
    uint64_t end() const { return offset + length; }
    uint64_t offset = 0;
    uint64_t length = 0;
    PooledBuffer bytes;
    bool done = false;
    Status status;
    Notifier ready;           // done
    ReadAheadBudget& budget;  // holds `length` bytes of it
  };
  using Blocks = std::vector<std::shared_ptr<Block>>;

  // Starts fetching blocks after the last one held (or at `offset`) until they reach `end`,
  // as far as the budget allows.
  void TopUp(const Source& src, uint64_t offset, uint64_t end);
  // The held blocks that cover [offset, offset + length), or none if they do not.
  Blocks Covering(uint64_t offset, uint64_t length) const;
  static Task<Status> CopyOut(Blocks blocks, Clock& clock, uint64_t offset, std::span<char> out);
  static Task<void> Fetch(ChunkReader* chunks, InodeId id, meta::Layout layout,
                          std::shared_ptr<Block> b, int* in_flight);

  Runtime& rt_;
  uint64_t max_window_;
  uint64_t block_;  // the largest block
  ReadAheadBudget& budget_;
  int* in_flight_;
  uint64_t next_offset_ = 0;                   // where a sequential read would start
  uint64_t window_ = 0;                        // 0 while reads are random
  uint64_t generation_ = 0;                    // of the file the blocks were fetched from
  std::deque<std::shared_ptr<Block>> blocks_;  // contiguous, in file order
};

}  // namespace chainfs::client
