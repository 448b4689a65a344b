#include "kv/versioned_transaction.h"

#include <algorithm>
#include <cstring>

namespace chainfs::kv {

std::string ApplyAtomic(Mutation::Kind kind, const std::optional<std::string>& current,
                        const std::string& operand) {
  uint64_t base = 0, arg = 0;
  if (current && current->size() == 8) std::memcpy(&base, current->data(), 8);
  std::memcpy(&arg, operand.data(), 8);
  uint64_t result = 0;
  switch (kind) {
    case Mutation::Kind::kAdd:
      result = base + arg;
      break;
    case Mutation::Kind::kAdvance:
      result = std::max(base + 1, arg);
      break;
    default:
      result = std::max(base, arg);
      break;
  }
  std::string out(8, '\0');
  std::memcpy(out.data(), &result, 8);
  return out;
}

VersionedTransaction::VersionedTransaction(VersionedEngine& engine, Version read_version,
                                           std::unique_ptr<StoreSnapshot> snapshot)
    : engine_(engine), read_version_(read_version), snapshot_(std::move(snapshot)) {}

VersionedTransaction::~VersionedTransaction() {
  snapshot_.reset();
  engine_.EndTransaction(read_version_);
}

bool VersionedTransaction::Cleared(std::string_view key) const {
  return std::any_of(cleared_.begin(), cleared_.end(),
                     [&](const KeyRange& r) { return r.Contains(key); });
}

bool VersionedTransaction::ShowsStored(const std::string& key, const Local* local) const {
  return !(local && local->from_scratch) && !Cleared(key);
}

std::optional<std::string> VersionedTransaction::Overlaid(const Local* local,
                                                          std::optional<std::string> stored) {
  std::optional<std::string> base = std::move(stored);
  if (local && local->from_scratch) base = local->value;
  if (local) {
    for (const Mutation& m : local->atomics) base = ApplyAtomic(m.kind, base, m.param);
  }
  return base;
}

Result<std::optional<std::string>> VersionedTransaction::Resolve(const std::string& key,
                                                                 const Local* local) {
  std::optional<std::string> stored;
  if (ShowsStored(key, local)) {
    ASSIGN_OR_RETURN(stored, snapshot_->Get(key));
  }
  return Overlaid(local, std::move(stored));
}

Result<std::optional<std::string>> VersionedTransaction::Read(const std::string& key,
                                                              bool snapshot) {
  if (!snapshot) reads_.push_back({key, KeyAfter(key)});
  auto it = local_.find(key);
  return Resolve(key, it == local_.end() ? nullptr : &it->second);
}

Task<Result<std::optional<std::string>>> VersionedTransaction::Get(std::string key) {
  co_return Read(key, false);
}

Task<Result<std::optional<std::string>>> VersionedTransaction::SnapshotGet(std::string key) {
  co_return Read(key, true);
}

Task<Result<std::vector<std::optional<std::string>>>> VersionedTransaction::GetMany(
    std::vector<std::string> keys) {
  co_return ReadMany(keys, false);
}

Task<Result<std::vector<std::optional<std::string>>>> VersionedTransaction::SnapshotGetMany(
    std::vector<std::string> keys) {
  co_return ReadMany(keys, true);
}

Result<std::vector<std::optional<std::string>>> VersionedTransaction::ReadMany(
    const std::vector<std::string>& keys, bool snapshot) {
  // The store's values of the keys whose stored value still shows through, asked together.
  std::vector<const Local*> locals(keys.size(), nullptr);
  std::vector<bool> shows(keys.size());
  std::vector<std::string_view> stored;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!snapshot) reads_.push_back({keys[i], KeyAfter(keys[i])});
    auto it = local_.find(keys[i]);
    if (it != local_.end()) locals[i] = &it->second;
    shows[i] = ShowsStored(keys[i], locals[i]);
    if (shows[i]) stored.push_back(keys[i]);
  }
  ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> from_store, snapshot_->GetMany(stored));
  std::vector<std::optional<std::string>> values;
  values.reserve(keys.size());
  size_t next = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    std::optional<std::string> value;
    if (shows[i]) value = std::move(from_store[next++]);
    values.push_back(Overlaid(locals[i], std::move(value)));
  }
  return values;
}

Task<Result<std::vector<KeyValue>>> VersionedTransaction::GetRange(std::string begin,
                                                                   std::string end,
                                                                   RangeOptions options) {
  co_return Scan(begin, end, options);
}

Result<std::vector<KeyValue>> VersionedTransaction::Scan(const std::string& begin,
                                                         const std::string& end,
                                                         RangeOptions options) {
  std::vector<KeyValue> out;
  if (begin >= end) return out;
  size_t want = options.limit == 0 ? SIZE_MAX : options.limit;
  auto first = local_.lower_bound(begin);
  auto last = local_.lower_bound(end);
  bool untouched = first == last &&
                   std::none_of(cleared_.begin(), cleared_.end(),
                                [&](const KeyRange& r) { return r.begin < end && begin < r.end; });
  if (untouched) {
    // Nothing of this transaction's own in the range (a listing, most often): the stored
    // pairs are the answer as they come.
    ASSIGN_OR_RETURN(out, snapshot_->Scan(begin, end, options.limit, options.reverse));
  } else {
    ASSIGN_OR_RETURN(out, Merge(begin, end, options, first, last));
  }
  if (!options.snapshot) {
    // A limited read depends only on the part of the range it covered.
    KeyRange read{begin, end};
    if (out.size() == want && want != SIZE_MAX) {
      if (options.reverse) {
        read.begin = out.back().key;
      } else {
        read.end = KeyAfter(out.back().key);
      }
    }
    reads_.push_back(std::move(read));
  }
  return out;
}

Result<std::vector<KeyValue>> VersionedTransaction::Merge(const std::string& begin,
                                                          const std::string& end,
                                                          RangeOptions options, LocalIt first,
                                                          LocalIt last) {
  std::vector<KeyValue> out;
  // Stored pairs come in batches; this transaction's own keys are merged in between.
  std::map<std::string, std::optional<std::string>> merged;
  for (auto it = first; it != last; ++it) {
    ASSIGN_OR_RETURN(merged[it->first], Resolve(it->first, &it->second));
  }
  size_t want = options.limit == 0 ? SIZE_MAX : options.limit;
  size_t batch = std::max<size_t>(64, options.limit == 0 ? 1024 : options.limit);
  std::string lo = begin, hi = end;
  bool exhausted = false;
  while (!exhausted) {
    ASSIGN_OR_RETURN(std::vector<KeyValue> stored, snapshot_->Scan(lo, hi, batch, options.reverse));
    exhausted = stored.size() < batch;
    for (KeyValue& kv : stored) {
      if (!local_.count(kv.key) && !Cleared(kv.key)) merged.emplace(kv.key, std::move(kv.value));
    }
    if (!stored.empty()) {
      if (options.reverse) {
        hi = stored.back().key;
      } else {
        lo = KeyAfter(stored.back().key);
      }
    }
    // Enough present keys between the range start and the scan position decide the answer.
    size_t present = 0;
    if (options.reverse) {
      for (auto it = merged.rbegin(); it != merged.rend() && it->first >= hi; ++it)
        present += it->second.has_value();
    } else {
      for (auto it = merged.begin(); it != merged.end() && it->first < lo; ++it)
        present += it->second.has_value();
    }
    if (present >= want) break;
  }
  auto emit = [&](const std::string& k, const std::optional<std::string>& v) {
    if (v && out.size() < want) out.push_back({k, *v});
  };
  if (options.reverse) {
    for (auto it = merged.rbegin(); it != merged.rend() && out.size() < want; ++it)
      emit(it->first, it->second);
  } else {
    for (auto it = merged.begin(); it != merged.end() && out.size() < want; ++it)
      emit(it->first, it->second);
  }
  return out;
}

void VersionedTransaction::AddWrite(KeyRange range) { writes_.push_back(std::move(range)); }

void VersionedTransaction::Set(std::string_view key, std::string_view value) {
  Local& l = local_[std::string(key)];
  l = Local{true, std::string(value), {}};
  mutations_.push_back({Mutation::Kind::kSet, std::string(key), std::string(value)});
  AddWrite({std::string(key), KeyAfter(key)});
}

void VersionedTransaction::Clear(std::string_view key) {
  local_[std::string(key)] = Local{true, std::nullopt, {}};
  mutations_.push_back({Mutation::Kind::kClear, std::string(key), {}});
  AddWrite({std::string(key), KeyAfter(key)});
}

void VersionedTransaction::ClearRange(std::string_view begin, std::string_view end) {
  if (begin >= end) return;
  local_.erase(local_.lower_bound(begin), local_.lower_bound(end));
  cleared_.push_back({std::string(begin), std::string(end)});
  mutations_.push_back({Mutation::Kind::kClearRange, std::string(begin), std::string(end)});
  AddWrite({std::string(begin), std::string(end)});
}

void VersionedTransaction::AddAtomic(Mutation::Kind kind, std::string_view key,
                                     std::string operand) {
  Mutation m{kind, std::string(key), std::move(operand)};
  local_[m.key].atomics.push_back(m);
  mutations_.push_back(std::move(m));
  AddWrite({std::string(key), KeyAfter(key)});
}

void VersionedTransaction::AtomicAdd(std::string_view key, int64_t delta) {
  AddAtomic(Mutation::Kind::kAdd, key, EncodeInt64(delta));
}

void VersionedTransaction::AtomicMax(std::string_view key, uint64_t value) {
  AddAtomic(Mutation::Kind::kMax, key, EncodeInt64(static_cast<int64_t>(value)));
}

void VersionedTransaction::AtomicAdvance(std::string_view key, uint64_t value) {
  AddAtomic(Mutation::Kind::kAdvance, key, EncodeInt64(static_cast<int64_t>(value)));
}

Task<Status> VersionedTransaction::Commit() {
  if (committed_) co_return Internal("transaction committed twice");
  committed_ = true;
  if (mutations_.empty()) co_return Status();  // read-only: its snapshot was consistent
  VersionedEngine::Commit c{read_version_, std::move(reads_), std::move(writes_),
                            std::move(mutations_), durable_};
  co_return co_await engine_.CommitMutations(std::move(c));
}

}  // namespace chainfs::kv
