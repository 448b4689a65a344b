#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kv/kv.h"
#include "meta/gc/chunk_remover.h"
#include "meta/schema/records.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"

namespace chainfs::meta {

struct GcOptions {
  uint32_t batch = 64;                 // files taken from the queue per pass
  Nanos interval{1'000'000'000};       // between passes when the queue is empty
  Nanos session_check{1'000'000'000};  // how often expired client sessions are reaped
  // How often a pass reads the queue from its front again; between such passes each one
  // starts after the last entry the one before it took.
  Nanos rescan{10'000'000'000};
};

// The background worker of one metadata server: it takes files due for removal from the GC
// queue, has their chunks removed, then deletes their inodes; and it ends client sessions
// whose lease ran out. A pass takes up to `batch` due files, removes all their chunks at once
// and deletes their inodes in one commit. Several servers may run it at once: the deletion
// re-reads each queue entry, so a file is deleted once; chunk removal may run twice, which
// RemoveChunks tolerates. Belongs to the thread of `rt`.
//
// Collected entries leave deletion markers at the front of the queue, which a store such as
// RocksDB steps over one by one on every read from there until it compacts them away; so a
// pass starts where the last one stopped, and only every `rescan` from the front, which is
// when entries whose chunk removal failed, and entries another server queued behind the
// position with a clock running late, are taken again.
class GcWorker {
 public:
  GcWorker(kv::Engine& engine, Runtime& rt, ChunkRemover& remover, GcOptions options = {});

  // One pass: files collected (kept in the queue when their chunk removal failed).
  Task<Result<size_t>> CollectOnce();
  // Client sessions ended because their lease ran out.
  Task<Result<size_t>> ReapSessionsOnce();
  // Runs both until Stop(); the worker must not be destroyed before Run() returned.
  Task<void> Run();
  void Stop();

 private:
  kv::Engine& engine_;
  Runtime& rt_;
  ChunkRemover& remover_;
  GcOptions options_;
  bool stopping_ = false;
  Notifier wake_;
  std::string resume_at_;  // where the next pass reads from; empty: the front
  Nanos next_rescan_{0};
};

}  // namespace chainfs::meta
