#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "common/buffer_pool.h"
#include "runtime/clock.h"

namespace chainfs::rpc {

// Per-call options on the client side.
struct CallOptions {
  // 0 means the pool's default (rpc.call_timeout_ms).
  Nanos timeout{0};
  // Sent after the request body, straight from this memory; it must stay valid until the
  // call returns.
  std::span<const char> request_bulk;
  // The response's bulk payload is read straight into this memory. A larger payload fails the
  // call with kTooLarge.
  std::span<char> response_bulk;
  // When not empty, used instead of `response_bulk`: the payload fills these pieces of memory
  // one after another (they must outlive the call, as must the list).
  std::span<const std::span<char>> response_bulk_parts;
  // If set, receives the number of bulk bytes the response carried.
  size_t* response_bulk_len = nullptr;
};

// What a server handler sees of its call besides the request message.
struct CallContext {
  std::string peer;
  // The request's bulk payload; valid until the handler returns.
  std::span<const char> request_bulk;
  // A handler that answers with bulk data fills this buffer and sets its length.
  PooledBuffer response_bulk;
  size_t response_bulk_len = 0;
};

// A response as it arrives, before decoding.
struct RawResponse {
  std::string body;
  size_t bulk_len = 0;
};

}  // namespace chainfs::rpc
