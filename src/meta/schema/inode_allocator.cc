#include "meta/schema/inode_allocator.h"

#include "meta/schema/keys.h"

namespace chainfs::meta {

namespace {

constexpr uint64_t kFirstInode = 2;

// Reserves [first, first + count) by advancing the counter.
class ReserveBatch : public kv::TxnBody {
 public:
  explicit ReserveBatch(uint32_t count) : count_(count) {}
  Task<Status> Run(kv::Transaction& txn) override {
    Result<std::optional<std::string>> cur = co_await txn.Get(keys::Counter("inode"));
    if (!cur.ok()) co_return cur.status();
    first = kFirstInode;
    if (*cur) {
      Result<int64_t> v = kv::DecodeInt64(**cur);
      if (!v.ok()) co_return v.status().WithContext("inode counter");
      first = static_cast<uint64_t>(*v);
    }
    txn.Set(keys::Counter("inode"), kv::EncodeInt64(static_cast<int64_t>(first + count_)));
    co_return Status();
  }
  uint64_t first = 0;

 private:
  uint32_t count_;
};

}  // namespace

InodeAllocator::InodeAllocator(kv::Engine& engine, Runtime& rt, uint32_t batch)
    : engine_(engine), rt_(rt), batch_(batch), refilled_(rt.clock()) {}

Task<Result<InodeId>> InodeAllocator::Next() {
  while (next_ == end_) {
    if (refilling_) {
      co_await refilled_.Wait(kNever);
      continue;
    }
    Status st = co_await Refill();
    if (!st.ok()) co_return st;
  }
  co_return InodeId(next_++);
}

Task<Status> InodeAllocator::Refill() {
  refilling_ = true;
  ReserveBatch body(batch_);
  // Not idempotent: a batch reserved twice only wastes ids, but the retry must see its own
  // outcome, so a commit-unknown is reported rather than retried.
  Status st = co_await kv::RunTransaction(engine_, rt_.clock(), rt_.random(), body);
  if (st.ok()) {
    next_ = body.first;
    end_ = body.first + batch_;
  }
  refilling_ = false;
  refilled_.NotifyAll();
  co_return st;
}

}  // namespace chainfs::meta
