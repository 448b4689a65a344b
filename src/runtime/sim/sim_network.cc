#include "runtime/sim/sim_network.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <vector>

#include "common/check.h"
#include "runtime/wait_slot.h"

namespace chainfs {

namespace {

// One direction of a connection: bytes delivered and not yet read.
struct Pipe {
  std::deque<char> data;
  bool eof = false;    // the writer closed; reads drain `data`, then fail
  bool reset = false;  // broken; reads fail at once
  std::string reset_reason;
  WaitSlot reader;
  Nanos last_delivery{0};
};

}  // namespace

// Both directions of one connection. Pipe 0 carries client-to-server bytes.
struct SimNetwork::Link {
  uint64_t id = 0;
  std::string node[2];  // [0] client node, [1] server node
  Pipe pipe[2];
  bool closed[2] = {false, false};
};

class SimNetwork::Impl {
 public:
  std::map<std::string, class SimListener*> listeners;  // "node:port"
  std::vector<std::weak_ptr<Link>> links;
  uint64_t next_link = 1;
  std::map<std::string, uint16_t> next_port;
};

class SimStream : public Stream {
 public:
  SimStream(SimNetwork& net, std::shared_ptr<SimNetwork::Link> link, int side)
      : net_(net), link_(std::move(link)), side_(side) {}
  ~SimStream() override { Close(); }

  Task<Result<size_t>> ReadSome(std::span<char> out) override {
    Pipe& in = link_->pipe[1 - side_];
    while (in.data.empty()) {
      if (in.reset) co_return Unavailable(in.reset_reason);
      if (in.eof || link_->closed[side_]) {
        co_return Unavailable(fmt::format("{} closed the connection", PeerName()));
      }
      if (co_await in.reader.Park() == Timer::WaitResult::kAborted) {
        co_return Status(StatusCode::kCancelled, "read cancelled");
      }
    }
    size_t n = std::min(out.size(), in.data.size());
    std::copy_n(in.data.begin(), n, out.begin());
    in.data.erase(in.data.begin(), in.data.begin() + static_cast<long>(n));
    co_return n;
  }

  Task<Status> WriteAll(std::span<const std::span<const char>> pieces) override {
    Pipe& out = link_->pipe[side_];
    if (link_->closed[side_] || out.reset) {
      co_return Unavailable(fmt::format("write to {}: connection closed", PeerName()));
    }
    ++net_.write_calls_;
    std::string bytes;
    for (auto p : pieces) bytes.append(p.data(), p.size());
    Deliver(std::move(bytes));
    co_return Status();
  }

  void Close() override {
    if (link_->closed[side_]) return;
    link_->closed[side_] = true;
    link_->pipe[1 - side_].reader.Wake(Timer::WaitResult::kWoken);
    SendFin();
  }

  std::string PeerName() const override { return link_->node[1 - side_]; }

 private:
  Nanos DeliveryTime(Pipe& out) {
    auto& opt = net_.options_;
    Nanos latency = opt.min_latency;
    if (opt.max_latency > opt.min_latency) {
      latency += Nanos(net_.world_.random().Uniform(
          static_cast<uint64_t>((opt.max_latency - opt.min_latency).count()) + 1));
    }
    // In order within a stream, as TCP.
    out.last_delivery = std::max(net_.world_.now() + latency, out.last_delivery);
    return out.last_delivery;
  }

  void Deliver(std::string bytes) {
    Pipe& out = link_->pipe[side_];
    bool lost = net_.world_.random().OneIn(net_.options_.loss_probability);
    std::weak_ptr<SimNetwork::Link> weak = link_;
    SimNetwork* net = &net_;
    int side = side_;
    net_.world_.Schedule(DeliveryTime(out), [net, weak, side, lost, bytes = std::move(bytes)] {
      auto link = weak.lock();
      if (!link) return;
      Pipe& pipe = link->pipe[side];
      if (pipe.reset) return;
      const std::string& from = link->node[side];
      const std::string& to = link->node[1 - side];
      if (lost || net->Partitioned(from, to)) {
        net->world_.Trace(fmt::format("net reset link={} {}->{} ({})", link->id, from, to,
                                      lost ? "loss" : "partition"));
        ResetLink(*link, fmt::format("connection {}<->{} reset", from, to));
        return;
      }
      net->world_.Trace(
          fmt::format("net deliver link={} {}->{} {}B", link->id, from, to, bytes.size()));
      pipe.data.insert(pipe.data.end(), bytes.begin(), bytes.end());
      pipe.reader.Wake(Timer::WaitResult::kWoken);
    });
  }

  void SendFin() {
    std::weak_ptr<SimNetwork::Link> weak = link_;
    int side = side_;
    net_.world_.Schedule(DeliveryTime(link_->pipe[side_]), [weak, side] {
      auto link = weak.lock();
      if (!link) return;
      link->pipe[side].eof = true;
      link->pipe[side].reader.Wake(Timer::WaitResult::kWoken);
    });
  }

 public:
  static void ResetLink(SimNetwork::Link& link, const std::string& reason) {
    for (Pipe& p : link.pipe) {
      p.reset = true;
      p.reset_reason = reason;
      p.data.clear();
      p.reader.Wake(Timer::WaitResult::kWoken);
    }
  }

 private:
  SimNetwork& net_;
  std::shared_ptr<SimNetwork::Link> link_;
  int side_;
};

class SimListener : public Listener {
 public:
  SimListener(SimNetwork& net, Address local) : net_(net), local_(std::move(local)) {
    net_.impl_->listeners[local_.ToString()] = this;
  }
  ~SimListener() override { Close(); }

  Task<Result<std::unique_ptr<Stream>>> Accept() override {
    while (queue_.empty()) {
      if (closed_) co_return Unavailable(fmt::format("listener {} closed", local_.ToString()));
      if (co_await waiter_.Park() == Timer::WaitResult::kAborted) {
        co_return Status(StatusCode::kCancelled, "accept cancelled");
      }
    }
    std::unique_ptr<Stream> s = std::move(queue_.front());
    queue_.pop_front();
    co_return s;
  }

  Address LocalAddress() const override { return local_; }

  void Close() override {
    if (closed_) return;
    closed_ = true;
    net_.impl_->listeners.erase(local_.ToString());
    queue_.clear();
    waiter_.Wake(Timer::WaitResult::kWoken);
  }

  void Push(std::unique_ptr<Stream> s) {
    queue_.push_back(std::move(s));
    waiter_.Wake(Timer::WaitResult::kWoken);
  }

 private:
  SimNetwork& net_;
  Address local_;
  bool closed_ = false;
  std::deque<std::unique_ptr<Stream>> queue_;
  WaitSlot waiter_;
};

class SimNodeNetwork : public Network {
 public:
  SimNodeNetwork(SimNetwork& net, std::string node) : net_(net), node_(std::move(node)) {}

  Result<std::unique_ptr<Listener>> Listen(const Address& address) override {
    if (address.host != node_) {
      return InvalidArgument(fmt::format("node {} cannot listen on {}", node_, address.ToString()));
    }
    Address local = address;
    if (local.port == 0) {
      uint16_t& next = net_.impl_->next_port[node_];
      if (next == 0) next = 20000;
      local.port = next++;
    }
    if (net_.impl_->listeners.count(local.ToString())) {
      return Unavailable(fmt::format("listen on {}: address in use", local.ToString()));
    }
    return std::unique_ptr<Listener>(std::make_unique<SimListener>(net_, local));
  }

  Task<Result<std::unique_ptr<Stream>>> Connect(Address address) override;

 private:
  SimNetwork& net_;
  std::string node_;
};

Task<Result<std::unique_ptr<Stream>>> SimNodeNetwork::Connect(Address address) {
  SimWorld& world = net_.world_;
  SimClock clock(world);
  std::string target = address.ToString();
  if (net_.Partitioned(node_, address.host)) {
    world.Trace(fmt::format("net connect {}->{} partitioned", node_, target));
    co_await clock.Sleep(net_.options_.connect_timeout);
    co_return Unavailable(fmt::format("connect to {}: timed out", target));
  }
  co_await clock.Sleep(net_.options_.min_latency * 2);
  auto it = net_.impl_->listeners.find(target);
  if (it == net_.impl_->listeners.end() || net_.Partitioned(node_, address.host)) {
    world.Trace(fmt::format("net connect {}->{} refused", node_, target));
    co_return Unavailable(fmt::format("connect to {}: connection refused", target));
  }
  auto link = std::make_shared<SimNetwork::Link>();
  link->id = net_.impl_->next_link++;
  link->node[0] = node_;
  link->node[1] = address.host;
  net_.impl_->links.push_back(link);
  world.Trace(fmt::format("net connect {}->{} link={}", node_, target, link->id));
  it->second->Push(std::make_unique<SimStream>(net_, link, 1));
  co_return std::unique_ptr<Stream>(std::make_unique<SimStream>(net_, link, 0));
}

SimNetwork::SimNetwork(SimWorld& world, SimNetworkOptions options)
    : impl_(std::make_unique<Impl>()), world_(world), options_(options) {}

SimNetwork::~SimNetwork() = default;

std::unique_ptr<Network> SimNetwork::ForNode(std::string node) {
  return std::make_unique<SimNodeNetwork>(*this, std::move(node));
}

void SimNetwork::Partition(const std::string& a, const std::string& b) {
  partitions_.insert(std::minmax(a, b));
  world_.Trace(fmt::format("net partition {} {}", a, b));
}

void SimNetwork::Heal(const std::string& a, const std::string& b) {
  partitions_.erase(std::minmax(a, b));
  world_.Trace(fmt::format("net heal {} {}", a, b));
}

void SimNetwork::HealAll() {
  partitions_.clear();
  world_.Trace("net heal all");
}

bool SimNetwork::Partitioned(const std::string& a, const std::string& b) const {
  return partitions_.count(std::minmax(a, b)) > 0;
}

void SimNetwork::KillNode(const std::string& node) {
  world_.Trace(fmt::format("net kill {}", node));
  std::vector<SimListener*> doomed;
  for (auto& [addr, listener] : impl_->listeners) {
    if (addr.substr(0, addr.rfind(':')) == node) doomed.push_back(listener);
  }
  for (SimListener* l : doomed) l->Close();
  std::erase_if(impl_->links, [](const std::weak_ptr<Link>& w) { return w.expired(); });
  for (auto& weak : impl_->links) {
    auto link = weak.lock();
    if (link && (link->node[0] == node || link->node[1] == node)) {
      SimStream::ResetLink(*link, fmt::format("node {} crashed", node));
    }
  }
}

}  // namespace chainfs
