#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "rpc/call.h"
#include "rpc/dispatcher.h"
#include "rpc/options.h"
#include "rpc/wire/frame.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"
#include "runtime/wait_slot.h"

namespace chainfs::rpc {

// One authenticated stream carrying many calls at once, matched by request id.
//
// A writer coroutine drains the outgoing queue: every frame queued while it was busy leaves in
// one gather write (request merging). A reader coroutine parses frames from a buffer; bulk
// payloads larger than the buffer are read straight into their destination. On the client
// side responses complete pending calls; on the server side requests run as coroutines through
// the dispatcher, at most max_concurrent_handlers at once.
//
// A malformed frame closes the connection with a logged error. Belongs to one executor's
// thread; always held by shared_ptr.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Role { kClient, kServer };

  Connection(Runtime& rt, std::unique_ptr<Stream> stream, RpcOptions options, Role role,
             const Dispatcher* dispatcher);
  ~Connection();

  // Starts the reader and the writer. `on_close` runs once, when the connection closes.
  void Start(std::function<void()> on_close = {});
  void Close(Status reason);
  bool closed() const { return closed_; }
  const Status& close_reason() const { return close_reason_; }
  const std::string& peer() const { return peer_; }
  size_t pending_calls() const { return pending_.size(); }

  // Client side. kDeadlineExceeded at the deadline, kCancelled on cancellation,
  // kUnavailable if the connection breaks; a failed response carries the server's status.
  // `deadline` is on the runtime clock; options.timeout only names the limit in errors.
  Task<Result<RawResponse>> Call(uint16_t service, uint16_t method, std::string body,
                                 CallOptions options, Nanos deadline);

 private:
  struct PendingCall;
  struct OutFrame;
  class Reader;

  void Enqueue(OutFrame frame);
  Task<Status> AwaitSlot(Nanos deadline);
  void GiveUp(PendingCall& call, uint64_t id, Timer::WaitResult why, uint16_t service,
              uint16_t method, Nanos timeout);
  void WatchDeadline(Nanos deadline, uint64_t id);
  static Task<void> ReleaseBuffers(std::shared_ptr<PendingCall> call);
  static Task<void> WriterLoop(std::shared_ptr<Connection> self);
  static Task<void> DeadlineLoop(std::shared_ptr<Connection> self);
  static Task<void> ReaderLoop(std::shared_ptr<Connection> self);
  Task<void> LetWriterGoFirst();
  Task<Status> ReadFrame(Reader& in);
  Task<Status> HandleResponse(Reader& in, FrameHeader h, std::string body);
  Task<Status> HandleRequest(Reader& in, FrameHeader h, std::string body);
  static Task<void> Serve(std::shared_ptr<Connection> self, FrameHeader h, std::string body,
                          PooledBuffer bulk);

  Runtime& rt_;
  std::unique_ptr<Stream> stream_;
  RpcOptions options_;
  Role role_;
  const Dispatcher* dispatcher_;
  std::string peer_;
  bool closed_ = false;
  Status close_reason_;
  std::function<void()> on_close_;

  uint64_t next_request_id_ = 1;
  std::unordered_map<uint64_t, std::shared_ptr<PendingCall>> pending_;
  std::deque<OutFrame> queue_;
  WaitSlot writer_idle_;
  bool writing_ = false;  // the writer is inside a gather write
  WaitSlot batch_taken_;  // the reader, waiting for the writer to take the queue
  // Deadlines of pending calls. One timer, armed at the earliest, expires them all; calls
  // mostly end in the order they began, so it is rarely re-armed.
  std::set<std::pair<Nanos, uint64_t>> deadlines_;
  std::unique_ptr<Timer> deadline_timer_;
  Nanos deadline_armed_ = kNever;
  Notifier slots_;         // client: a call slot freed; server: a handler finished
  uint32_t handlers_ = 0;  // server: requests being served
};

}  // namespace chainfs::rpc
