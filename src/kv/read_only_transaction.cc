#include "kv/kv.h"

namespace chainfs::kv {

namespace {

// Engine::BeginReadOnly() for engines whose readers never make writers fail: an ordinary
// transaction that refuses writes.
class ReadOnlyTransaction : public Transaction {
 public:
  explicit ReadOnlyTransaction(std::unique_ptr<Transaction> inner) : inner_(std::move(inner)) {}

  Task<Result<std::optional<std::string>>> Get(std::string key) override {
    return inner_->Get(std::move(key));
  }
  Task<Result<std::optional<std::string>>> SnapshotGet(std::string key) override {
    return inner_->SnapshotGet(std::move(key));
  }
  Task<Result<std::vector<KeyValue>>> GetRange(std::string begin, std::string end,
                                               RangeOptions options) override {
    return inner_->GetRange(std::move(begin), std::move(end), options);
  }
  Task<Result<std::vector<std::optional<std::string>>>> GetMany(
      std::vector<std::string> keys) override {
    return inner_->GetMany(std::move(keys));
  }
  Task<Result<std::vector<std::optional<std::string>>>> SnapshotGetMany(
      std::vector<std::string> keys) override {
    return inner_->SnapshotGetMany(std::move(keys));
  }
  void Set(std::string_view, std::string_view) override { wrote_ = true; }
  void Clear(std::string_view) override { wrote_ = true; }
  void ClearRange(std::string_view, std::string_view) override { wrote_ = true; }
  void AtomicAdd(std::string_view, int64_t) override { wrote_ = true; }
  void AtomicMax(std::string_view, uint64_t) override { wrote_ = true; }
  void AtomicAdvance(std::string_view, uint64_t) override { wrote_ = true; }
  Task<Status> Commit() override {
    if (wrote_) co_return Internal("a read-only transaction wrote");
    co_return Status();
  }

 private:
  std::unique_ptr<Transaction> inner_;
  bool wrote_ = false;
};

// GetMany or SnapshotGetMany one key at a time, for engines with nothing better.
Task<Result<std::vector<std::optional<std::string>>>> ReadEach(Transaction& txn,
                                                               std::vector<std::string> keys,
                                                               bool snapshot) {
  std::vector<std::optional<std::string>> values;
  values.reserve(keys.size());
  for (std::string& key : keys) {
    Task<Result<std::optional<std::string>>> read =
        snapshot ? txn.SnapshotGet(std::move(key)) : txn.Get(std::move(key));
    Result<std::optional<std::string>> v = co_await std::move(read);
    if (!v.ok()) co_return v.status();
    values.push_back(std::move(*v));
  }
  co_return values;
}

}  // namespace

Task<Result<std::vector<std::optional<std::string>>>> Transaction::GetMany(
    std::vector<std::string> keys) {
  return ReadEach(*this, std::move(keys), /*snapshot=*/false);
}

Task<Result<std::vector<std::optional<std::string>>>> Transaction::SnapshotGetMany(
    std::vector<std::string> keys) {
  return ReadEach(*this, std::move(keys), /*snapshot=*/true);
}

std::unique_ptr<Transaction> Engine::BeginReadOnly() {
  return std::make_unique<ReadOnlyTransaction>(Begin());
}

}  // namespace chainfs::kv
