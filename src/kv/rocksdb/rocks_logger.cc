#include "kv/rocksdb/rocks_logger.h"

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "common/logging.h"

namespace chainfs::kv {
namespace {

LogLevel LevelOf(rocksdb::InfoLogLevel level) {
  switch (level) {
    case rocksdb::InfoLogLevel::WARN_LEVEL:
      return LogLevel::kWarn;
    case rocksdb::InfoLogLevel::ERROR_LEVEL:
    case rocksdb::InfoLogLevel::FATAL_LEVEL:
      return LogLevel::kError;
    default:
      return LogLevel::kDebug;
  }
}

class RocksLogger : public rocksdb::Logger {
 public:
  RocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::DEBUG_LEVEL) {}

  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }

  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    LogLevel ours = LevelOf(level);
    if (!LogEnabled(ours)) return;
    char line[1024];
    int n = std::vsnprintf(line, sizeof line, format, ap);
    if (n < 0) return;
    LogLine(ours, __FILE__, __LINE__, std::string("rocksdb: ") + line);
  }
};

}  // namespace

std::shared_ptr<rocksdb::Logger> MakeRocksLogger() { return std::make_shared<RocksLogger>(); }

}  // namespace chainfs::kv
