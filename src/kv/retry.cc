#include "kv/retry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace chainfs::kv {

std::string EncodeInt64(int64_t v) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &v, 8);
  return out;
}

Result<int64_t> DecodeInt64(std::string_view bytes) {
  if (bytes.size() != 8) {
    return Status(StatusCode::kCorruption,
                  fmt::format("counter value has {} bytes, expected 8", bytes.size()));
  }
  int64_t v = 0;
  std::memcpy(&v, bytes.data(), 8);
  return v;
}

namespace {
bool Retryable(const Status& st, const RetryOptions& options) {
  return st.code() == StatusCode::kConflict ||
         (options.idempotent && st.code() == StatusCode::kCommitUnknown);
}
}  // namespace

Task<Status> RunTransaction(Engine& engine, Clock& clock, Random& random, TxnBody& body,
                            RetryOptions options) {
  Nanos backoff = options.initial_backoff;
  Status last;
  for (int attempt = 0; attempt < options.max_attempts; ++attempt) {
    std::unique_ptr<Transaction> txn = body.read_only() ? engine.BeginReadOnly() : engine.Begin();
    if (options.relaxed_durability) txn->RelaxDurability();
    last = co_await body.Run(*txn);
    if (last.ok()) last = co_await txn->Commit();
    if (last.ok() || !Retryable(last, options)) co_return last;
    // Jitter spreads transactions that collided so that they do not collide again.
    Nanos wait(static_cast<int64_t>(random.Uniform(static_cast<uint64_t>(backoff.count())) + 1));
    co_await clock.Sleep(wait);
    backoff = std::min(backoff * 2, options.max_backoff);
  }
  co_return last.WithContext(fmt::format("gave up after {} attempts", options.max_attempts));
}

}  // namespace chainfs::kv
