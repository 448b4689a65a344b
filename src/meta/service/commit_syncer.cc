#include "meta/service/commit_syncer.h"

#include <algorithm>

#include "common/logging.h"
#include "meta/ops/durability.h"

namespace chainfs::meta {

CommitSyncer::CommitSyncer(kv::Engine& engine, Runtime& rt, Nanos interval)
    : engine_(engine), rt_(rt), interval_(interval), wake_(rt.clock()) {}

Task<Status> CommitSyncer::Sync() {
  uint64_t upto = relaxed_;
  Status st = co_await MakeDurable(engine_, rt_);
  if (st.ok()) synced_ = std::max(synced_, upto);
  co_return st;
}

Task<void> CommitSyncer::Run() {
  running_ = true;
  while (!stopping_) {
    co_await wake_.Wait(rt_.clock().Now() + interval_);
    if (stopping_ || relaxed_ == synced_) continue;
    Status st = co_await Sync();
    if (!st.ok()) LOG_WARN("syncing relaxed metadata commits: {}", st.ToString());
  }
  if (relaxed_ != synced_) {
    Status st = co_await Sync();
    if (!st.ok()) LOG_WARN("syncing relaxed metadata commits at stop: {}", st.ToString());
  }
  running_ = false;
  wake_.NotifyAll();
}

Task<void> CommitSyncer::Stop() {
  stopping_ = true;
  wake_.NotifyAll();
  while (running_) co_await wake_.Wait(rt_.clock().Now() + Nanos(1'000'000'000));
}

}  // namespace chainfs::meta
