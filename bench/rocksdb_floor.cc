#include <fmt/format.h>
#include <rocksdb/db.h>

#include <filesystem>

#include "bench/local_fs_ops.h"
#include "common/check.h"

namespace chainfs::bench {

Figure RocksDbSyncedWrite(const std::string& dir, int count) {
  std::string path = dir + "/rocksdb-floor";
  std::filesystem::remove_all(path);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, path, &db);
  CHECK_MSG(s.ok(), s.ToString().c_str());
  rocksdb::WriteOptions synced;
  synced.sync = true;
  std::string inode(150, 'i');
  Latencies l;
  auto start = BenchClock::now();
  for (int i = 0; i < count; ++i) {
    auto t = BenchClock::now();
    rocksdb::WriteBatch batch;
    batch.Put(fmt::format("INOD{:08}", i), inode);
    batch.Put(fmt::format("DENT{:08}", i), "entry");
    s = db->Write(synced, &batch);
    CHECK_MSG(s.ok(), s.ToString().c_str());
    l.Add(MicrosSince(t));
  }
  double seconds = MicrosSince(start) / 1e6;
  delete db;
  std::filesystem::remove_all(path);
  return {count / seconds, l.Percentile(0.5), l.Percentile(0.99)};
}

}  // namespace chainfs::bench
