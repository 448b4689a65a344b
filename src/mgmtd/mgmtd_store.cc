#include "mgmtd/mgmtd_store.h"

#include <fmt/format.h>

#include "kv/retry.h"

namespace chainfs::mgmtd {
namespace {

constexpr std::string_view kLeaseKey = "MLEA";
constexpr std::string_view kRoutingKey = "MRTG";

Result<std::optional<LeaseRecord>> ReadLease(const std::optional<std::string>& value) {
  if (!value) return std::optional<LeaseRecord>();
  Result<LeaseRecord> lease = rpc::Decode<LeaseRecord>(*value);
  if (!lease.ok()) return Corruption("mgmtd lease record: " + lease.status().ToString());
  return std::optional<LeaseRecord>(*lease);
}

// Whether `lease` lets `id` write at wall time `now`.
bool Holds(const std::optional<LeaseRecord>& lease, uint64_t id, Nanos now) {
  return lease && lease->holder == id && lease->expires_wall_ns > now.count();
}

}  // namespace

class MgmtdStore::AcquireBody : public kv::TxnBody {
 public:
  AcquireBody(const MgmtdStore& store, Nanos lease) : store_(store), lease_(lease) {}
  Task<Status> Run(kv::Transaction& txn) override {
    held_ = false;
    CO_ASSIGN_OR_RETURN(std::optional<std::string> raw, co_await txn.Get(std::string(kLeaseKey)));
    CO_ASSIGN_OR_RETURN(std::optional<LeaseRecord> lease, ReadLease(raw));
    Nanos now = store_.rt_.clock().WallNow();
    if (lease && lease->holder != store_.id_ && lease->expires_wall_ns > now.count()) {
      co_return Status();
    }
    LeaseRecord mine{store_.id_, store_.address_, (now + lease_).count()};
    txn.Set(kLeaseKey, rpc::Encode(mine));
    held_ = true;
    co_return Status();
  }
  bool held() const { return held_; }

 private:
  const MgmtdStore& store_;
  Nanos lease_;
  bool held_ = false;
};

class MgmtdStore::SaveBody : public kv::TxnBody {
 public:
  SaveBody(const MgmtdStore& store, std::string value) : store_(store), value_(std::move(value)) {}
  Task<Status> Run(kv::Transaction& txn) override {
    CO_ASSIGN_OR_RETURN(std::optional<std::string> raw, co_await txn.Get(std::string(kLeaseKey)));
    CO_ASSIGN_OR_RETURN(std::optional<LeaseRecord> lease, ReadLease(raw));
    if (!Holds(lease, store_.id_, store_.rt_.clock().WallNow())) {
      co_return Unavailable(fmt::format("mgmtd {} is not primary any more", store_.id_));
    }
    txn.Set(kRoutingKey, value_);
    co_return Status();
  }

 private:
  const MgmtdStore& store_;
  std::string value_;
};

MgmtdStore::MgmtdStore(kv::Engine& engine, Runtime& rt, uint64_t id, std::string address)
    : engine_(engine), rt_(rt), id_(id), address_(std::move(address)) {}

Task<Result<bool>> MgmtdStore::AcquireLease(Nanos lease) {
  AcquireBody body(*this, lease);
  kv::RetryOptions retry;
  retry.max_attempts = 5;
  CO_RETURN_IF_ERROR(co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), body, retry));
  co_return body.held();
}

Task<Status> MgmtdStore::ReleaseLease() {
  auto txn = engine_.Begin();
  CO_ASSIGN_OR_RETURN(std::optional<std::string> raw, co_await txn->Get(std::string(kLeaseKey)));
  CO_ASSIGN_OR_RETURN(std::optional<LeaseRecord> lease, ReadLease(raw));
  if (!lease || lease->holder != id_) co_return Status();
  txn->Clear(kLeaseKey);
  co_return co_await txn->Commit();
}

Task<Result<std::optional<LeaseRecord>>> MgmtdStore::CurrentLease() {
  auto txn = engine_.BeginReadOnly();
  CO_ASSIGN_OR_RETURN(std::optional<std::string> raw, co_await txn->Get(std::string(kLeaseKey)));
  co_return ReadLease(raw);
}

Task<Result<RoutingInfo>> MgmtdStore::Load() {
  auto txn = engine_.BeginReadOnly();
  CO_ASSIGN_OR_RETURN(std::optional<std::string> raw, co_await txn->Get(std::string(kRoutingKey)));
  if (!raw) co_return RoutingInfo{};
  Result<RoutingInfo> routing = rpc::Decode<RoutingInfo>(*raw);
  if (!routing.ok()) co_return Corruption("mgmtd routing snapshot: " + routing.status().ToString());
  co_return routing;
}

Task<Status> MgmtdStore::Save(const RoutingInfo& routing) {
  SaveBody body(*this, rpc::Encode(routing));
  kv::RetryOptions retry;
  retry.max_attempts = 5;
  retry.idempotent = true;
  co_return co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), body, retry);
}

}  // namespace chainfs::mgmtd
