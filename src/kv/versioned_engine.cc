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

Status VersionedEngine::DoCommit(Commit c) {
  std::lock_guard lock(mu_);
  return CommitLocked(c);
}

Status VersionedEngine::CommitLocked(Commit& c) {
  if (history_.Conflicts(c.read_version, c.reads)) {
    return Status(StatusCode::kConflict, "transaction conflict: a key it read has changed");
  }
  Version version = committed_ + 1;
  RETURN_IF_ERROR(Apply(c.mutations, version));
  committed_ = version;
  history_.Record(version, std::move(c.writes));
  return Status();
}

}  // namespace chainfs::kv
