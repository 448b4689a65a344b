#pragma once

#include <deque>
#include <map>
#include <utility>

#include "common/result.h"
#include "runtime/wait_slot.h"

namespace chainfs {

// Exclusive locks named by key, for coroutines on one executor, granted in arrival order.
// Holding a lock across co_await is the point. Not thread-safe; the object must outlive every
// Guard and every waiter.
template <typename K>
class KeyedLocks {
 public:
  class Guard {
   public:
    Guard() = default;
    Guard(KeyedLocks* owner, K key) : owner_(owner), key_(std::move(key)) {}
    Guard(Guard&& o) noexcept : owner_(std::exchange(o.owner_, nullptr)), key_(std::move(o.key_)) {}
    Guard& operator=(Guard&& o) noexcept {
      if (this != &o) {
        Release();
        owner_ = std::exchange(o.owner_, nullptr);
        key_ = std::move(o.key_);
      }
      return *this;
    }
    ~Guard() { Release(); }
    void Release() {
      if (owner_ != nullptr) std::exchange(owner_, nullptr)->Unlock(key_);
    }

   private:
    KeyedLocks* owner_ = nullptr;
    K key_{};
  };

  // kCancelled when the waiting coroutine is cancelled.
  Task<Result<Guard>> Lock(K key) {
    auto [it, fresh] = entries_.try_emplace(key);
    if (fresh) co_return Guard(this, std::move(key));
    WaitSlot slot;
    it->second.waiters.push_back(&slot);
    // The entry stays while a waiter is queued, so `it` stays valid.
    auto result = co_await slot.Park([this, key, s = &slot] { Forget(key, s); });
    if (result == WaitSlot::WaitResult::kAborted)
      co_return Status(StatusCode::kCancelled, "cancelled waiting for a lock");
    co_return Guard(this, std::move(key));
  }

  bool held(const K& key) const { return entries_.contains(key); }
  size_t held_count() const { return entries_.size(); }

 private:
  struct Entry {
    std::deque<WaitSlot*> waiters;
  };

  // Hands the lock to the first waiter, or frees it.
  void Unlock(const K& key) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    if (it->second.waiters.empty()) {
      entries_.erase(it);
      return;
    }
    WaitSlot* next = it->second.waiters.front();
    it->second.waiters.pop_front();
    next->Wake(WaitSlot::WaitResult::kWoken);
  }

  void Forget(const K& key, WaitSlot* slot) {
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    std::erase(it->second.waiters, slot);
  }

  std::map<K, Entry> entries_;
};

}  // namespace chainfs
