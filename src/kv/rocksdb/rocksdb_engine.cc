#include "kv/rocksdb/rocksdb_engine.h"

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/write_batch_with_index.h>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>

#include <algorithm>
#include <filesystem>

#include "kv/rocksdb/rocks_logger.h"
#include "runtime/wait_slot.h"

namespace chainfs::kv {

namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  return IoError(fmt::format("{}: {}", what, s.ToString()));
}

class RocksSnapshot : public StoreSnapshot {
 public:
  explicit RocksSnapshot(rocksdb::DB* db) : db_(db), snap_(db->GetSnapshot()) {}
  ~RocksSnapshot() override { db_->ReleaseSnapshot(snap_); }

  Result<std::optional<std::string>> Get(std::string_view key) override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap_;
    std::string value;
    rocksdb::Status s = db_->Get(ro, rocksdb::Slice(key.data(), key.size()), &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return FromRocks(s, "rocksdb read");
    return std::optional<std::string>(std::move(value));
  }

  // One batched MultiGet: it sorts the keys and looks them up level by level together.
  Result<std::vector<std::optional<std::string>>> GetMany(
      const std::vector<std::string_view>& keys) override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap_;
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> found(keys.size());
    std::vector<rocksdb::Status> statuses(keys.size());
    db_->MultiGet(ro, db_->DefaultColumnFamily(), keys.size(), slices.data(), found.data(),
                  statuses.data());
    std::vector<std::optional<std::string>> values(keys.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      if (statuses[i].IsNotFound()) continue;
      if (!statuses[i].ok()) return FromRocks(statuses[i], "rocksdb read");
      values[i] = found[i].ToString();
    }
    return values;
  }

  Result<std::vector<KeyValue>> Scan(std::string_view begin, std::string_view end, size_t limit,
                                     bool reverse) override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snap_;
    rocksdb::Slice lower(begin.data(), begin.size()), upper(end.data(), end.size());
    ro.iterate_lower_bound = &lower;
    ro.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    std::vector<KeyValue> out;
    out.reserve(std::min<size_t>(limit == 0 ? 64 : limit, 4096));
    if (reverse) {
      it->SeekToLast();
    } else {
      it->SeekToFirst();
    }
    for (; it->Valid() && (limit == 0 || out.size() < limit); reverse ? it->Prev() : it->Next()) {
      out.push_back({it->key().ToString(), it->value().ToString()});
    }
    if (!it->status().ok()) return FromRocks(it->status(), "rocksdb scan");
    return out;
  }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snap_;
};

}  // namespace

struct RocksDbEngine::Pending {
  Version version = 0;
  std::vector<Mutation> mutations;
  bool durable = true;
  Executor executor;
  WaitSlot slot;  // the committing coroutine; woken on its own thread
  Status result;
};

Result<std::unique_ptr<RocksDbEngine>> RocksDbEngine::Open(RocksDbOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(options.path, ec);
  if (ec) {
    return IoError(
        fmt::format("cannot create RocksDB directory '{}': {}", options.path, ec.message()));
  }
  rocksdb::Options ro;
  ro.create_if_missing = true;
  ro.info_log = MakeRocksLogger();
  if (options.write_buffer_bytes != 0) ro.write_buffer_size = options.write_buffer_bytes;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(ro, options.path, &raw);
  if (!s.ok()) return FromRocks(s, fmt::format("cannot open RocksDB store at '{}'", options.path));
  std::unique_ptr<rocksdb::DB> db(raw);
  return std::unique_ptr<RocksDbEngine>(new RocksDbEngine(std::move(options), std::move(db)));
}

RocksDbEngine::RocksDbEngine(RocksDbOptions options, std::unique_ptr<rocksdb::DB> db)
    : options_(std::move(options)), db_(std::move(db)) {
  committer_ = std::thread([this] { CommitLoop(); });
}

RocksDbEngine::~RocksDbEngine() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.notify_one();
  committer_.join();
  db_->Close();
}

std::unique_ptr<StoreSnapshot> RocksDbEngine::TakeSnapshot(Version) {
  return std::make_unique<RocksSnapshot>(db_.get());
}

Task<Status> RocksDbEngine::CommitMutations(Commit c) {
  auto pending = std::make_shared<Pending>();
  pending->executor = co_await asio::this_coro::executor;
  pending->durable = c.durable;
  bool written = false;
  {
    std::lock_guard lock(mutex());
    Result<Version> version = DecideLocked(c);
    if (!version.ok()) co_return version.status();
    pending->version = *version;
    pending->mutations = std::move(c.mutations);
    // Queued (or written) under the engine lock, so the store applies versions in order.
    std::lock_guard queue_lock(queue_mu_);
    if (!pending->durable && queue_.empty() && !writing_) {
      pending->result = WriteGroup({pending});
      written = true;
    } else {
      queue_.push_back(pending);
    }
  }
  if (written) {
    Publish(pending->version);
    co_return pending->result;
  }
  queue_cv_.notify_one();
  if (co_await pending->slot.Park() == Timer::WaitResult::kAborted) {
    co_return Status(StatusCode::kCommitUnknown, "cancelled while the commit was being written");
  }
  co_return pending->result;
}

void RocksDbEngine::CommitLoop() {
  while (true) {
    std::vector<std::shared_ptr<Pending>> group;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && group.size() < options_.max_group_commits) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      writing_ = true;
    }
    Status st = WriteGroup(group);
    Publish(group.back()->version);
    {
      std::lock_guard lock(queue_mu_);
      writing_ = false;
    }
    // The group is in the store. Its relaxed commits are answered now and its durable ones
    // once the log is synced; commits that come meanwhile are written on their own threads,
    // after this group in the log, without waiting for the sync (a slow disk, say behind a
    // large write-back, held every namespace change for as long as the sync took).
    bool durable = false;
    for (auto& p : group) {
      if (p->durable) {
        durable = true;
        continue;
      }
      p->result = st;
      asio::post(p->executor, [p] { p->slot.Wake(Timer::WaitResult::kWoken); });
    }
    if (!durable) continue;
    Status synced = st.ok() ? SyncLog() : st;
    for (auto& p : group) {
      if (!p->durable) continue;
      p->result = synced;
      asio::post(p->executor, [p] { p->slot.Wake(Timer::WaitResult::kWoken); });
    }
  }
}

Status RocksDbEngine::SyncLog() {
  if (options_.before_sync) options_.before_sync();
  rocksdb::Status s = db_->SyncWAL();
  if (!s.ok()) {
    // Written and visible, but perhaps not on disk: the committers cannot know.
    return Status(StatusCode::kCommitUnknown, std::string(FromRocks(s, "rocksdb sync").message()));
  }
  synced_writes_.fetch_add(1);
  return Status();
}

Status RocksDbEngine::WriteGroup(const std::vector<std::shared_ptr<Pending>>& group) {
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0, /*overwrite_key=*/true);
  rocksdb::ReadOptions latest;
  for (const auto& p : group) {
    for (const Mutation& m : p->mutations) {
      rocksdb::Slice key(m.key);
      switch (m.kind) {
        case Mutation::Kind::kSet:
          batch.Put(key, m.param);
          break;
        case Mutation::Kind::kClear:
          batch.Delete(key);
          break;
        case Mutation::Kind::kClearRange: {
          // Bounded, so the iterator never walks the deletions past the range (recently
          // collected inodes follow one another: without the bound, each clear of an empty
          // range skipped all of them).
          rocksdb::Slice end(m.param);
          rocksdb::ReadOptions bounded;
          bounded.iterate_lower_bound = &key;
          bounded.iterate_upper_bound = &end;
          std::unique_ptr<rocksdb::Iterator> it(
              batch.NewIteratorWithBase(db_->NewIterator(bounded)));
          std::vector<std::string> doomed;
          for (it->Seek(key); it->Valid() && it->key().compare(m.param) < 0; it->Next()) {
            doomed.push_back(it->key().ToString());
          }
          for (const std::string& k : doomed) batch.Delete(k);
          break;
        }
        case Mutation::Kind::kAdd:
        case Mutation::Kind::kMax:
        case Mutation::Kind::kAdvance: {
          std::string value;
          rocksdb::Status s = batch.GetFromBatchAndDB(db_.get(), latest, key, &value);
          if (!s.ok() && !s.IsNotFound()) {
            return Status(StatusCode::kCommitUnknown,
                          std::string(FromRocks(s, "rocksdb read for atomic").message()));
          }
          std::optional<std::string> current;
          if (s.ok()) current = std::move(value);
          batch.Put(key, ApplyAtomic(m.kind, current, m.param));
          break;
        }
      }
    }
  }
  rocksdb::WriteOptions wo;  // not synced here: SyncLog does that, without holding writers
  rocksdb::Status s = db_->Write(wo, batch.GetWriteBatch());
  if (s.IsNoSpace()) {
    // The WAL append failed before anything was applied: a refusal, not an unknown outcome.
    return Status(StatusCode::kNoSpace, std::string(FromRocks(s, "rocksdb commit").message()));
  }
  if (!s.ok()) {
    // RocksDB may or may not have kept the batch; the callers cannot know.
    return Status(StatusCode::kCommitUnknown,
                  std::string(FromRocks(s, "rocksdb commit").message()));
  }
  return Status();
}

}  // namespace chainfs::kv
