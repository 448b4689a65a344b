#include "client/read_ahead.h"

#include <algorithm>
#include <cstring>

namespace chainfs::client {

namespace {
constexpr Nanos kRecheck{1'000'000'000};
constexpr uint64_t kLargestBlock = 1 << 20;
constexpr uint64_t kSmallestBlock = 4 << 10;
}  // namespace

// A window holds at least four blocks, so a small window still overlaps its fetches.
ReadAhead::ReadAhead(Runtime& rt, uint64_t max_window, ReadAheadBudget& budget, int* in_flight)
    : rt_(rt),
      max_window_(max_window),
      block_(std::clamp(max_window / 4, kSmallestBlock, kLargestBlock)),
      budget_(budget),
      in_flight_(in_flight) {}

Task<Status> ReadAhead::Read(const Source& src, uint64_t offset, std::span<char> out) {
  bool sequential = offset == next_offset_;
  next_offset_ = offset + out.size();
  if (src.generation != generation_) blocks_.clear();
  generation_ = src.generation;
  while (!blocks_.empty() && blocks_.front()->end() <= offset) blocks_.pop_front();
  window_ = sequential ? std::min(max_window_, std::max(window_ * 2, out.size() * 2)) : 0;
  if (sequential)
    TopUp(src, offset, std::min(src.size, offset + std::max<uint64_t>(out.size(), window_)));
  Blocks covering = Covering(offset, out.size());
  if (covering.empty()) {
    // Not read ahead: whatever is held is for another reader's place.
    if (!sequential) blocks_.clear();
    co_return co_await src.chunks->Read(src.id, src.layout, offset, out);
  }
  Status st = co_await CopyOut(std::move(covering), rt_.clock(), offset, out);
  // A failed block is fetched again by the next read that needs it.
  if (!st.ok()) blocks_.clear();
  co_return st;
}

void ReadAhead::TopUp(const Source& src, uint64_t offset, uint64_t end) {
  // The blocks held must run on from the read; ones for another place are dropped.
  if (!blocks_.empty() && blocks_.front()->offset > offset) blocks_.clear();
  uint64_t at = blocks_.empty() ? offset : blocks_.back()->end();
  while (at < end) {
    // Blocks end on multiples of their size, which match chunk boundaries.
    uint64_t length = std::min(block_ - at % block_, src.size - at);
    if (!budget_.Take(length)) return;
    auto b = std::make_shared<Block>(rt_.clock(), budget_);
    b->offset = at;
    b->length = length;
    b->bytes = BufferPool::Default().Get(length);
    blocks_.push_back(b);
    ++*in_flight_;
    rt_.Spawn(Fetch(src.chunks, src.id, src.layout, std::move(b), in_flight_), "read ahead");
    at += length;
  }
}

ReadAhead::Blocks ReadAhead::Covering(uint64_t offset, uint64_t length) const {
  Blocks found;
  uint64_t at = offset;
  for (const auto& b : blocks_) {
    if (at >= offset + length) break;
    if (b->end() <= at) continue;
    if (b->offset > at) return {};
    found.push_back(b);
    at = b->end();
  }
  if (at < offset + length) return {};
  return found;
}

Task<Status> ReadAhead::CopyOut(Blocks blocks, Clock& clock, uint64_t offset, std::span<char> out) {
  size_t done = 0;
  for (const auto& b : blocks) {
    while (!b->done) (void)co_await b->ready.Wait(clock.Now() + kRecheck);
    CO_RETURN_IF_ERROR(b->status);
    uint64_t at = offset + done;
    size_t n = std::min<uint64_t>(out.size() - done, b->end() - at);
    std::memcpy(out.data() + done, b->bytes.data() + (at - b->offset), n);
    done += n;
  }
  co_return Status();
}

Task<void> ReadAhead::Fetch(ChunkReader* chunks, InodeId id, meta::Layout layout,
                            std::shared_ptr<Block> b, int* in_flight) {
  b->status = co_await chunks->Read(id, layout, b->offset, b->bytes.first(b->length));
  b->done = true;
  --*in_flight;
  b->ready.NotifyAll();
}

}  // namespace chainfs::client
