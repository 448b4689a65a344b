#pragma once

#include <memory>
#include <span>

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
// `max_window` bytes) that is fetched whole; once the reader passes the middle of the window
// it holds, the next window is fetched in the background, so a sequential reader finds its
// bytes already here or on their way. A random read fetches only itself. What was read under
// an older generation of the file (a write or truncate here since) is never served. Belongs
// to the client's thread; fetches still running when the handle goes finish on their own,
// counted in `*in_flight` so the client can wait for them before it goes.
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

  ReadAhead(Runtime& rt, uint64_t max_window, ReadAheadBudget& budget, int* in_flight)
      : rt_(rt), max_window_(max_window), budget_(budget), in_flight_(in_flight) {}
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // Fills `out` with the bytes at `offset`; the caller keeps it within src.size.
  Task<Status> Read(const Source& src, uint64_t offset, std::span<char> out);

 private:
  struct Window {
    Window(Clock& clock, ReadAheadBudget& b) : ready(clock), budget(b) {}
    ~Window() { budget.Give(length); }
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;
    uint64_t offset = 0;
    uint64_t length = 0;
    uint64_t generation = 0;
    PooledBuffer bytes;
    bool done = false;
    Status status;
    Notifier ready;           // done
    ReadAheadBudget& budget;  // holds `length` bytes of it
  };

  // Null when the budget cannot hold another `length` bytes.
  std::shared_ptr<Window> NewWindow(const Source& src, uint64_t offset, uint64_t length);
  // A finished window that is still the coming one becomes the held one.
  void Settle(const std::shared_ptr<Window>& w);
  bool CopyHeld(const Source& src, uint64_t offset, std::span<char> out) const;
  static bool Covers(const Window& w, const Source& src, uint64_t offset, size_t length);
  // Starts fetching the window after the one held, when the reader is past its middle.
  void FetchNext(const Source& src);
  static Task<void> Fetch(ChunkReader* chunks, InodeId id, meta::Layout layout,
                          std::shared_ptr<Window> w, int* in_flight);

  Runtime& rt_;
  uint64_t max_window_;
  ReadAheadBudget& budget_;
  int* in_flight_;
  uint64_t next_offset_ = UINT64_MAX;  // where a sequential read would start
  uint64_t window_ = 0;                // 0 while reads are random
  std::shared_ptr<Window> held_;       // fetched
  std::shared_ptr<Window> coming_;     // being fetched in the background
};

}  // namespace chainfs::client
