#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>

#include "client/chunk_io.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"

namespace chainfs::client {

struct WriterOptions {
  // Buffered bytes are sent this long after the write that left them, if nothing sent them.
  Nanos flush_delay{100'000'000};
  // Bytes buffered before they are sent whatever their shape.
  size_t max_buffer = 8u << 20;
  // Chunk writes of one file in flight at once.
  int max_in_flight = 16;
};

// The writes of one file on one client: bytes are buffered while they extend one extent and
// sent when they fill a chunk, when the buffer is full, after `flush_delay`, or on Flush().
// Sent chunks are written in the background, up to `max_in_flight` at once and never two of
// the same chunk (so two writes of one chunk land in the order they were made). A background
// failure is returned by the next Write or Flush. Belongs to the runtime's thread.
class FileWriter {
 public:
  FileWriter(Runtime& rt, ChunkWriter& chunks, InodeId inode, meta::Layout layout,
             WriterOptions options);
  ~FileWriter();
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  Task<Status> Write(uint64_t offset, std::span<const char> data);
  // Sends what is buffered and waits for every write in flight; the first failure since the
  // last Flush, if any.
  Task<Status> Flush();
  // Whether anything is buffered or in flight.
  bool busy() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace chainfs::client
