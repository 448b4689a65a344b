#include "client/close_queue.h"

#include "common/logging.h"

namespace chainfs::client {

namespace {
// Below the metadata server's bound on one call.
constexpr size_t kMaxBatch = 1024;
}  // namespace

void CloseQueue::Add(uint64_t session, InodeId id, uint64_t stamp) {
  uint64_t& queued = queued_[{session, id}];
  queued = std::max(queued, stamp);
  if (sender_running_) return;
  sender_running_ = true;
  rt_.Spawn(Sender(this), "close queue");
}

Task<void> CloseQueue::Sender(CloseQueue* self) {
  while (!self->queued_.empty()) {
    if (!self->hurry_) {
      (void)co_await self->changed_.Wait(self->rt_.clock().Now() + self->delay_);
    }
    co_await self->SendQueued();
  }
  self->sender_running_ = false;
  self->changed_.NotifyAll();
}

Task<void> CloseQueue::SendQueued() {
  while (!queued_.empty()) {
    meta::CloseFilesReq req;
    req.session = queued_.begin()->first.first;
    for (auto it = queued_.begin();
         it != queued_.end() && it->first.first == req.session && req.ids.size() < kMaxBatch;) {
      req.ids.push_back(it->first.second);
      req.stamps.push_back(it->second);
      it = queued_.erase(it);
    }
    Result<meta::Empty> r = co_await meta_.Call(&meta::MetaService::Client::CloseFiles, req);
    if (!r.ok()) {
      LOG_WARN("ending {} write sessions: {} (they end with the client session)", req.ids.size(),
               r.status().ToString());
    }
  }
}

Task<void> CloseQueue::Drain() {
  hurry_ = true;
  changed_.NotifyAll();
  while (sender_running_) {
    (void)co_await changed_.Wait(rt_.clock().Now() + Nanos(1'000'000'000));
  }
  hurry_ = false;
}

}  // namespace chainfs::client
