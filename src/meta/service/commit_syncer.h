#pragma once

#include <cstdint>

#include "kv/kv.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"

namespace chainfs::meta {

// When the metadata server's commits reach the disk (meta.sync_interval_ms). With an interval
// of 0 every commit is synced before it is answered. Otherwise namespace changes are answered
// once the store has them in the operating system (a killed server loses nothing; a machine
// failure loses at most the last `interval` of them, as a local file system loses what it had
// not yet journalled), and Run() syncs them at most `interval` after they were answered.
// fsync and fsyncdir wait for Sync(). Belongs to the handler's thread.
class CommitSyncer {
 public:
  CommitSyncer(kv::Engine& engine, Runtime& rt, Nanos interval);
  CommitSyncer(const CommitSyncer&) = delete;
  CommitSyncer& operator=(const CommitSyncer&) = delete;

  // Whether commits may skip their sync.
  bool relaxed() const { return interval_.count() > 0; }
  // A commit that skipped its sync has been answered.
  void NoteRelaxed() { ++relaxed_; }
  // Every commit answered before the call is durable when it returns.
  Task<Status> Sync();
  // Syncs every `interval` while there is something to sync, until Stop(); then once more.
  Task<void> Run();
  // Ends Run() and returns once it has left (at once if it never ran).
  Task<void> Stop();

 private:
  kv::Engine& engine_;
  Runtime& rt_;
  Nanos interval_;
  Notifier wake_;
  uint64_t relaxed_ = 0;  // relaxed commits answered so far
  uint64_t synced_ = 0;   // of those, how many a finished Sync() covers
  bool running_ = false;
  bool stopping_ = false;
};

}  // namespace chainfs::meta
