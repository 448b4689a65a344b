#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

// Logging through spdlog, kept out of this header so that widely included code does not
// pay for it. Thread-safe.

namespace chainfs {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, const char* file, int line, std::string_view message);
// Parses "debug", "info", "warn", "error", "off".
bool ParseLogLevel(std::string_view text, LogLevel* level);

}  // namespace chainfs

#define CHAINFS_LOG(level, ...)                                                  \
  do {                                                                           \
    if (::chainfs::LogEnabled(level)) {                                          \
      ::chainfs::LogLine(level, __FILE__, __LINE__, ::fmt::format(__VA_ARGS__)); \
    }                                                                            \
  } while (0)

#define LOG_DEBUG(...) CHAINFS_LOG(::chainfs::LogLevel::kDebug, __VA_ARGS__)
#define LOG_INFO(...) CHAINFS_LOG(::chainfs::LogLevel::kInfo, __VA_ARGS__)
#define LOG_WARN(...) CHAINFS_LOG(::chainfs::LogLevel::kWarn, __VA_ARGS__)
#define LOG_ERROR(...) CHAINFS_LOG(::chainfs::LogLevel::kError, __VA_ARGS__)
