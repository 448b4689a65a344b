#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "common/result.h"

// Processes of a local cluster (`chainfs up` / `down`): started detached, in a session of their
// own so they outlive the command, with their output appended to a log file and their pid in
// a file.
namespace chainfs::cli {

// Starts `args` (args[0] is the program) detached; returns its pid.
Result<pid_t> StartDetached(const std::vector<std::string>& args, const std::string& log_path);
// The pid in `pid_file` if that process is alive and is chainfs; 0 otherwise.
pid_t LivePid(const std::string& pid_file);
bool Alive(pid_t pid);
// Waits until `log_path` holds `text` past its first `from` bytes (what it held before the
// process started). kUnavailable with the log's last lines when `pid` exits first or
// `timeout_ms` passes.
Status WaitForLog(const std::string& log_path, size_t from, const std::string& text, pid_t pid,
                  int timeout_ms);
// Sends SIGTERM, waits up to `timeout_ms` for the exit, then SIGKILL. True if it went.
bool Stop(pid_t pid, int timeout_ms);
// `count` distinct TCP ports on 127.0.0.1 that nothing used a moment ago.
Result<std::vector<int>> FreeLoopbackPorts(int count);
std::string ReadFileOr(const std::string& path, const std::string& fallback);
Status WriteFile(const std::string& path, const std::string& text);
// Whether a file system is mounted at `path` (per /proc/self/mounts).
bool IsMounted(const std::string& path);

}  // namespace chainfs::cli
