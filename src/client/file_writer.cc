#include "client/file_writer.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

namespace chainfs::client {

struct FileWriter::State {
  State(Runtime& rt_in, ChunkWriter& chunks_in)
      : rt(rt_in), chunks(chunks_in), changed(rt.clock()) {}
  Runtime& rt;
  ChunkWriter& chunks;
  InodeId inode;
  meta::Layout layout;
  WriterOptions options;
  uint64_t start = 0;
  std::string buffer;
  bool flush_armed = false;
  std::set<uint64_t> chunks_in_flight;
  int in_flight = 0;
  bool sending = false;  // one SendFront at a time, so chunk writes start in write order
  Status error;
  Notifier changed;  // a chunk write ended
};

namespace {

using State = FileWriter::State;

// Writes `length` bytes of `bytes` from `at`, which belong to one chunk, at file `offset`.
Task<void> SendPiece(std::shared_ptr<State> s, uint64_t offset,
                     std::shared_ptr<const std::string> bytes, size_t at, size_t length) {
  uint64_t index = offset / s->layout.chunk_size_bytes;
  Status st = co_await s->chunks.Write(s->inode, s->layout, offset,
                                       std::span<const char>(bytes->data() + at, length));
  if (!st.ok() && s->error.ok()) s->error = st;
  s->chunks_in_flight.erase(index);
  --s->in_flight;
  s->changed.NotifyAll();
}

// The bytes up to the last chunk boundary the buffer reaches (all of them with `all`).
size_t SendableLength(const State& s, bool all) {
  if (all) return s.buffer.size();
  uint64_t cs = s.layout.chunk_size_bytes;
  uint64_t boundary = (s.start + s.buffer.size()) / cs * cs;
  return boundary > s.start ? boundary - s.start : 0;
}

// Sends buffered bytes from the front of the buffer, one background write per chunk.
Task<void> SendFront(std::shared_ptr<State> s, bool all) {
  while (s->sending) (void)co_await s->changed.Wait(s->rt.clock().Now() + Nanos(1'000'000'000));
  s->sending = true;
  size_t length = SendableLength(*s, all);
  // The bytes leave the buffer whole (the usual case: writes that end on a chunk boundary)
  // or copied from its front; the chunk writes share them.
  std::shared_ptr<const std::string> bytes;
  if (length == s->buffer.size()) {
    bytes = std::make_shared<const std::string>(std::move(s->buffer));
    s->buffer.clear();
  } else {
    bytes = std::make_shared<const std::string>(s->buffer.substr(0, length));
    s->buffer.erase(0, length);
  }
  uint64_t offset = s->start;
  s->start += length;
  uint64_t cs = s->layout.chunk_size_bytes;
  for (size_t done = 0; done < bytes->size();) {
    uint64_t pos = offset + done;
    size_t n = std::min<uint64_t>(bytes->size() - done, cs - pos % cs);
    uint64_t index = pos / cs;
    while (s->in_flight >= s->options.max_in_flight || s->chunks_in_flight.contains(index)) {
      (void)co_await s->changed.Wait(s->rt.clock().Now() + Nanos(1'000'000'000));
    }
    s->chunks_in_flight.insert(index);
    ++s->in_flight;
    Spawn(s->rt.executor(), SendPiece(s, pos, bytes, done, n), "chunk write");
    done += n;
  }
  s->sending = false;
  s->changed.NotifyAll();
}

Task<void> SendAll(std::shared_ptr<State> s) {
  while (!s->buffer.empty()) co_await SendFront(s, /*all=*/true);
}

Task<void> FlushLater(std::shared_ptr<State> s) {
  co_await s->rt.clock().Sleep(s->options.flush_delay);
  s->flush_armed = false;
  co_await SendAll(s);
}

}  // namespace

FileWriter::FileWriter(Runtime& rt, ChunkWriter& chunks, InodeId inode, meta::Layout layout,
                       WriterOptions options)
    : state_(std::make_shared<State>(rt, chunks)) {
  state_->inode = inode;
  state_->layout = layout;
  state_->options = options;
}

FileWriter::~FileWriter() = default;

bool FileWriter::busy() const { return !state_->buffer.empty() || state_->in_flight > 0; }

Task<Status> FileWriter::Write(uint64_t offset, std::span<const char> data) {
  std::shared_ptr<State> s = state_;
  if (!s->error.ok()) co_return s->error;
  if (data.empty()) co_return Status();
  // A write that does not extend or overlap the buffered extent sends it first.
  while (!s->buffer.empty() && (offset < s->start || offset > s->start + s->buffer.size())) {
    co_await SendAll(s);
  }
  if (s->buffer.empty()) s->start = offset;
  // Over what is buffered, then appended (never zero-filled first).
  size_t at = offset - s->start;
  size_t over = std::min(data.size(), s->buffer.size() - at);
  std::memcpy(s->buffer.data() + at, data.data(), over);
  s->buffer.append(data.data() + over, data.size() - over);
  // Whole chunks go now; the tail waits for more bytes, a flush, or the delay.
  if (s->buffer.size() >= s->options.max_buffer) {
    co_await SendAll(s);
  } else if (SendableLength(*s, false) > 0) {
    co_await SendFront(s, /*all=*/false);
  }
  if (!s->buffer.empty() && !s->flush_armed) {
    s->flush_armed = true;
    Spawn(s->rt.executor(), FlushLater(s), "delayed flush");
  }
  co_return Status();
}

Task<Status> FileWriter::Flush() {
  std::shared_ptr<State> s = state_;
  co_await SendAll(s);
  while (s->in_flight > 0) {
    (void)co_await s->changed.Wait(s->rt.clock().Now() + Nanos(1'000'000'000));
  }
  Status st = s->error;
  s->error = Status();
  co_return st;
}

}  // namespace chainfs::client
