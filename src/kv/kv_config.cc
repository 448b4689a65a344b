#include "kv/kv_config.h"

#include "kv/mem/mem_engine.h"
#include "kv/postgres/pg_engine.h"
#include "kv/rocksdb/rocksdb_engine.h"

namespace chainfs::kv {

void KvConfig::Bind(ConfigBinder& b) {
  b.String("kv.engine", &engine, {"rocksdb", "postgres", "mem"});
  b.String("kv.rocksdb_path", &rocksdb_path);
  b.Int("kv.rocksdb_write_buffer_mb", &rocksdb_write_buffer_mb, 1, 4096);
  b.String("kv.postgres", &postgres);
  b.Int("kv.postgres_connections", &postgres_connections, 1, 256);
}

Result<std::unique_ptr<Engine>> OpenEngine(const KvConfig& config) {
  if (config.engine == "mem") return std::unique_ptr<Engine>(std::make_unique<MemEngine>());
  if (config.engine == "rocksdb") {
    RocksDbOptions options;
    options.path = config.rocksdb_path;
    options.write_buffer_bytes = static_cast<uint64_t>(config.rocksdb_write_buffer_mb) << 20;
    ASSIGN_OR_RETURN(auto engine, RocksDbEngine::Open(options));
    return std::unique_ptr<Engine>(std::move(engine));
  }
  if (config.engine == "postgres") {
    PgOptions options;
    options.conninfo = config.postgres;
    options.connections = static_cast<int>(config.postgres_connections);
    ASSIGN_OR_RETURN(auto engine, PgEngine::Open(options));
    return std::unique_ptr<Engine>(std::move(engine));
  }
  return InvalidArgument("kv.engine must be rocksdb, postgres or mem, not '" + config.engine + "'");
}

}  // namespace chainfs::kv
