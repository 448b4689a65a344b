#include "rpc/server.h"

#include <fmt/format.h>

#include <set>
#include <vector>

#include "common/logging.h"
#include "rpc/auth.h"
#include "rpc/connection.h"
#include "rpc/deadline.h"

namespace chainfs::rpc {

struct Server::State {
  State(Runtime& r, RpcOptions o, std::string s) : rt(r), options(o), secret(std::move(s)) {}
  Runtime& rt;
  RpcOptions options;
  std::string secret;
  Dispatcher dispatcher;
  std::vector<std::shared_ptr<Listener>> listeners;  // TCP, and the local one beside it
  Address address;
  bool stopped = false;
  Status last_refusal;
  std::set<std::shared_ptr<Connection>> connections;
};

Server::Server(Runtime& rt, RpcOptions options, std::string secret)
    : state_(std::make_shared<State>(rt, options, std::move(secret))) {}

Server::~Server() { Stop(); }

Dispatcher& Server::dispatcher() { return state_->dispatcher; }

Address Server::address() const { return state_->address; }

size_t Server::connections() const { return state_->connections.size(); }

Status Server::last_refusal() const { return state_->last_refusal; }

Status Server::Start(const Address& address) {
  Result<std::unique_ptr<Listener>> listener = state_->rt.network().Listen(address);
  if (!listener.ok()) return listener.status();
  state_->address = (*listener)->LocalAddress();
  state_->listeners.push_back(std::move(*listener));
  // Peers on this machine come in faster the local way. Its name taken by another process is
  // refused like a taken port: peers would connect there first.
  Result<std::unique_ptr<Listener>> local = state_->rt.network().ListenLocal(state_->address);
  if (!local.ok()) {
    state_->listeners.front()->Close();
    state_->listeners.clear();
    return local.status();
  }
  if (*local) state_->listeners.push_back(std::move(*local));
  for (const std::shared_ptr<Listener>& l : state_->listeners) {
    state_->rt.Spawn(AcceptLoop(state_, l), "rpc-accept");
  }
  return Status();
}

void Server::Stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  for (const std::shared_ptr<Listener>& l : state_->listeners) l->Close();
  auto connections = std::move(state_->connections);
  for (const auto& c : connections) c->Close(Unavailable("server stopped"));
}

Task<void> Server::AcceptLoop(std::shared_ptr<State> state, std::shared_ptr<Listener> listener) {
  while (!state->stopped) {
    Result<std::unique_ptr<Stream>> stream = co_await listener->Accept();
    if (!stream.ok()) {
      if (!state->stopped)
        LOG_ERROR("accept on {}: {}", state->address.ToString(), stream.status().ToString());
      co_return;
    }
    state->rt.Spawn(Admit(state, std::move(*stream)), "rpc-admit");
  }
}

namespace {
Task<Result<std::string>> Handshake(Stream& stream, Runtime& rt, std::string secret,
                                    FrameLimits limits) {
  return ServerHandshake(stream, rt, std::move(secret), limits);
}
}  // namespace

Task<void> Server::Admit(std::shared_ptr<State> state, std::unique_ptr<Stream> stream) {
  std::string peer = stream->PeerName();
  Result<std::string> client =
      co_await WithTimeout(state->rt.clock(), state->options.connect_timeout(),
                           Handshake(*stream, state->rt, state->secret, state->options.limits()),
                           "authentication of " + peer);
  if (!client.ok()) {
    LOG_WARN("refused connection from {}: {}", peer, client.status().ToString());
    state->last_refusal = client.status();
    stream->Close();
    co_return;
  }
  if (state->stopped) co_return;
  auto conn = std::make_shared<Connection>(state->rt, std::move(stream), state->options,
                                           Connection::Role::kServer, &state->dispatcher);
  state->connections.insert(conn);
  std::weak_ptr<State> weak_state = state;
  Connection* raw = conn.get();
  conn->Start([weak_state, raw] {
    auto s = weak_state.lock();
    if (!s) return;
    for (auto it = s->connections.begin(); it != s->connections.end(); ++it) {
      if (it->get() == raw) {
        s->connections.erase(it);
        break;
      }
    }
  });
}

}  // namespace chainfs::rpc
