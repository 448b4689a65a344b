#pragma once

#include <string>

#include "rpc/wire/frame.h"
#include "runtime/network.h"

namespace chainfs::rpc {

// A whole frame without bulk, as used before a connection is authenticated.
struct Frame {
  FrameHeader header;
  std::string body;
};

// A frame of `kind` with no bulk; `status` is a StatusCode for results.
Task<Status> WriteFrame(Stream& stream, FrameKind kind, std::string body, uint16_t status = 0);
// Reads one frame; refuses bulk, oversized lengths and checksum mismatches.
Task<Result<Frame>> ReadFrame(Stream& stream, FrameLimits limits);

}  // namespace chainfs::rpc
