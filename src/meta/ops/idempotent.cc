#include "meta/ops/idempotent.h"

#include <algorithm>
#include <string>
#include <vector>

#include "meta/schema/keys.h"

namespace chainfs::meta {

Task<Status> IdempotentOp::Run(kv::Transaction& txn) {
  replayed = false;
  if (tag_.session == 0) co_return co_await op_.Run(txn);
  std::string key = keys::Request(tag_.session, tag_.seq);
  // Both with read conflicts: a copy of this request running elsewhere, or the session
  // ending meanwhile, makes one of the two transactions run again.
  std::vector<std::string> wanted{key, keys::Client(tag_.session)};
  Result<std::vector<std::optional<std::string>>> raw = co_await txn.GetMany(std::move(wanted));
  if (!raw.ok()) co_return raw.status();
  const std::optional<std::string>& answer = (*raw)[0];
  bool registered = (*raw)[1].has_value();
  if (answer && registered) {
    replayed = true;
    if (result_ != nullptr) {
      CO_ASSIGN_OR_RETURN(*result_, DecodeRecord<Attr>(*answer));
    }
    co_return Status();
  }
  CO_RETURN_IF_ERROR(co_await op_.Run(txn));
  if (!registered) co_return Status();
  txn.Set(key, result_ != nullptr ? rpc::Encode(*result_) : std::string());
  uint64_t below = std::min(tag_.forget_below, tag_.seq);
  if (tag_.forget_from < below) {
    txn.ClearRange(keys::Request(tag_.session, tag_.forget_from),
                   keys::Request(tag_.session, below));
  }
  co_return Status();
}

}  // namespace chainfs::meta
