#pragma once

#include <set>
#include <vector>

#include "meta/service/meta_service.h"
#include "rpc/client.h"
#include "runtime/runtime.h"

namespace chainfs::client {

struct MetaClientOptions {
  // How long a call keeps trying while no metadata server answers (one is restarting).
  Nanos give_up_after{60'000'000'000};
  Nanos pause{200'000'000};
};

// Calls any metadata server: on kUnavailable or kDeadlineExceeded it tries the next address,
// and when none answers it pauses and goes round again until `give_up_after`. The servers are
// stateless over a shared store, so any of them serves any call. A call whose answer was lost
// may have taken effect before it is sent again: requests with a `tag` (mkdir, unlink, rename
// and the other mutations that cannot simply be done twice) are numbered within the client
// session, and the servers answer a number they have seen with the answer they stored
// (meta/ops/idempotent.h). Belongs to the pool's thread.
class MetaClient {
 public:
  MetaClient(Runtime& rt, rpc::ClientPool& pool, std::vector<Address> addresses,
             MetaClientOptions options = {});

  //   Result<meta::AttrRsp> r = co_await meta.Call(&meta::MetaService::Client::GetAttr, req);
  template <typename Rsp, typename Req>
  Task<Result<Rsp>> Call(Task<Result<Rsp>> (meta::MetaService::Client::*method)(Req,
                                                                                rpc::CallOptions),
                         Req req) {
    InFlight numbered(*this);
    if constexpr (requires { req.tag; }) numbered.Tag(req.tag);
    Nanos give_up = rt_.clock().Now() + options_.give_up_after;
    Status last;
    for (;;) {
      for (size_t tries = 0; tries < addresses_.size(); ++tries) {
        size_t at = current_ % addresses_.size();
        meta::MetaService::Client stub(rpc::Channel{&pool_, addresses_[at]});
        rpc::CallOptions options;
        Result<Rsp> rsp = co_await (stub.*method)(req, options);
        if (rsp.ok() || !TryAnother(rsp.status().code())) {
          numbered.Answered(rsp.ok());
          co_return rsp;
        }
        last = rsp.status();
        current_ = at + 1;
      }
      if (addresses_.empty() || rt_.clock().Now() >= give_up) break;
      co_await rt_.clock().Sleep(options_.pause);
    }
    if (addresses_.empty()) co_return InvalidArgument("no metadata server address configured");
    co_return last;
  }

  // The client session tagged requests are numbered in (0: none, requests go untagged).
  void set_session(uint64_t session) { session_ = session; }
  // Tagged requests sent and not yet answered.
  size_t in_flight() const { return in_flight_.size(); }

 private:
  // Stored answers are let go in batches of this many numbers.
  static constexpr uint64_t kForgetBatch = 256;

  // Numbers one call's request and keeps the number listed as in flight while it lives.
  class InFlight {
   public:
    explicit InFlight(MetaClient& client) : client_(client) {}
    InFlight(const InFlight&) = delete;
    InFlight& operator=(const InFlight&) = delete;
    ~InFlight();
    void Tag(meta::RequestTag& tag);
    void Answered(bool ok);

   private:
    MetaClient& client_;
    meta::RequestTag* tag_ = nullptr;
  };

  static bool TryAnother(StatusCode code) {
    return code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded;
  }

  Runtime& rt_;
  rpc::ClientPool& pool_;
  std::vector<Address> addresses_;
  MetaClientOptions options_;
  size_t current_ = 0;
  uint64_t session_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t forgotten_ = 1;  // the servers were told to let go of the answers below this
  std::set<uint64_t> in_flight_;
};

}  // namespace chainfs::client
