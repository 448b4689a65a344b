#include "meta/ops/durability.h"

#include <fmt/format.h>

#include "kv/retry.h"
#include "meta/schema/keys.h"

namespace chainfs::meta {
namespace {

constexpr uint64_t kSyncCounters = 16;

class SyncMarkOp : public kv::TxnBody {
 public:
  explicit SyncMarkOp(uint64_t counter) : counter_(counter) {}
  Task<Status> Run(kv::Transaction& txn) override {
    txn.AtomicAdd(keys::Counter(fmt::format("{}{}", keys::kSyncMarks, counter_)), 1);
    co_return Status();
  }

 private:
  uint64_t counter_;
};

}  // namespace

Task<Status> MakeDurable(kv::Engine& engine, Runtime& rt) {
  SyncMarkOp op(rt.random().Uniform(kSyncCounters));
  kv::RetryOptions retry;
  retry.idempotent = true;  // one more count changes nothing
  co_return co_await kv::RunTransaction(engine, rt.clock(), rt.random(), op, retry);
}

}  // namespace chainfs::meta
