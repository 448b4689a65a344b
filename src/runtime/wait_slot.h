#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "common/unique_function.h"
#include "runtime/clock.h"

namespace chainfs {

// One parked coroutine: Park() suspends until Wake(); cancelling the awaiting coroutine wakes
// it with kAborted. The wake-up is posted to the coroutine's executor, so it runs in FIFO order
// with everything else. The cheapest way for one coroutine to wait for another on the same
// thread (no timer, no system call); the simulated runtime builds its timers, reads and
// accepts on it. Not thread-safe.
class WaitSlot {
 public:
  using WaitResult = Timer::WaitResult;
  WaitSlot() = default;
  WaitSlot(const WaitSlot&) = delete;
  WaitSlot& operator=(const WaitSlot&) = delete;
  ~WaitSlot() {
    ClearSlot();
    Unlink();
  }

  // Destroys every coroutine parked on this thread without resuming it (its frames unwind
  // through their destructors). For shutting a world down: a parked coroutine and the slot it
  // parks on own each other, so nothing else would ever free them. Returns how many there were.
  static size_t AbandonAllOnThisThread() {
    size_t n = 0;
    while (WaitSlot* slot = Parked()) {
      slot->Unlink();
      slot->ClearSlot();
      slot->on_abort_ = {};
      // Moved out first: destroying the handler may destroy the frame that holds `slot`.
      auto resume = std::move(slot->resume_);
      slot->resume_ = {};
      ++n;
    }
    return n;
  }

  bool parked() const { return static_cast<bool>(resume_); }

  // `on_abort` runs when the waiter is cancelled, before it resumes (to drop pending events).
  Task<WaitResult> Park(UniqueFunction<void()> on_abort = {}) {
    on_abort_ = std::move(on_abort);
    Link();
    return asio::async_initiate<decltype(asio::use_awaitable), void(WaitResult)>(
        Initiation{this}, asio::use_awaitable);
  }

  // Resumes the parked coroutine with `r`; false if none was parked.
  bool Wake(WaitResult r) {
    if (!resume_) return false;
    Unlink();
    ClearSlot();
    on_abort_ = {};
    auto resume = std::move(resume_);
    resume_ = {};
    resume(r);
    return true;
  }

 private:
  struct Initiation {
    WaitSlot* self;
    template <typename Handler>
    void operator()(Handler&& handler) {
      auto slot = asio::get_associated_cancellation_slot(handler);
      if (slot.is_connected()) {
        self->slot_ = slot;
        slot.assign([s = self](asio::cancellation_type) { s->Abort(); });
      }
      self->resume_ = [h = std::move(handler)](WaitResult r) mutable {
        auto ex = asio::get_associated_executor(h);
        asio::post(ex, [h = std::move(h), r]() mutable { std::move(h)(r); });
      };
    }
  };

  void Abort() {
    if (on_abort_) {
      auto fn = std::move(on_abort_);
      on_abort_ = {};
      fn();
    }
    Wake(WaitResult::kAborted);
  }

  void ClearSlot() {
    if (slot_.is_connected()) slot_.clear();
    slot_ = {};
  }

  // Parked slots of this thread, as an intrusive list.
  static WaitSlot*& Head() {
    thread_local WaitSlot* head = nullptr;
    return head;
  }
  static WaitSlot* Parked() { return Head(); }
  void Link() {
    if (linked_) return;
    linked_ = true;
    prev_ = nullptr;
    next_ = Head();
    if (next_) next_->prev_ = this;
    Head() = this;
  }
  void Unlink() {
    if (!linked_) return;
    linked_ = false;
    if (prev_) prev_->next_ = next_;
    if (next_) next_->prev_ = prev_;
    if (Head() == this) Head() = next_;
    prev_ = next_ = nullptr;
  }

  UniqueFunction<void(WaitResult)> resume_;
  UniqueFunction<void()> on_abort_;
  asio::cancellation_slot slot_;
  bool linked_ = false;
  WaitSlot* prev_ = nullptr;
  WaitSlot* next_ = nullptr;
};

}  // namespace chainfs
