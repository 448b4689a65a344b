#include "client/read_ahead.h"

#include <algorithm>
#include <cstring>

namespace chainfs::client {

namespace {
constexpr Nanos kRecheck{1'000'000'000};
}  // namespace

bool ReadAhead::Covers(const Window& w, const Source& src, uint64_t offset, size_t length) {
  return w.generation == src.generation && offset >= w.offset &&
         offset + length <= w.offset + w.length;
}

bool ReadAhead::CopyHeld(const Source& src, uint64_t offset, std::span<char> out) const {
  if (!held_ || !Covers(*held_, src, offset, out.size())) return false;
  std::memcpy(out.data(), held_->bytes.data() + (offset - held_->offset), out.size());
  return true;
}

std::shared_ptr<ReadAhead::Window> ReadAhead::NewWindow(const Source& src, uint64_t offset,
                                                        uint64_t length) {
  if (!budget_.Take(length)) return nullptr;
  auto w = std::make_shared<Window>(rt_.clock(), budget_);
  w->offset = offset;
  w->length = length;
  w->generation = src.generation;
  w->bytes = BufferPool::Default().Get(length);
  return w;
}

Task<Status> ReadAhead::Read(const Source& src, uint64_t offset, std::span<char> out) {
  bool sequential = offset == next_offset_;
  next_offset_ = offset + out.size();
  if (CopyHeld(src, offset, out)) {
    FetchNext(src);
    co_return Status();
  }
  std::shared_ptr<Window> w = coming_;
  if (w && Covers(*w, src, offset, out.size())) {
    while (!w->done) (void)co_await w->ready.Wait(rt_.clock().Now() + kRecheck);
    Settle(w);
    if (CopyHeld(src, offset, out)) {
      FetchNext(src);
      co_return Status();
    }
  }
  window_ = sequential ? std::min(max_window_, std::max<uint64_t>(window_ * 2, out.size() * 2)) : 0;
  uint64_t fetch = std::min<uint64_t>(std::max<uint64_t>(out.size(), window_), src.size - offset);
  if (fetch <= out.size()) co_return co_await src.chunks->Read(src.id, src.layout, offset, out);
  // Fetched here, but as the coming window: reads of these bytes that arrive meanwhile wait.
  w = NewWindow(src, offset, fetch);
  if (!w) co_return co_await src.chunks->Read(src.id, src.layout, offset, out);
  coming_ = w;
  w->status = co_await src.chunks->Read(src.id, src.layout, offset, w->bytes.first(fetch));
  w->done = true;
  w->ready.NotifyAll();
  Settle(w);
  CO_RETURN_IF_ERROR(w->status);
  std::memcpy(out.data(), w->bytes.data(), out.size());
  FetchNext(src);
  co_return Status();
}

void ReadAhead::Settle(const std::shared_ptr<Window>& w) {
  if (coming_ != w) return;
  coming_.reset();
  if (w->status.ok()) held_ = w;
}

void ReadAhead::FetchNext(const Source& src) {
  if (window_ == 0 || coming_ || !held_ || held_->generation != src.generation) return;
  if (next_offset_ < held_->offset + held_->length / 2) return;
  uint64_t start = held_->offset + held_->length;
  if (start >= src.size) return;
  window_ = std::min(max_window_, window_ * 2);
  coming_ = NewWindow(src, start, std::min(window_, src.size - start));
  if (!coming_) return;
  ++*in_flight_;
  rt_.Spawn(Fetch(src.chunks, src.id, src.layout, coming_, in_flight_), "read ahead");
}

Task<void> ReadAhead::Fetch(ChunkReader* chunks, InodeId id, meta::Layout layout,
                            std::shared_ptr<Window> w, int* in_flight) {
  w->status = co_await chunks->Read(id, layout, w->offset, w->bytes.first(w->length));
  w->done = true;
  --*in_flight;
  w->ready.NotifyAll();
}

}  // namespace chainfs::client
