#pragma once

// Metadata servers on loopback and clients that call them, for tests and the benchmark.

#include <memory>
#include <string>
#include <vector>

#include "meta/server/meta_server.h"
#include "meta/service/meta_service.h"
#include "rpc/client.h"
#include "runtime/real/real_runtime.h"

namespace chainfs::meta {

inline constexpr char kTestSecret[] = "meta-test-secret";

// A config for a server on an ephemeral loopback port over `kv`.
inline MetaServerConfig TestServerConfig(kv::KvConfig kv) {
  MetaServerConfig c;
  c.listen = "127.0.0.1:0";
  c.secret = kTestSecret;
  c.chains = 8;
  c.kv = std::move(kv);
  return c;
}

// Clients on a worker thread of their own, each call made with a named request.
class MetaTestClient {
 public:
  MetaTestClient() : rt_(1) { rt_.RunSync(0, Make(rt_.worker(0), &pool_)); }
  ~MetaTestClient() { rt_.RunSync(0, Drop(&pool_)); }

  MetaService::Client Stub(const Address& server) {
    return MetaService::Client(rpc::Channel{pool_.get(), server});
  }
  Runtime& runtime() { return rt_.worker(0); }
  rpc::ClientPool& pool() { return *pool_; }
  template <typename T>
  T Run(Task<T> task) {
    return rt_.RunSync(0, std::move(task));
  }

 private:
  static Task<void> Make(Runtime& rt, std::unique_ptr<rpc::ClientPool>* pool) {
    *pool = std::make_unique<rpc::ClientPool>(rt, rpc::RpcOptions{}, kTestSecret, "meta-test");
    co_return;
  }
  static Task<void> Drop(std::unique_ptr<rpc::ClientPool>* pool) {
    pool->reset();
    co_return;
  }

  RealRuntime rt_;
  std::unique_ptr<rpc::ClientPool> pool_;
};

}  // namespace chainfs::meta
