#pragma once

#include <cstdint>

#include "fuse/fuse_context.h"
#include "runtime/task.h"

namespace chainfs::fuse {

// Whether requests with this FUSE opcode are served on the client's own thread, as coroutines
// that never block it (worker_ops.cc).
bool ServedOnWorker(uint32_t opcode);

// Serves `task`, a request ServedOnWorker, on the client's thread as one the loop waits for
// before it ends (so nothing answers into a session already gone).
Task<void> CountedRequest(Task<void> task);

// Reads the session's requests on the client's own thread until the file system is
// unmounted or the session is told to exit (by a signal). Requests ServedOnWorker are
// processed there; each other one is handed, with its bytes, to a pool of up to `max_threads`
// threads whose callbacks make blocking calls to the client. Returns 0, or the negative errno
// of a failed read of the FUSE device. Called from any thread but the client's.
int ServeOnWorker(fuse_session* se, Client& client, unsigned max_threads);

}  // namespace chainfs::fuse
