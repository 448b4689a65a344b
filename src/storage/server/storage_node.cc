#include "storage/server/storage_node.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>

#include "common/logging.h"
#include "mgmtd/routing_follower.h"
#include "rpc/server.h"
#include "storage/server/byte_pacer.h"
#include "storage/server/scrub_schedule.h"
#include "storage/service/storage_handler.h"

namespace chainfs::storage {

struct StorageNode::State {
  State(Runtime& r, StorageNodeOptions o)
      : rt(r),
        options(std::move(o)),
        pool(r, options.rpc, options.secret, fmt::format("storage-{}", options.node)),
        replicator(pool, r.clock()),
        handler(replicator),
        server(r, options.rpc, options.secret),
        mgmtd(pool, options.mgmtd),
        follower(r, mgmtd),
        incarnation(r.random().Next() | 1) {}

  Runtime& rt;
  StorageNodeOptions options;
  rpc::ClientPool pool;
  Replicator replicator;
  StorageHandler handler;
  rpc::Server server;
  mgmtd::MgmtdClient mgmtd;
  mgmtd::RoutingFollower follower;
  uint64_t incarnation;
  bool stopping = false;
};

namespace {

using State = StorageNode::State;

mgmtd::HeartbeatReq MakeHeartbeat(State& s) {
  mgmtd::HeartbeatReq hb;
  hb.node = s.options.node;
  hb.role = mgmtd::NodeRole::kStorage;
  hb.address = s.options.advertise.empty() ? s.server.address().ToString() : s.options.advertise;
  hb.incarnation = s.incarnation;
  for (const auto& [id, t] : s.replicator.targets()) {
    mgmtd::TargetReport r;
    r.target = id;
    r.local = s.replicator.LocalStateOf(*t);
    r.used_bytes = t->engine->used_bytes();
    r.capacity_bytes = t->capacity_bytes;
    r.fs_id = t->fs_id;
    if (t->missed_update) {
      r.note = fmt::format("left its chain; rejoins once its disk has {} MiB free; {}",
                           s.options.rejoin_free_bytes >> 20, t->out_reason);
    } else if (t->failed) {
      r.note = t->out_reason;
    }
    hb.targets.push_back(r);
  }
  return hb;
}

Task<void> HeartbeatLoop(std::shared_ptr<State> s) {
  s->replicator.set_serving_until(Nanos(0));
  while (!s->stopping) {
    Nanos sent = s->rt.clock().Now();
    s->replicator.RejoinWhenRoom(s->options.rejoin_free_bytes);
    Result<mgmtd::HeartbeatRsp> rsp = co_await s->mgmtd.Heartbeat(MakeHeartbeat(*s));
    if (s->stopping) break;
    if (rsp.ok()) {
      s->replicator.set_serving_until(sent + s->options.serve_lease);
    } else {
      LOG_DEBUG("storage {} heartbeat: {}", s->options.node, rsp.status().ToString());
    }
    co_await s->rt.clock().Sleep(s->options.heartbeat_interval);
  }
}

Task<void> SyncLoop(std::shared_ptr<State> s) {
  while (!s->stopping) {
    co_await s->rt.clock().Sleep(s->options.sync_check_interval);
    if (s->stopping) break;
    (void)co_await s->replicator.ResolveLeftovers(256);
    if (s->stopping) break;
    std::optional<TargetId> from = s->replicator.TargetToSyncFrom();
    if (!from) continue;
    Status st = co_await s->replicator.SyncSuccessor(*from);
    if (s->stopping) break;
    if (!st.ok())
      LOG_INFO("storage {}: sync from target {}: {}", s->options.node, *from, st.ToString());
  }
}

// Background work on the targets, paced in bytes per second: re-verifying chunks, and punching
// the blocks of removed ones out of their blob files.
enum class Chore { kScrub, kPunch };

// One step of `chore` on target `id`, of about `budget` bytes: the bytes it read or punched, or
// nullopt when the target has nothing to do. `scrubs` holds where each target's scrub is.
Task<std::optional<uint64_t>> ChoreStep(State& s, Chore chore, TargetId id, uint64_t budget,
                                        ScrubSchedule& scrubs) {
  auto it = s.replicator.targets().find(id);
  if (it == s.replicator.targets().end()) co_return std::nullopt;
  if (chore == Chore::kPunch) {
    Nanos freed_by = s.rt.clock().Now() - s.options.punch_delay;
    if (!it->second->engine->punch_due(freed_by)) co_return std::nullopt;
    uint64_t punched = co_await it->second->engine->PunchFreed(budget, freed_by);
    co_return punched;
  }
  if (!scrubs.Due(id, s.rt.clock().Now())) co_return std::nullopt;
  Replicator::ScrubStep step = co_await s.replicator.Scrub(id, scrubs.after(id), budget);
  scrubs.Stepped(id, step.next);
  if (step.bytes == 0 && !step.next) co_return std::nullopt;  // nothing left in this pass
  co_return step.bytes;
}

// Runs `chore` at most `bytes_per_second` over all targets: every 100 ms a tenth of it, spent by
// the targets in turn, starting after the last one that had something to do.
Task<void> ChoreLoop(std::shared_ptr<State> s, Chore chore, uint64_t bytes_per_second) {
  constexpr int kTicksPerSecond = 10;
  if (bytes_per_second == 0) co_return;
  BytePacer pacer(bytes_per_second, kTicksPerSecond);
  size_t next = 0;
  ScrubSchedule scrubs(s->options.scrub_interval);
  while (!s->stopping) {
    co_await s->rt.clock().Sleep(Nanos(1'000'000'000 / kTicksPerSecond));
    pacer.Tick();
    std::vector<TargetId> targets;
    for (const auto& [id, t] : s->replicator.targets()) targets.push_back(id);
    size_t start = next;
    for (size_t i = 0; i < targets.size() && pacer.has_credit() && !s->stopping; ++i) {
      TargetId id = targets[(start + i) % targets.size()];
      std::optional<uint64_t> done = co_await ChoreStep(*s, chore, id, pacer.credit(), scrubs);
      if (!done) continue;
      pacer.Spend(*done);
      next = (start + i + 1) % targets.size();
    }
  }
}

}  // namespace

Task<Result<std::unique_ptr<StorageNode>>> StorageNode::Start(Runtime& rt,
                                                              StorageNodeOptions options,
                                                              std::vector<TargetSpec> targets) {
  auto state = std::make_shared<State>(rt, std::move(options));
  for (TargetSpec& spec : targets) {
    auto t = std::make_unique<LocalTarget>();
    t->id = spec.id;
    t->capacity_bytes = spec.capacity_bytes;
    t->fs_id = spec.fs_id;
    t->engine = std::make_unique<ChunkEngine>(*spec.store, rt.disk(), rt.clock(), spec.blob_dir,
                                              options.reserve_bytes);
    Status opened = co_await t->engine->Open();
    if (!opened.ok()) {
      co_return Status(opened.code(), fmt::format("target {} at {}: {}", spec.id, spec.blob_dir,
                                                  opened.message()));
    }
    state->replicator.AddTarget(std::move(t));
  }
  StorageService::Register(state->server.dispatcher(), state->handler);
  CO_RETURN_IF_ERROR(state->server.Start(state->options.listen));
  std::weak_ptr<State> weak = state;
  state->follower.OnChange([weak](std::shared_ptr<const mgmtd::RoutingInfo> routing) {
    if (auto s = weak.lock()) s->replicator.SetRouting(std::move(routing));
  });
  state->follower.Start();
  rt.Spawn(HeartbeatLoop(state), "storage heartbeat");
  rt.Spawn(SyncLoop(state), "storage sync");
  rt.Spawn(ChoreLoop(state, Chore::kScrub, state->options.scrub_bytes_per_second), "storage scrub");
  rt.Spawn(ChoreLoop(state, Chore::kPunch, state->options.punch_bytes_per_second), "storage punch");
  co_return std::unique_ptr<StorageNode>(new StorageNode(state));
}

StorageNode::StorageNode(std::shared_ptr<State> state) : state_(std::move(state)) {}

StorageNode::~StorageNode() { Stop(); }

void StorageNode::Stop() {
  if (state_->stopping) return;
  state_->stopping = true;
  state_->replicator.Stop();
  state_->follower.Stop();
  state_->server.Stop();
  state_->pool.CloseAll();
}

Task<void> StorageNode::Join() { co_await state_->follower.Join(); }

Address StorageNode::address() const { return state_->server.address(); }

Replicator& StorageNode::replicator() { return state_->replicator; }

}  // namespace chainfs::storage
