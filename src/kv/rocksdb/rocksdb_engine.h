#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "kv/versioned.h"

namespace rocksdb {
class DB;
}

namespace chainfs::kv {

struct RocksDbOptions {
  std::string path;
  // Commits written together in one synced write, at most.
  size_t max_group_commits = 1024;
  // The memtable's size (0: RocksDB's 64 MiB). RocksDB reserves 1.1 times this on disk for its
  // write-ahead log, so small stores should ask for less.
  uint64_t write_buffer_bytes = 0;
  // Called on the commit thread before each sync of the log (tests hold a sync with it).
  std::function<void()> before_sync;
};

// The embedded store: RocksDB under the in-process conflict history. Transactions read from
// RocksDB snapshots (synchronously, on the calling thread). Commits are decided on the calling
// thread and written by one commit thread, which gathers every commit waiting into one write
// batch and then syncs the log (group commit): a durable commit is acknowledged only once it is
// on disk. A commit with relaxed durability skips the sync: it is answered once written, and
// when no other commit is being written it is written on the calling thread, without the
// commit thread's round trip, even while the commit thread syncs.
// Thread-safe. Every transaction must be destroyed before the engine.
class RocksDbEngine : public VersionedEngine {
 public:
  // kIoError naming the path when it cannot be created or opened.
  static Result<std::unique_ptr<RocksDbEngine>> Open(RocksDbOptions options);
  ~RocksDbEngine() override;
  std::string_view name() const override { return "rocksdb"; }
  // Synced write batches so far (each carries one or more commits).
  uint64_t synced_writes() const { return synced_writes_.load(); }

 protected:
  std::unique_ptr<StoreSnapshot> TakeSnapshot(Version version) override;
  Task<Status> CommitMutations(Commit c) override;

 private:
  struct Pending;
  RocksDbEngine(RocksDbOptions options, std::unique_ptr<rocksdb::DB> db);
  void CommitLoop();
  // Writes the group's mutations in one batch (not synced).
  Status WriteGroup(const std::vector<std::shared_ptr<Pending>>& group);
  // Syncs the log up to everything written so far; kCommitUnknown when it fails.
  Status SyncLog();

  RocksDbOptions options_;
  std::unique_ptr<rocksdb::DB> db_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  bool writing_ = false;  // the commit thread holds a group taken from the queue
  std::atomic<uint64_t> synced_writes_{0};
  std::thread committer_;
};

}  // namespace chainfs::kv
