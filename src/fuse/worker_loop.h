#pragma once

#include <cstdint>

#include "fuse/fuse_context.h"
#include "runtime/task.h"

namespace chainfs::fuse {

// Whether requests with this FUSE opcode are served on the client's own thread, as coroutines
// that never block it (worker_ops.cc).
bool ServedOnWorker(uint32_t opcode);

// Serves `task`, a request ServedOnWorker, on the client's thread as one the loop waits for
// before it ends (so nothing answers into a session already gone). `change`, when given, is
// told when the task ends (see TakeChange).
Task<void> CountedRequest(Task<void> task, Statahead* change = nullptr);

// Called while the loop hands a request ServedOnWorker to its callback: the Statahead to tell
// when the request is answered, if it is a change (Statahead::MutationBegun), else nullptr.
// The coroutine that serves the request takes it; if none does, the loop tells it on return.
Statahead* TakeChange();

// Reads the session's requests on the client's own thread until the file system is
// unmounted or the session is told to exit (by a signal). Requests ServedOnWorker are
// processed there; each other one is handed, with its bytes, to a pool of up to `max_threads`
// threads whose callbacks make blocking calls to the client. Every request that may change
// names or attributes is reported to `changes` as it begins and as it ends. Returns 0, or the
// negative errno of a failed read of the FUSE device. Called from any thread but the client's.
int ServeOnWorker(fuse_session* se, Client& client, Statahead& changes, unsigned max_threads);

}  // namespace chainfs::fuse
