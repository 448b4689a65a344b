#pragma once

#include <memory>

namespace rocksdb {
class Logger;
}

namespace chainfs::kv {

// RocksDB's own log, sent to the process's log (its warnings and errors as such, the rest at
// debug level) instead of a LOG file beside the data. On a full disk that file is the first
// write to fail, and the RocksDB Debian ships aborts on the next line logged to it after a
// failed one (an assertion in its file writer); its error handler logs the very error that
// filled the disk, so with a LOG file a full disk kills the server.
std::shared_ptr<rocksdb::Logger> MakeRocksLogger();

}  // namespace chainfs::kv
