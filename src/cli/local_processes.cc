#include "cli/local_processes.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace chainfs::cli {

Result<pid_t> StartDetached(const std::vector<std::string>& args, const std::string& log_path) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return InvalidArgument(fmt::format("log file {}: {}", log_path, strerror(errno)));
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log);
    return Status(StatusCode::kInternal, fmt::format("fork: {}", strerror(errno)));
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::setsid();
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(log);
  return pid;
}

bool Alive(pid_t pid) {
  if (pid <= 0) return false;
  // Reap it if it is our own child that exited.
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) == pid) return false;
  if (::kill(pid, 0) != 0) return false;
  // A zombie is not alive.
  std::string stat = ReadFileOr(fmt::format("/proc/{}/stat", pid), "");
  size_t close = stat.rfind(')');
  return !(close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
}

pid_t LivePid(const std::string& pid_file) {
  std::string text = ReadFileOr(pid_file, "");
  pid_t pid = static_cast<pid_t>(std::atol(text.c_str()));
  if (!Alive(pid)) return 0;
  std::string cmdline = ReadFileOr(fmt::format("/proc/{}/cmdline", pid), "");
  return cmdline.find("chainfs") != std::string::npos ? pid : 0;
}

namespace {

std::string Tail(const std::string& text, int lines) {
  size_t at = text.size();
  for (int i = 0; i <= lines && at > 0; ++i) {
    size_t nl = text.rfind('\n', at - 1);
    if (nl == std::string::npos) return text;
    at = nl;
  }
  return text.substr(at + 1);
}

}  // namespace

Status WaitForLog(const std::string& log_path, size_t from, const std::string& text, pid_t pid,
                  int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    std::string log = ReadFileOr(log_path, "");
    log = log.size() > from ? log.substr(from) : std::string();
    if (log.find(text) != std::string::npos) return Status();
    bool alive = Alive(pid);
    if (!alive || std::chrono::steady_clock::now() > deadline) {
      return Unavailable(fmt::format("{} (see {}):\n{}", alive ? "did not start in time" : "exited",
                                     log_path, Tail(log, 8)));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

bool Stop(pid_t pid, int timeout_ms) {
  if (!Alive(pid)) return true;
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (Alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      return !Alive(pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

Result<std::vector<int>> FreeLoopbackPorts(int count) {
  // Every socket stays bound until all are chosen, so the kernel cannot hand out one port twice.
  std::vector<int> fds;
  std::vector<int> ports;
  Status status;
  for (int i = 0; i < count && status.ok(); ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      status = Status(StatusCode::kInternal, fmt::format("socket: {}", strerror(errno)));
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      status = Status(StatusCode::kInternal, fmt::format("no free port: {}", strerror(errno)));
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) ::close(fd);
  if (!status.ok()) return status;
  return ports;
}

std::string ReadFileOr(const std::string& path, const std::string& fallback) {
  std::ifstream in(path);
  if (!in) return fallback;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Status WriteFile(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out) return InvalidArgument(fmt::format("writing {}: {}", tmp, strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return InvalidArgument(fmt::format("writing {}: {}", path, strerror(errno)));
  }
  return Status();
}

bool IsMounted(const std::string& path) {
  std::istringstream mounts(ReadFileOr("/proc/self/mounts", ""));
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, point;
    fields >> device >> point;
    if (point == path) return true;
  }
  return false;
}

}  // namespace chainfs::cli
