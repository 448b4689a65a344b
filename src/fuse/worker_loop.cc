// The FUSE session's read loop, run on the client's own thread. libfuse's own multi-threaded
// loop reads each request on one of its threads, whose callback then hands the call to the
// client's thread and sleeps until the answer comes back: two thread wake-ups per request on
// top of the kernel's, which cost 50-100 us each on a virtual machine. Here the busiest
// requests need neither; the others keep their blocking callbacks, on a pool of threads.
#include "fuse/worker_loop.h"

#include <fcntl.h>
#include <linux/fuse.h>

#include <asio/co_spawn.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "client/api/client_impl.h"

namespace chainfs::fuse {
namespace {

using namespace std::chrono_literals;

// Requests up to this size are copied for the pool; larger ones (writes) give it their buffer.
constexpr size_t kCopyBelow = 64 << 10;

// Runs requests handed over by the reading thread, each in memory of its own, on up to
// `max_threads` threads started as needed. Finishes what is queued before it goes.
class RequestPool {
 public:
  RequestPool(fuse_session* se, unsigned max_threads)
      : se_(se), max_threads_(max_threads == 0 ? 1 : max_threads) {}
  ~RequestPool() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }
  RequestPool(const RequestPool&) = delete;
  RequestPool& operator=(const RequestPool&) = delete;

  // Takes ownership of `buf.mem` (from malloc). `change`, when given, is told once the request
  // is answered.
  void Submit(fuse_buf buf, Statahead* change) {
    std::lock_guard lock(mu_);
    queue_.push_back({buf, change});
    // Each waiting thread takes one request; one more than they can take starts a thread.
    if (queue_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { Work(); });
    } else {
      cv_.notify_one();
    }
  }

 private:
  void Work() {
    std::unique_lock lock(mu_);
    for (;;) {
      if (queue_.empty()) {
        if (stopping_) return;
        ++idle_;
        cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        --idle_;
        if (queue_.empty()) return;
      }
      auto [buf, change] = queue_.front();
      queue_.pop_front();
      lock.unlock();
      fuse_session_process_buf(se_, &buf);  // the blocking callback answers before it returns
      std::free(buf.mem);
      if (change != nullptr) change->MutationEnded();
      lock.lock();
    }
  }

  fuse_session* se_;
  unsigned max_threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<fuse_buf, Statahead*>> queue_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;  // threads waiting for a request
  bool stopping_ = false;
};

struct Loop {
  fuse_session* se;
  RequestPool* pool;
  Statahead* changes;
  asio::posix::stream_descriptor* device = nullptr;  // while the reader runs
  bool done = false;
};

// The change the worker's callback is being handed (TakeChange).
thread_local Statahead* unclaimed_change = nullptr;

// Processes `buf` here, telling `change` (if any) once it is answered.
void ProcessHere(Loop& loop, fuse_buf& buf, Statahead* change) {
  unclaimed_change = change;
  fuse_session_process_buf(loop.se, &buf);
  // Not taken: answered by the callback itself (or not a request served by a coroutine).
  if (unclaimed_change != nullptr) unclaimed_change->MutationEnded();
  unclaimed_change = nullptr;
}

void Dispatch(Loop& loop, fuse_buf& buf) {
  uint32_t opcode = 0;
  if (buf.size >= sizeof(fuse_in_header)) {
    opcode = reinterpret_cast<const fuse_in_header*>(buf.mem)->opcode;
  }
  std::span<const char> bytes(static_cast<const char*>(buf.mem), buf.size);
  Statahead* change = loop.changes->MutationBegun(bytes) ? loop.changes : nullptr;
  if (ServedOnWorker(opcode)) return ProcessHere(loop, buf, change);
  fuse_buf own = buf;
  if (buf.size <= kCopyBelow) {
    own.mem = std::malloc(buf.size);
    if (own.mem == nullptr) return ProcessHere(loop, buf, change);  // answers ENOMEM
    std::memcpy(own.mem, buf.mem, buf.size);
  } else {
    buf.mem = nullptr;  // the next read allocates another
  }
  loop.pool->Submit(own, change);
}

// After a request answered at once, its process mostly sends the next one within a few
// microseconds: reading the device again for this long costs less than sleeping and being
// woken (design/client.md).
constexpr auto kSpinAfterAnswer = std::chrono::microseconds(20);
// While the only request in flight waits for a server: its answer (a metadata request takes
// the server 25-100 us) and then the process's next request are picked up without a sleep,
// and the server's send need not wake this thread. Not with several requests in flight,
// whose processes need the CPU this would take.
constexpr auto kSpinForServer = std::chrono::microseconds(80);

// fuse_session_receive_buf, tried again while it finds nothing, for up to `budget`. Between
// tries the thread's other work goes first (answers from servers already in).
Task<int> ReceiveWithin(fuse_session* se, fuse_buf& buf, std::chrono::microseconds budget) {
  auto until = std::chrono::steady_clock::now() + budget;
  auto ex = co_await asio::this_coro::executor;
  int n = -EAGAIN;
  while (n == -EAGAIN && std::chrono::steady_clock::now() < until) {
    co_await asio::post(ex, asio::use_awaitable);
    n = fuse_session_receive_buf(se, &buf);
  }
  co_return n;
}

// Requests the worker is still serving; the loop does not end before they have answered.
int worker_requests = 0;

Task<int> ReadRequests(Runtime& rt, std::shared_ptr<Loop> loop) {
  asio::posix::stream_descriptor device(rt.executor(), fuse_session_fd(loop->se));
  loop->device = &device;
  constexpr auto kAsTuple = asio::experimental::as_tuple(asio::use_awaitable);
  fuse_buf buf{};
  int result = 0;
  bool wait_first = false;
  std::chrono::microseconds spin(0);  // how long to look for the next request before sleeping
  while (!fuse_session_exited(loop->se)) {
    int n = wait_first ? -EAGAIN : fuse_session_receive_buf(loop->se, &buf);
    if (n == -EAGAIN && spin.count() > 0) n = co_await ReceiveWithin(loop->se, buf, spin);
    wait_first = false;
    spin = std::chrono::microseconds(0);
    if (n == -EINTR) continue;
    if (n == -EAGAIN) {
      auto [ec] = co_await device.async_wait(asio::posix::descriptor_base::wait_read, kAsTuple);
      (void)ec;  // cancelled when the session exits; the loop condition says so
      continue;
    }
    if (n <= 0) {
      if (n < 0 && n != -ENODEV) result = n;
      break;
    }
    int waiting = worker_requests;
    Dispatch(*loop, buf);
    // A request now waiting for a server: its process sends nothing before the answer, so a
    // read now would most likely find nothing (a request answered at once is mostly followed
    // by the next one from its process before the read).
    wait_first = worker_requests > waiting;
    if (!wait_first) {
      spin = kSpinAfterAnswer;
    } else if (worker_requests == 1) {
      spin = kSpinForServer;
    }
  }
  std::free(buf.mem);
  loop->device = nullptr;
  loop->done = true;
  (void)device.release();  // the session closes the descriptor
  while (worker_requests > 0) co_await rt.clock().Sleep(1ms);
  co_return result;
}

// A signal ends the session by setting a flag; this notices it and wakes the reader.
Task<void> WatchExit(Runtime& rt, std::shared_ptr<Loop> loop) {
  while (!loop->done) {
    if (fuse_session_exited(loop->se) && loop->device != nullptr) loop->device->cancel();
    co_await rt.clock().Sleep(100ms);
  }
}

}  // namespace

Statahead* TakeChange() { return std::exchange(unclaimed_change, nullptr); }

Task<void> CountedRequest(Task<void> task, Statahead* change) {
  ++worker_requests;
  try {
    co_await std::move(task);
  } catch (...) {
    if (change != nullptr) change->MutationEnded();
    --worker_requests;
    throw;
  }
  if (change != nullptr) change->MutationEnded();
  --worker_requests;
}

int ServeOnWorker(fuse_session* se, Client& client, Statahead& changes, unsigned max_threads) {
  Runtime& rt = client.impl().runtime();
  int fd = fuse_session_fd(se);
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) return -errno;
  RequestPool pool(se, max_threads);
  auto loop = std::make_shared<Loop>(Loop{.se = se, .pool = &pool, .changes = &changes});
  rt.Spawn(WatchExit(rt, loop), "fuse exit watch");
  return asio::co_spawn(rt.executor(), ReadRequests(rt, loop), asio::use_future).get();
}

}  // namespace chainfs::fuse
