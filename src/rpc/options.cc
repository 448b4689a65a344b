#include "rpc/options.h"

namespace chainfs::rpc {

void RpcOptions::Bind(ConfigBinder& b) {
  b.Int("rpc.max_body_bytes", &max_body_bytes, 4096, 256 << 20);
  b.Int("rpc.max_bulk_bytes", &max_bulk_bytes, 4096, int64_t{1} << 30);
  b.Int("rpc.max_inflight_calls", &max_inflight_calls, 1, 1 << 20);
  b.Int("rpc.max_concurrent_handlers", &max_concurrent_handlers, 1, 1 << 20);
  b.Int("rpc.max_batch_frames", &max_batch_frames, 1, 1024);
  b.Int("rpc.max_batch_bytes", &max_batch_bytes, 4096, 256 << 20);
  b.Int("rpc.read_buffer_bytes", &read_buffer_bytes, 4096, 16 << 20);
  b.Int("rpc.call_timeout_ms", &call_timeout_ms, 1, 3'600'000);
  b.Int("rpc.connect_timeout_ms", &connect_timeout_ms, 1, 600'000);
}

}  // namespace chainfs::rpc
