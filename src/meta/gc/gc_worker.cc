#include "meta/gc/gc_worker.h"

#include "common/logging.h"
#include "kv/retry.h"
#include "meta/ops/sessions.h"
#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

struct Due {
  InodeId inode;
  std::string key;
};

// The front of the queue: what is due by now (a snapshot read).
class ListDueOp : public kv::TxnBody {
 public:
  ListDueOp(Nanos now, uint32_t limit) : now_(now), limit_(limit) {}
  bool read_only() const override { return true; }
  Task<Status> Run(kv::Transaction& txn) override {
    due.clear();
    keys::Range range = keys::GcDueBy(now_);
    kv::RangeOptions opts{.limit = limit_, .snapshot = true};
    Result<std::vector<kv::KeyValue>> rows = co_await txn.GetRange(range.begin, range.end, opts);
    if (!rows.ok()) co_return rows.status();
    for (kv::KeyValue& row : *rows) {
      if (row.key.size() != keys::kGcQueue.size() + 16) {
        co_return Status(StatusCode::kCorruption, "malformed GC queue key");
      }
      InodeId inode(ReadBigEndian(std::string_view(row.key).substr(row.key.size() - 8)));
      due.push_back({inode, std::move(row.key)});
    }
    co_return Status();
  }
  std::vector<Due> due;

 private:
  Nanos now_;
  uint32_t limit_;
};

class LoadForRemovalOp : public kv::TxnBody {
 public:
  explicit LoadForRemovalOp(InodeId id) : id_(id) {}
  bool read_only() const override { return true; }
  Task<Status> Run(kv::Transaction& txn) override {
    Result<InodeRecord> r = co_await LoadInode(txn, id_, /*snapshot=*/true);
    if (!r.ok() && r.status().code() != StatusCode::kNotFound) co_return r.status();
    inode = r.ok() ? std::optional<InodeRecord>(std::move(*r)) : std::nullopt;
    co_return Status();
  }
  std::optional<InodeRecord> inode;

 private:
  InodeId id_;
};

// Deletes the inode, its attributes and its queue entry, if the entry is still there.
class DeleteInodeOp : public kv::TxnBody {
 public:
  DeleteInodeOp(InodeId id, std::string queue_key) : id_(id), queue_key_(std::move(queue_key)) {}
  Task<Status> Run(kv::Transaction& txn) override {
    Result<std::optional<std::string>> queued = co_await txn.Get(queue_key_);
    if (!queued.ok()) co_return queued.status();
    if (!*queued) co_return Status();  // another server collected it
    txn.Clear(queue_key_);
    Result<InodeRecord> inode = co_await LoadInode(txn, id_, /*snapshot=*/false);
    if (!inode.ok()) {
      if (inode.status().code() == StatusCode::kNotFound) co_return Status();
      co_return inode.status();
    }
    txn.Clear(keys::Inode(id_));
    CountInodes(txn, id_, -1);
    if (inode->type == FileType::kRegular) CountBytes(txn, id_, -static_cast<int64_t>(inode->size));
    keys::Range xattrs = keys::Xattrs(id_);
    txn.ClearRange(xattrs.begin, xattrs.end);
    keys::Range locks = keys::Locks(id_);
    txn.ClearRange(locks.begin, locks.end);
    co_return Status();
  }

 private:
  InodeId id_;
  std::string queue_key_;
};

}  // namespace

GcWorker::GcWorker(kv::Engine& engine, Runtime& rt, ChunkRemover& remover, GcOptions options)
    : engine_(engine), rt_(rt), remover_(remover), options_(options), wake_(rt.clock()) {}

Task<Status> GcWorker::Collect(InodeId inode, std::string queue_key) {
  LoadForRemovalOp load(inode);
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), load));
  if (load.inode && load.inode->type == FileType::kRegular && load.inode->layout) {
    CO_RETURN_IF_ERROR(
        co_await remover_.RemoveChunks(inode, *load.inode->layout, load.inode->size));
  }
  DeleteInodeOp del(inode, std::move(queue_key));
  co_return co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), del);
}

Task<Result<size_t>> GcWorker::CollectOnce() {
  ListDueOp list(rt_.clock().WallNow(), options_.batch);
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), list));
  size_t collected = 0;
  for (Due& d : list.due) {
    Status st = co_await Collect(d.inode, std::move(d.key));
    if (!st.ok()) {
      LOG_WARN("gc: inode {} stays queued: {}", d.inode, st.ToString());
      continue;
    }
    ++collected;
  }
  co_return collected;
}

Task<Result<size_t>> GcWorker::ReapSessionsOnce() {
  int64_t now = rt_.clock().WallNow().count();
  ListExpiredClientsOp list(now);
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), list));
  size_t ended = 0;
  for (uint64_t session : list.expired) {
    EndClientOp end(session, now, /*only_if_expired=*/true);
    Status st = co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), end);
    if (!st.ok()) {
      LOG_WARN("gc: could not end expired session {:016x}: {}", session, st.ToString());
      continue;
    }
    if (end.ended) {
      LOG_INFO("gc: client session {:016x} expired; released what it held", session);
      ++ended;
    }
  }
  co_return ended;
}

Task<void> GcWorker::Run() {
  Nanos next_reap = rt_.clock().Now();
  while (!stopping_) {
    if (rt_.clock().Now() >= next_reap) {
      Result<size_t> reaped = co_await ReapSessionsOnce();
      if (!reaped.ok()) LOG_WARN("gc: reaping sessions: {}", reaped.status().ToString());
      next_reap = rt_.clock().Now() + options_.session_check;
    }
    Result<size_t> n = co_await CollectOnce();
    if (!n.ok()) LOG_WARN("gc: {}", n.status().ToString());
    if (stopping_) break;
    if (n.ok() && *n == options_.batch) continue;  // more may be due
    co_await wake_.Wait(rt_.clock().Now() + std::min(options_.interval, options_.session_check));
  }
}

void GcWorker::Stop() {
  stopping_ = true;
  wake_.NotifyAll();
}

}  // namespace chainfs::meta
