#pragma once

#include <string>
#include <vector>

#include "common/load_config.h"
#include "common/result.h"

namespace chainfs::cli {

using ::chainfs::LoadConfig;

// Blocks SIGTERM and SIGINT in this thread and the threads it starts afterwards, so that
// WaitForStopSignal() can take them. Call before starting any server.
void BlockStopSignals();
// Waits for SIGTERM or SIGINT; returns which.
int WaitForStopSignal();

}  // namespace chainfs::cli
