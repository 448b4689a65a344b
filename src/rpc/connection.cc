#include "rpc/connection.h"

#include <fmt/format.h>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <cstring>

#include "common/logging.h"

namespace chainfs::rpc {

struct Connection::PendingCall {
  enum class WriteState { kQueued, kWriting, kWritten, kDropped };
  WaitSlot wake;  // the caller, parked until the call completes, expires or releases
  bool done = false;
  Status status;
  RawResponse response;
  std::vector<std::span<char>> response_bulk;  // filled in order
  bool reading_bulk = false;                   // the reader is filling response_bulk
  WriteState write_state = WriteState::kQueued;
  bool wait_release = false;  // the caller waits for the writer and reader to let go
};

struct Connection::OutFrame {
  HeaderBytes header{};
  std::string body;
  std::span<const char> bulk;
  PooledBuffer owned_bulk;
  std::shared_ptr<PendingCall> call;  // client requests: their bulk is the caller's memory
};

// Buffered reads: many small frames per read system call, while payloads of at least half the
// buffer go straight to their destination.
class Connection::Reader {
 public:
  Reader(Stream& stream, size_t capacity, Connection& owner)
      : stream_(stream), buf_(BufferPool::Default().Get(capacity)), owner_(owner) {}

  Task<Status> ReadExact(std::span<char> out) {
    size_t done = TakeBuffered(out);
    while (done < out.size()) {
      std::span<char> rest = out.subspan(done);
      if (rest.size() >= buf_.capacity() / 2) {
        Result<size_t> n = co_await stream_.ReadSome(rest);
        if (!n.ok()) co_return n.status();
        done += *n;
        continue;
      }
      co_await owner_.LetWriterGoFirst();
      Result<size_t> n = co_await stream_.ReadSome(buf_.span());
      if (!n.ok()) co_return n.status();
      begin_ = 0;
      end_ = *n;
      done += TakeBuffered(rest);
    }
    co_return Status();
  }

  Task<Status> Skip(size_t n) {
    PooledBuffer scratch = BufferPool::Default().Get(std::min<size_t>(n, 1 << 20));
    while (n > 0) {
      size_t step = std::min(n, scratch.capacity());
      CO_RETURN_IF_ERROR(co_await ReadExact(scratch.first(step)));
      n -= step;
    }
    co_return Status();
  }

 private:
  size_t TakeBuffered(std::span<char> out) {
    size_t n = std::min(out.size(), end_ - begin_);
    std::memcpy(out.data(), buf_.data() + begin_, n);
    begin_ += n;
    return n;
  }

  Stream& stream_;
  PooledBuffer buf_;
  Connection& owner_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

Connection::Connection(Runtime& rt, std::unique_ptr<Stream> stream, RpcOptions options, Role role,
                       const Dispatcher* dispatcher)
    : rt_(rt),
      stream_(std::move(stream)),
      options_(options),
      role_(role),
      dispatcher_(dispatcher),
      peer_(stream_->PeerName()),
      deadline_timer_(rt.clock().NewTimer()),
      slots_(rt.clock()) {}

Connection::~Connection() {
  if (!closed_) stream_->Close();
}

void Connection::Start(std::function<void()> on_close) {
  on_close_ = std::move(on_close);
  rt_.Spawn(WriterLoop(shared_from_this()), "rpc-writer");
  rt_.Spawn(ReaderLoop(shared_from_this()), "rpc-reader");
  if (role_ == Role::kClient) rt_.Spawn(DeadlineLoop(shared_from_this()), "rpc-deadlines");
}

void Connection::Close(Status reason) {
  if (closed_) return;
  auto keep_alive = shared_from_this();
  closed_ = true;
  close_reason_ = std::move(reason);
  stream_->Close();
  for (auto& [id, call] : pending_) {
    call->done = true;
    call->status =
        Unavailable(fmt::format("connection to {} closed: {}", peer_, close_reason_.message()));
    call->wake.Wake(Timer::WaitResult::kWoken);
  }
  pending_.clear();
  deadlines_.clear();
  for (OutFrame& f : queue_) {
    if (f.call) f.call->write_state = PendingCall::WriteState::kDropped;
  }
  queue_.clear();
  writer_idle_.Wake(Timer::WaitResult::kWoken);
  batch_taken_.Wake(Timer::WaitResult::kWoken);
  deadline_timer_->Cancel();
  slots_.NotifyAll();
  if (on_close_) {
    auto fn = std::move(on_close_);
    on_close_ = nullptr;
    fn();
  }
}

void Connection::Enqueue(OutFrame frame) {
  if (closed_) {
    if (frame.call) frame.call->write_state = PendingCall::WriteState::kDropped;
    return;
  }
  queue_.push_back(std::move(frame));
  writer_idle_.Wake(Timer::WaitResult::kWoken);
}

Task<Status> Connection::AwaitSlot(Nanos deadline) {
  while (!closed_ && pending_.size() >= options_.max_inflight_calls) {
    Timer::WaitResult r = co_await slots_.Wait(deadline);
    if (r == Timer::WaitResult::kAborted)
      co_return Status(StatusCode::kCancelled, "call cancelled");
    if (r == Timer::WaitResult::kExpired) {
      co_return Status(StatusCode::kDeadlineExceeded,
                       fmt::format("no call slot free on the connection to {} in time", peer_));
    }
  }
  if (closed_) {
    co_return Unavailable(
        fmt::format("connection to {} is closed: {}", peer_, close_reason_.message()));
  }
  co_return Status();
}

Task<Result<RawResponse>> Connection::Call(uint16_t service, uint16_t method, std::string body,
                                           CallOptions options, Nanos deadline) {
  // Cancellation is reported as kCancelled, after this call's buffers are released.
  co_await asio::this_coro::throw_if_cancelled(false);
  auto self = shared_from_this();
  Nanos timeout = options.timeout.count() > 0 ? options.timeout : options_.call_timeout();
  if (body.size() > options_.max_body_bytes ||
      options.request_bulk.size() > options_.max_bulk_bytes) {
    co_return Status(StatusCode::kTooLarge,
                     fmt::format("request of {} + {} bulk bytes exceeds the frame limits",
                                 body.size(), options.request_bulk.size()));
  }
  if (closed_ || pending_.size() >= options_.max_inflight_calls) {
    CO_RETURN_IF_ERROR(co_await AwaitSlot(deadline));
  }

  auto call = std::make_shared<PendingCall>();
  if (!options.response_bulk_parts.empty()) {
    call->response_bulk.assign(options.response_bulk_parts.begin(),
                               options.response_bulk_parts.end());
  } else if (!options.response_bulk.empty()) {
    call->response_bulk.push_back(options.response_bulk);
  }
  uint64_t id = next_request_id_++;
  pending_.emplace(id, call);
  WatchDeadline(deadline, id);
  OutFrame frame;
  FrameHeader h{.kind = FrameKind::kRequest,
                .service = service,
                .method = method,
                .request_id = id,
                .bulk_len = static_cast<uint32_t>(options.request_bulk.size())};
  frame.body = std::move(body);
  frame.header = EncodeHeader(h, frame.body);
  frame.bulk = options.request_bulk;
  frame.call = call;
  Enqueue(std::move(frame));

  Timer::WaitResult r = Timer::WaitResult::kWoken;
  if (!call->done) r = co_await call->wake.Park();
  deadlines_.erase({deadline, id});
  if (!call->done) GiveUp(*call, id, r, service, method, timeout);
  if (call->write_state == PendingCall::WriteState::kWriting || call->reading_bulk) {
    co_await ReleaseBuffers(call);
  }
  if (slots_.waiters() > 0) slots_.NotifyAll();
  if (!call->status.ok()) co_return call->status;
  if (options.response_bulk_len) *options.response_bulk_len = call->response.bulk_len;
  co_return std::move(call->response);
}

void Connection::GiveUp(PendingCall& call, uint64_t id, Timer::WaitResult why, uint16_t service,
                        uint16_t method, Nanos timeout) {
  pending_.erase(id);
  call.done = true;
  call.status = why == Timer::WaitResult::kAborted
                    ? Status(StatusCode::kCancelled,
                             fmt::format("call {}.{} to {} cancelled", service, method, peer_))
                    : Status(StatusCode::kDeadlineExceeded,
                             fmt::format("call {}.{} to {} timed out after {} ms", service, method,
                                         peer_, timeout.count() / 1'000'000));
  if (call.write_state == PendingCall::WriteState::kQueued) {
    call.write_state = PendingCall::WriteState::kDropped;
  }
  if (call.write_state == PendingCall::WriteState::kWriting || call.reading_bulk) {
    // The stream holds this call's memory and nothing can take it back but closing.
    Close(Unavailable("a call gave up while its bulk data was in transfer"));
  }
}

void Connection::WatchDeadline(Nanos deadline, uint64_t id) {
  deadlines_.emplace(deadline, id);
  if (deadline < deadline_armed_) deadline_timer_->Cancel();
}

Task<void> Connection::DeadlineLoop(std::shared_ptr<Connection> self) {
  while (!self->closed_) {
    self->deadline_armed_ = self->deadlines_.empty() ? kNever : self->deadlines_.begin()->first;
    self->deadline_timer_->ExpiresAt(self->deadline_armed_);
    co_await self->deadline_timer_->Wait();
    Nanos now = self->rt_.clock().Now();
    while (!self->deadlines_.empty() && self->deadlines_.begin()->first <= now) {
      uint64_t id = self->deadlines_.begin()->second;
      self->deadlines_.erase(self->deadlines_.begin());
      auto it = self->pending_.find(id);
      if (it != self->pending_.end()) it->second->wake.Wake(Timer::WaitResult::kExpired);
    }
  }
}

Task<void> Connection::ReleaseBuffers(std::shared_ptr<PendingCall> call) {
  while (call->write_state == PendingCall::WriteState::kWriting || call->reading_bulk) {
    call->wait_release = true;
    co_await call->wake.Park();
  }
}

Task<void> Connection::WriterLoop(std::shared_ptr<Connection> self) {
  std::vector<OutFrame> batch;
  std::vector<std::span<const char>> pieces;
  const RpcOptions& opt = self->options_;
  while (!self->closed_) {
    if (self->queue_.empty()) {
      co_await self->writer_idle_.Park();
      continue;
    }
    size_t bytes = 0;
    while (!self->queue_.empty() && batch.size() < opt.max_batch_frames &&
           (batch.empty() || bytes < opt.max_batch_bytes)) {
      OutFrame f = std::move(self->queue_.front());
      self->queue_.pop_front();
      if (f.call) {
        if (f.call->write_state == PendingCall::WriteState::kDropped) continue;
        f.call->write_state = PendingCall::WriteState::kWriting;
      }
      bytes += kFrameHeaderBytes + f.body.size() + f.bulk.size();
      batch.push_back(std::move(f));
    }
    for (const OutFrame& f : batch) {
      pieces.emplace_back(f.header);
      if (!f.body.empty()) pieces.emplace_back(f.body);
      if (!f.bulk.empty()) pieces.push_back(f.bulk);
    }
    self->batch_taken_.Wake(Timer::WaitResult::kWoken);
    self->writing_ = true;
    Status st;
    if (!pieces.empty()) st = co_await self->stream_->WriteAll(pieces);
    self->writing_ = false;
    for (OutFrame& f : batch) {
      if (!f.call) continue;
      f.call->write_state = PendingCall::WriteState::kWritten;
      if (f.call->wait_release) f.call->wake.Wake(Timer::WaitResult::kWoken);
    }
    batch.clear();
    pieces.clear();
    if (!st.ok()) {
      self->Close(st);
      break;
    }
  }
}

// Before the reader asks the socket for more, the frames that answer what it just read leave
// first: handlers that finish at once get to queue their responses, and the writer takes them.
// Requests that arrive meanwhile then come in one read and leave in one write, which on a busy
// connection halves the system calls per request. The reader never waits for a write in
// progress (which may be blocked on the peer), only for the writer to take its queue.
Task<void> Connection::LetWriterGoFirst() {
  // Two turns: a spawned handler starts one turn after it is spawned.
  auto ex = co_await asio::this_coro::executor;
  co_await asio::post(ex, asio::use_awaitable);
  co_await asio::post(ex, asio::use_awaitable);
  if (!closed_ && !writing_ && !queue_.empty()) co_await batch_taken_.Park();
}

Task<void> Connection::ReaderLoop(std::shared_ptr<Connection> self) {
  Reader in(*self->stream_, self->options_.read_buffer_bytes, *self);
  while (!self->closed_) {
    Status st = co_await self->ReadFrame(in);
    if (st.ok()) continue;
    if (!self->closed_) {
      if (st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kCancelled) {
        LOG_DEBUG("connection with {} ended: {}", self->peer_, st.ToString());
      } else {
        LOG_ERROR("closing connection with {}: {}", self->peer_, st.ToString());
      }
      self->Close(st);
    }
    break;
  }
}

Task<Status> Connection::ReadFrame(Reader& in) {
  HeaderBytes bytes;
  CO_RETURN_IF_ERROR(co_await in.ReadExact(bytes));
  Result<FrameHeader> h = DecodeHeader(bytes, options_.limits());
  if (!h.ok()) co_return h.status();
  std::string body(h->body_len, '\0');
  CO_RETURN_IF_ERROR(co_await in.ReadExact(body));
  CO_RETURN_IF_ERROR(VerifyFrameCrc(*h, bytes, body));
  FrameKind expected = role_ == Role::kClient ? FrameKind::kResponse : FrameKind::kRequest;
  if (h->kind != expected) {
    co_return ProtocolError(fmt::format("unexpected frame kind {}", static_cast<int>(h->kind)));
  }
  if (role_ == Role::kClient) co_return co_await HandleResponse(in, *h, std::move(body));
  co_return co_await HandleRequest(in, *h, std::move(body));
}

Task<Status> Connection::HandleResponse(Reader& in, FrameHeader h, std::string body) {
  auto it = pending_.find(h.request_id);
  std::shared_ptr<PendingCall> call = it == pending_.end() ? nullptr : it->second;
  Status bulk_status;
  if (h.bulk_len > 0) {
    size_t room = 0;
    if (call) {
      for (std::span<char> part : call->response_bulk) room += part.size();
    }
    if (call && room >= h.bulk_len) {
      call->reading_bulk = true;
      Status st;
      size_t left = h.bulk_len;
      for (size_t i = 0; i < call->response_bulk.size() && left > 0 && st.ok(); ++i) {
        std::span<char> part = call->response_bulk[i];
        size_t n = std::min(left, part.size());
        st = co_await in.ReadExact(part.first(n));
        left -= n;
      }
      call->reading_bulk = false;
      if (call->wait_release) call->wake.Wake(Timer::WaitResult::kWoken);
      CO_RETURN_IF_ERROR(st);
    } else {
      if (call) {
        bulk_status = Status(
            StatusCode::kTooLarge,
            fmt::format("response bulk of {} bytes exceeds the {}-byte buffer", h.bulk_len, room));
      }
      CO_RETURN_IF_ERROR(co_await in.Skip(h.bulk_len));
    }
  }
  if (!call || call->done) co_return Status();  // the caller gave up already
  pending_.erase(h.request_id);
  call->done = true;
  if (!bulk_status.ok()) {
    call->status = std::move(bulk_status);
  } else if (h.status != 0) {
    call->status = Status(static_cast<StatusCode>(h.status), std::move(body));
  } else {
    call->response.body = std::move(body);
    call->response.bulk_len = h.bulk_len;
  }
  call->wake.Wake(Timer::WaitResult::kWoken);
  co_return Status();
}

Task<Status> Connection::HandleRequest(Reader& in, FrameHeader h, std::string body) {
  PooledBuffer bulk;
  if (h.bulk_len > 0) {
    bulk = BufferPool::Default().Get(h.bulk_len);
    CO_RETURN_IF_ERROR(co_await in.ReadExact(bulk.first(h.bulk_len)));
  }
  while (!closed_ && handlers_ >= options_.max_concurrent_handlers) {
    co_await slots_.Wait(kNever);
  }
  if (closed_) co_return Unavailable("connection closed");
  ++handlers_;
  rt_.Spawn(Serve(shared_from_this(), h, std::move(body), std::move(bulk)), "rpc-serve");
  co_return Status();
}

Task<void> Connection::Serve(std::shared_ptr<Connection> self, FrameHeader h, std::string body,
                             PooledBuffer bulk) {
  CallContext ctx;
  ctx.peer = self->peer_;
  ctx.request_bulk = std::span<const char>(bulk.data(), h.bulk_len);
  Result<std::string> result = Internal("no result");
  try {
    result = co_await self->dispatcher_->Dispatch(h.service, h.method, std::move(body), ctx);
  } catch (const std::exception& e) {
    result = Internal(fmt::format("handler {} threw: {}",
                                  self->dispatcher_->MethodName(h.service, h.method), e.what()));
  }
  if (--self->handlers_ + 1 == self->options_.max_concurrent_handlers) self->slots_.NotifyAll();
  if (self->closed_) co_return;
  if (result.ok() && result->size() > self->options_.max_body_bytes) {
    result = Status(StatusCode::kTooLarge, "response exceeds rpc.max_body_bytes");
  }
  if (result.ok() && ctx.response_bulk_len > ctx.response_bulk.capacity()) {
    result = Internal("handler set a response bulk length beyond its buffer");
  }
  FrameHeader rh{.kind = FrameKind::kResponse,
                 .service = h.service,
                 .method = h.method,
                 .request_id = h.request_id};
  OutFrame f;
  if (result.ok()) {
    f.body = std::move(result).value();
    if (ctx.response_bulk_len > 0) {
      rh.bulk_len = static_cast<uint32_t>(ctx.response_bulk_len);
      f.bulk = ctx.response_bulk.first(ctx.response_bulk_len);
      f.owned_bulk = std::move(ctx.response_bulk);
    }
  } else {
    rh.status = static_cast<uint16_t>(result.status().code());
    f.body = std::string(result.status().message());
  }
  f.header = EncodeHeader(rh, f.body);
  self->Enqueue(std::move(f));
}

}  // namespace chainfs::rpc
