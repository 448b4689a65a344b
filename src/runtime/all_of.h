#pragma once

#include <vector>

#include "common/status.h"
#include "runtime/task.h"

namespace chainfs {

// Runs every task at once on the calling coroutine's executor and returns their statuses, in
// order, once all have ended. The tasks may refer to the caller's frame: AllOf returns only
// after the last of them is done.
Task<std::vector<Status>> AllOf(std::vector<Task<Status>> tasks);

// The first failure of `statuses`, or ok.
Status FirstError(const std::vector<Status>& statuses);

}  // namespace chainfs
