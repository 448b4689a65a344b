#include "rpc/client.h"

#include <fmt/format.h>

#include <map>

#include "rpc/auth.h"
#include "rpc/connection.h"
#include "rpc/deadline.h"
#include "runtime/notifier.h"

namespace chainfs::rpc {

namespace {

struct Entry {
  explicit Entry(Clock& clock) : ready(clock) {}
  std::shared_ptr<Connection> conn;
  bool connecting = false;
  Notifier ready;
};

Task<Result<std::shared_ptr<Connection>>> Dial(Runtime& rt, Address to, RpcOptions options,
                                               std::string secret, std::string name) {
  Result<std::unique_ptr<Stream>> stream = co_await rt.network().Connect(to);
  if (!stream.ok()) co_return stream.status();
  Status st = co_await ClientHandshake(**stream, rt, secret, name, options.limits());
  if (!st.ok()) {
    (*stream)->Close();
    co_return st;
  }
  auto conn = std::make_shared<Connection>(rt, std::move(*stream), options,
                                           Connection::Role::kClient, nullptr);
  conn->Start();
  co_return conn;
}

}  // namespace

struct ClientPool::State {
  State(Runtime& r, RpcOptions o, std::string s, std::string n)
      : rt(r), options(o), secret(std::move(s)), name(std::move(n)) {}
  Runtime& rt;
  RpcOptions options;
  std::string secret;
  std::string name;
  std::map<Address, std::shared_ptr<Entry>> entries;
};

ClientPool::ClientPool(Runtime& rt, RpcOptions options, std::string secret, std::string name)
    : state_(std::make_shared<State>(rt, options, std::move(secret), std::move(name))) {}

ClientPool::~ClientPool() { CloseAll(); }

void ClientPool::CloseAll() {
  for (auto& [addr, entry] : state_->entries) {
    if (entry->conn) entry->conn->Close(Unavailable("client pool closed"));
  }
}

size_t ClientPool::open_connections() const {
  size_t n = 0;
  for (auto& [addr, entry] : state_->entries) n += entry->conn && !entry->conn->closed();
  return n;
}

Task<Result<std::shared_ptr<Connection>>> ClientPool::Connect(Address to, Nanos deadline) {
  return Acquire(state_, std::move(to), deadline);
}

Task<Result<std::shared_ptr<Connection>>> ClientPool::Acquire(std::shared_ptr<State> state,
                                                              Address to, Nanos deadline) {
  auto& slot = state->entries[to];
  if (!slot) slot = std::make_shared<Entry>(state->rt.clock());
  std::shared_ptr<Entry> entry = slot;
  Clock& clock = state->rt.clock();
  while (true) {
    if (entry->conn && !entry->conn->closed()) co_return entry->conn;
    if (!entry->connecting) break;
    Timer::WaitResult r = co_await entry->ready.Wait(deadline);
    if (r == Timer::WaitResult::kAborted) co_return Status(StatusCode::kCancelled, "cancelled");
    if (r == Timer::WaitResult::kExpired) {
      co_return Status(StatusCode::kDeadlineExceeded,
                       fmt::format("connect to {}: no answer in time", to.ToString()));
    }
  }
  entry->connecting = true;
  Nanos timeout = std::min(deadline - clock.Now(), state->options.connect_timeout());
  Result<std::shared_ptr<Connection>> conn = co_await WithTimeout(
      clock, timeout, Dial(state->rt, to, state->options, state->secret, state->name),
      "connect to " + to.ToString());
  entry->connecting = false;
  entry->ready.NotifyAll();
  if (!conn.ok()) co_return conn.status();
  entry->conn = *conn;
  co_return *conn;
}

Task<Result<RawResponse>> ClientPool::CallRaw(Address to, uint16_t service, uint16_t method,
                                              std::string body, CallOptions options) {
  return DoCall(state_, std::move(to), service, method, std::move(body), options);
}

Task<Result<RawResponse>> ClientPool::DoCall(std::shared_ptr<State> state, Address to,
                                             uint16_t service, uint16_t method, std::string body,
                                             CallOptions options) {
  Clock& clock = state->rt.clock();
  Nanos timeout = options.timeout.count() > 0 ? options.timeout : state->options.call_timeout();
  Nanos deadline = clock.Now() + timeout;
  std::shared_ptr<Connection> conn;
  if (auto it = state->entries.find(to);
      it != state->entries.end() && it->second->conn && !it->second->conn->closed()) {
    conn = it->second->conn;
  } else {
    Result<std::shared_ptr<Connection>> opened = co_await Acquire(state, to, deadline);
    if (!opened.ok()) co_return opened.status();
    conn = std::move(*opened);
  }
  options.timeout = timeout;
  co_return co_await conn->Call(service, method, std::move(body), options, deadline);
}

}  // namespace chainfs::rpc
