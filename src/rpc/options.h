#pragma once

#include <cstdint>
#include <string>

#include "common/config.h"
#include "rpc/wire/frame.h"
#include "runtime/clock.h"

namespace chainfs::rpc {

// Limits and timeouts of the RPC layer; every queue and window here is bounded.
struct RpcOptions {
  uint32_t max_body_bytes = 16u << 20;
  uint32_t max_bulk_bytes = 65u << 20;
  // Calls in flight on one client connection; more wait for a slot.
  uint32_t max_inflight_calls = 4096;
  // Requests one server connection runs at once; beyond it the server stops reading.
  uint32_t max_concurrent_handlers = 1024;
  // Frames and bytes merged into one gather write.
  uint32_t max_batch_frames = 256;
  uint32_t max_batch_bytes = 4u << 20;
  uint32_t read_buffer_bytes = 64u << 10;
  int64_t call_timeout_ms = 10'000;
  // Connecting and authenticating, together.
  int64_t connect_timeout_ms = 5'000;

  void Bind(ConfigBinder& b);
  FrameLimits limits() const { return {max_body_bytes, max_bulk_bytes}; }
  Nanos call_timeout() const { return Nanos(call_timeout_ms * 1'000'000); }
  Nanos connect_timeout() const { return Nanos(connect_timeout_ms * 1'000'000); }
};

}  // namespace chainfs::rpc
