#include <fmt/format.h>

#include "kv/versioned.h"
#include "kv/versioned_transaction.h"

namespace chainfs::kv {

std::unique_ptr<Transaction> VersionedEngine::Begin() {
  std::lock_guard lock(mu_);
  running_.insert(committed_);
  return std::make_unique<VersionedTransaction>(*this, committed_, TakeSnapshot(committed_));
}

void VersionedEngine::EndTransaction(Version read_version) {
  std::lock_guard lock(mu_);
  running_.erase(running_.find(read_version));
  Version oldest = running_.empty() ? committed_ : *running_.begin();
  if (oldest == forgotten_) return;
  forgotten_ = oldest;
  history_.Forget(oldest);
  ForgetBefore(oldest);
}

Result<Version> VersionedEngine::DecideLocked(Commit& c) {
  if (history_.Conflicts(c.read_version, c.reads)) {
    return Status(StatusCode::kConflict, "transaction conflict: a key it read has changed");
  }
  Version version = ++assigned_;
  history_.Record(version, std::move(c.writes));
  return version;
}

Result<std::vector<std::optional<std::string>>> StoreSnapshot::GetMany(
    const std::vector<std::string_view>& keys) {
  std::vector<std::optional<std::string>> values;
  values.reserve(keys.size());
  for (std::string_view key : keys) {
    ASSIGN_OR_RETURN(std::optional<std::string> v, Get(key));
    values.push_back(std::move(v));
  }
  return values;
}

void VersionedEngine::Publish(Version v) {
  std::lock_guard lock(mu_);
  committed_ = std::max(committed_, v);
}

Status VersionedEngine::Apply(const std::vector<Mutation>&, Version) {
  return Internal(fmt::format("engine {} applies commits elsewhere", name()));
}

Task<Status> VersionedEngine::CommitMutations(Commit c) {
  std::lock_guard lock(mu_);
  Result<Version> version = DecideLocked(c);
  if (!version.ok()) co_return version.status();
  // A failed write leaves a version that changed nothing: harmless to later readers.
  Status st = Apply(c.mutations, *version);
  committed_ = *version;
  co_return st;
}

}  // namespace chainfs::kv
