#include "kv/mem/mem_engine.h"

#include <algorithm>
#include <set>

namespace chainfs::kv {

// Each key's history: (version, value or none for cleared), oldest first.
struct MemEngine::Data {
  using History = std::vector<std::pair<Version, std::optional<std::string>>>;
  mutable std::mutex mu;
  std::map<std::string, History, std::less<>> keys;
  // Keys with more than one version or a cleared one: the only ones garbage collection visits.
  std::set<std::string, std::less<>> collectable;

  static const std::optional<std::string>* At(const History& h, Version v) {
    for (auto it = h.rbegin(); it != h.rend(); ++it) {
      if (it->first <= v) return &it->second;
    }
    return nullptr;
  }
};

class MemEngine::Snapshot : public StoreSnapshot {
 public:
  Snapshot(std::shared_ptr<Data> data, Version version)
      : data_(std::move(data)), version_(version) {}

  Result<std::optional<std::string>> Get(std::string_view key) override {
    std::lock_guard lock(data_->mu);
    auto it = data_->keys.find(key);
    if (it == data_->keys.end()) return std::optional<std::string>();
    const std::optional<std::string>* v = Data::At(it->second, version_);
    return v ? *v : std::optional<std::string>();
  }

  Result<std::vector<KeyValue>> Scan(std::string_view begin, std::string_view end, size_t limit,
                                     bool reverse) override {
    std::lock_guard lock(data_->mu);
    std::vector<KeyValue> out;
    auto lo = data_->keys.lower_bound(begin);
    auto hi = data_->keys.lower_bound(end);
    auto take = [&](const auto& entry) {
      const std::optional<std::string>* v = Data::At(entry.second, version_);
      if (v && *v) out.push_back({entry.first, **v});
      return limit != 0 && out.size() >= limit;
    };
    if (reverse) {
      for (auto it = std::make_reverse_iterator(hi); it != std::make_reverse_iterator(lo); ++it) {
        if (take(*it)) break;
      }
    } else {
      for (auto it = lo; it != hi; ++it) {
        if (take(*it)) break;
      }
    }
    return out;
  }

 private:
  std::shared_ptr<Data> data_;
  Version version_;
};

MemEngine::MemEngine() : data_(std::make_shared<Data>()) {}
MemEngine::~MemEngine() = default;

std::unique_ptr<StoreSnapshot> MemEngine::TakeSnapshot(Version version) {
  return std::make_unique<Snapshot>(data_, version);
}

Status MemEngine::Apply(const std::vector<Mutation>& mutations, Version version) {
  std::lock_guard lock(data_->mu);
  auto current = [&](const std::string& key) -> std::optional<std::string> {
    auto it = data_->keys.find(key);
    if (it == data_->keys.end() || it->second.empty()) return std::nullopt;
    return it->second.back().second;
  };
  auto put = [&](const std::string& key, std::optional<std::string> value) {
    Data::History& h = data_->keys[key];
    if (!h.empty() && h.back().first == version) {
      h.back().second = std::move(value);
    } else {
      h.emplace_back(version, std::move(value));
    }
    if (h.size() > 1 || !h.back().second) data_->collectable.insert(key);
  };
  for (const Mutation& m : mutations) {
    switch (m.kind) {
      case Mutation::Kind::kSet:
        put(m.key, m.param);
        break;
      case Mutation::Kind::kClear:
        if (data_->keys.count(m.key)) put(m.key, std::nullopt);
        break;
      case Mutation::Kind::kClearRange: {
        std::vector<std::string> doomed;
        for (auto it = data_->keys.lower_bound(m.key); it != data_->keys.lower_bound(m.param);
             ++it) {
          doomed.push_back(it->first);
        }
        for (const std::string& k : doomed) put(k, std::nullopt);
        break;
      }
      case Mutation::Kind::kAdd:
      case Mutation::Kind::kMax:
      case Mutation::Kind::kAdvance:
        put(m.key, ApplyAtomic(m.kind, current(m.key), m.param));
        break;
    }
  }
  return Status();
}

void MemEngine::ForgetBefore(Version oldest) {
  std::lock_guard lock(data_->mu);
  for (auto c = data_->collectable.begin(); c != data_->collectable.end();) {
    auto it = data_->keys.find(*c);
    Data::History& h = it->second;
    // Keep the newest version at or before `oldest` and everything after it.
    size_t keep_from = 0;
    for (size_t i = 0; i < h.size(); ++i) {
      if (h[i].first <= oldest) keep_from = i;
    }
    h.erase(h.begin(), h.begin() + static_cast<long>(keep_from));
    bool gone = h.size() == 1 && !h.front().second && h.front().first <= oldest;
    if (gone) data_->keys.erase(it);
    if (gone || (h.size() == 1 && h.front().second)) {
      c = data_->collectable.erase(c);
    } else {
      ++c;
    }
  }
}

size_t MemEngine::versions_kept() const {
  std::lock_guard lock(data_->mu);
  size_t n = 0;
  for (const auto& [k, h] : data_->keys) n += h.size();
  return n;
}

Task<Status> MemEngine::CommitMutations(Commit c) {
  if (c.durable) durable_commits_.fetch_add(1);
  co_return co_await VersionedEngine::CommitMutations(std::move(c));
}

}  // namespace chainfs::kv
