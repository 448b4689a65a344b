#include "mgmtd/chain_state.h"

#include <algorithm>

namespace chainfs::mgmtd {

const char* Name(PublicState s) {
  switch (s) {
    case PublicState::kServing:
      return "SERVING";
    case PublicState::kLastServing:
      return "LASTSRV";
    case PublicState::kSyncing:
      return "SYNCING";
    case PublicState::kWaiting:
      return "WAITING";
    case PublicState::kOffline:
      return "OFFLINE";
  }
  return "?";
}

const char* Name(LocalState s) {
  switch (s) {
    case LocalState::kUpToDate:
      return "UPTODATE";
    case LocalState::kOnline:
      return "ONLINE";
    case LocalState::kOffline:
      return "OFFLINE";
  }
  return "?";
}

namespace {

LocalState LocalOf(const std::map<TargetId, LocalState>& local, TargetId t) {
  auto it = local.find(t);
  return it == local.end() ? LocalState::kOffline : it->second;
}

// Each target's next state on its own; a serving target that went offline is marked
// kOffline here and may become LASTSRV once the whole chain is known.
PublicState Step(PublicState s, LocalState l) {
  bool down = l == LocalState::kOffline;
  switch (s) {
    case PublicState::kServing:
      return down ? PublicState::kOffline : PublicState::kServing;
    case PublicState::kLastServing:
      return down ? PublicState::kLastServing : PublicState::kServing;
    case PublicState::kSyncing:
      if (down) return PublicState::kOffline;
      return l == LocalState::kUpToDate ? PublicState::kServing : PublicState::kSyncing;
    case PublicState::kWaiting:
    case PublicState::kOffline:
      return down ? PublicState::kOffline : PublicState::kWaiting;
  }
  return PublicState::kOffline;
}

bool Any(const std::vector<ChainTarget>& ts, PublicState s) {
  return std::any_of(ts.begin(), ts.end(), [s](const ChainTarget& t) { return t.state == s; });
}

}  // namespace

Chain NextChain(const Chain& chain, const std::map<TargetId, LocalState>& local) {
  std::vector<ChainTarget> next = chain.targets;
  std::vector<size_t> lost_serving;  // serving before, offline now
  for (size_t i = 0; i < next.size(); ++i) {
    PublicState before = next[i].state;
    next[i].state = Step(before, LocalOf(local, next[i].target));
    if (before == PublicState::kServing && next[i].state == PublicState::kOffline) {
      lost_serving.push_back(i);
    }
  }
  bool serving = Any(next, PublicState::kServing);
  // If a LASTSRV target came back it serves again (Step), so the data is not lost. If the
  // last serving targets fail now, the first of them keeps the newest data.
  if (!serving && !lost_serving.empty() && !Any(next, PublicState::kLastServing)) {
    next[lost_serving.front()].state = PublicState::kLastServing;
  }
  // One LASTSRV at most, and none beside a serving target: the newest data is served.
  bool kept_last = false;
  for (ChainTarget& t : next) {
    if (t.state != PublicState::kLastServing) continue;
    if (serving || kept_last) t.state = PublicState::kOffline;
    kept_last = true;
  }
  // One target syncs at a time, from a serving predecessor; the others wait.
  bool syncing = false;
  for (ChainTarget& t : next) {
    if (t.state != PublicState::kSyncing) continue;
    if (!serving || syncing) t.state = PublicState::kWaiting;
    syncing = syncing || serving;
  }
  if (serving && !syncing) {
    for (ChainTarget& t : next) {
      if (t.state == PublicState::kWaiting) {
        t.state = PublicState::kSyncing;
        break;
      }
    }
  }
  std::stable_sort(next.begin(), next.end(), [](const ChainTarget& a, const ChainTarget& b) {
    return static_cast<int>(a.state) < static_cast<int>(b.state);
  });
  Chain out{chain.id, chain.version, std::move(next)};
  if (out.targets != chain.targets) ++out.version;
  return out;
}

}  // namespace chainfs::mgmtd
