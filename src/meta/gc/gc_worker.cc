#include "meta/gc/gc_worker.h"

#include "common/logging.h"
#include "kv/retry.h"
#include "meta/ops/durability.h"
#include "meta/ops/sessions.h"
#include "meta/ops/store.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

struct Due {
  InodeId inode;
  std::string key;
};

// What is due by now, from `from` on (a snapshot read).
class ListDueOp : public kv::TxnBody {
 public:
  ListDueOp(Nanos now, uint32_t limit, const std::string& from)
      : now_(now), limit_(limit), from_(from) {}
  bool read_only() const override { return true; }
  Task<Status> Run(kv::Transaction& txn) override {
    due.clear();
    keys::Range range = keys::GcDueBy(now_);
    if (from_ > range.begin) range.begin = from_;
    if (range.begin >= range.end) co_return Status();
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
  const std::string& from_;
};

// The inodes of a pass, read at one snapshot (absent: another server collected it).
class LoadForRemovalOp : public kv::TxnBody {
 public:
  explicit LoadForRemovalOp(const std::vector<Due>& due) : due_(due) {}
  bool read_only() const override { return true; }
  Task<Status> Run(kv::Transaction& txn) override {
    inodes.assign(due_.size(), std::nullopt);
    for (size_t i = 0; i < due_.size(); ++i) {
      Result<InodeRecord> r = co_await LoadInode(txn, due_[i].inode, /*snapshot=*/true);
      if (!r.ok() && r.status().code() != StatusCode::kNotFound) co_return r.status();
      if (r.ok()) inodes[i] = std::move(*r);
    }
    co_return Status();
  }
  std::vector<std::optional<InodeRecord>> inodes;

 private:
  const std::vector<Due>& due_;
};

// Deletes each inode with its attributes and queue entry, if the entry is still there; all in
// one commit.
class DeleteInodesOp : public kv::TxnBody {
 public:
  explicit DeleteInodesOp(std::vector<Due> due) : due_(std::move(due)) {}
  Task<Status> Run(kv::Transaction& txn) override {
    for (const Due& d : due_) CO_RETURN_IF_ERROR(co_await Delete(txn, d));
    co_return Status();
  }

 private:
  static Task<Status> Delete(kv::Transaction& txn, const Due& d) {
    Result<std::optional<std::string>> queued = co_await txn.Get(d.key);
    if (!queued.ok()) co_return queued.status();
    if (!*queued) co_return Status();  // another server collected it
    txn.Clear(d.key);
    Result<InodeRecord> inode = co_await LoadInode(txn, d.inode, /*snapshot=*/false);
    if (!inode.ok()) {
      if (inode.status().code() == StatusCode::kNotFound) co_return Status();
      co_return inode.status();
    }
    txn.Clear(keys::Inode(d.inode));
    CountInodes(txn, d.inode, -1);
    if (inode->type == FileType::kRegular) {
      CountBytes(txn, d.inode, -static_cast<int64_t>(inode->size));
    }
    keys::Range xattrs = keys::Xattrs(d.inode);
    txn.ClearRange(xattrs.begin, xattrs.end);
    keys::Range locks = keys::Locks(d.inode);
    txn.ClearRange(locks.begin, locks.end);
    co_return Status();
  }

  std::vector<Due> due_;
};

// Has the chunks of the regular files among `due` removed, all at once; one status per entry
// (ok for those with no chunks).
Task<std::vector<Status>> RemoveChunksOf(ChunkRemover& remover, const std::vector<Due>& due,
                                         const std::vector<std::optional<InodeRecord>>& records) {
  std::vector<DoomedFile> files;
  std::vector<size_t> file_of(due.size(), SIZE_MAX);
  for (size_t i = 0; i < due.size(); ++i) {
    const std::optional<InodeRecord>& r = records[i];
    if (!r || r->type != FileType::kRegular || !r->layout) continue;  // no chunks
    file_of[i] = files.size();
    files.push_back(DoomedFile{due[i].inode, *r->layout, r->size});
  }
  std::vector<Status> removed = co_await remover.RemoveChunks(files);
  std::vector<Status> out(due.size());
  for (size_t i = 0; i < due.size(); ++i) {
    if (file_of[i] == SIZE_MAX) continue;
    out[i] = removed[file_of[i]];
    if (!out[i].ok()) LOG_WARN("gc: inode {} stays queued: {}", due[i].inode, out[i].ToString());
  }
  co_return out;
}

}  // namespace

GcWorker::GcWorker(kv::Engine& engine, Runtime& rt, ChunkRemover& remover, GcOptions options)
    : engine_(engine), rt_(rt), remover_(remover), options_(options), wake_(rt.clock()) {}

Task<Result<size_t>> GcWorker::CollectOnce() {
  if (rt_.clock().Now() >= next_rescan_) {
    resume_at_.clear();
    next_rescan_ = rt_.clock().Now() + options_.rescan;
  }
  ListDueOp list(rt_.clock().WallNow(), options_.batch, resume_at_);
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), list));
  if (list.due.empty()) co_return size_t{0};
  std::string after_pass = list.due.back().key + '\0';
  // The unlinks that queued these files may not be synced yet: chunks must never go while a
  // machine failure could bring their file back.
  CO_RETURN_IF_ERROR(co_await MakeDurable(engine_, rt_));
  LoadForRemovalOp load(list.due);
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), load));
  // Every file's chunks at once; the inodes of those whose chunks went, in one commit.
  std::vector<Status> removed = co_await RemoveChunksOf(remover_, list.due, load.inodes);
  std::vector<Due> collected;
  for (size_t i = 0; i < list.due.size(); ++i) {
    if (removed[i].ok()) collected.push_back(std::move(list.due[i]));
  }
  size_t n = collected.size();
  DeleteInodesOp del(std::move(collected));
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), del));
  // The next pass starts after this one's entries, those kept in the queue included.
  resume_at_ = std::move(after_pass);
  co_return n;
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

// Sessions are reaped every `session_check` and files collected every `interval`, each on
// its own schedule: waking for the one must not run the other early.
Task<void> GcWorker::Run() {
  Nanos next_reap = rt_.clock().Now();
  Nanos next_collect = rt_.clock().Now();
  while (!stopping_) {
    if (rt_.clock().Now() >= next_reap) {
      Result<size_t> reaped = co_await ReapSessionsOnce();
      if (!reaped.ok()) LOG_WARN("gc: reaping sessions: {}", reaped.status().ToString());
      next_reap = rt_.clock().Now() + options_.session_check;
    }
    if (stopping_) break;
    if (rt_.clock().Now() >= next_collect) {
      Result<size_t> n = co_await CollectOnce();
      if (!n.ok()) LOG_WARN("gc: {}", n.status().ToString());
      if (stopping_) break;
      if (n.ok() && *n == options_.batch) continue;  // more may be due
      next_collect = rt_.clock().Now() + options_.interval;
    }
    co_await wake_.Wait(std::min(next_reap, next_collect));
  }
}

void GcWorker::Stop() {
  stopping_ = true;
  wake_.NotifyAll();
}

}  // namespace chainfs::meta
