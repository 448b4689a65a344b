#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "common/result.h"

namespace chainfs::rpc {

enum class FrameKind : uint8_t {
  kRequest = 1,
  kResponse = 2,
  kHello = 3,      // client -> server: opens authentication
  kChallenge = 4,  // server -> client: its nonce and its proof
  kProof = 5,      // client -> server: the client's proof
  kAuthResult = 6  // server -> client: accepted, or refused with a message
};

inline constexpr uint32_t kFrameMagic = 0x53464843;  // "CHFS" little-endian
inline constexpr uint8_t kFrameVersion = 1;
inline constexpr size_t kFrameHeaderBytes = 36;

// Fixed header of every frame, followed by `body_len` bytes of body (a message, or an error
// text in a failed response) and `bulk_len` bytes of bulk payload. `crc` is the CRC32C of the
// first 32 header bytes and the body. Bulk bytes are not covered: chunk data carries its own
// end-to-end block checksums.
struct FrameHeader {
  FrameKind kind = FrameKind::kRequest;
  uint16_t flags = 0;
  uint16_t service = 0;
  uint16_t method = 0;
  uint16_t status = 0;  // a StatusCode, in responses
  uint64_t request_id = 0;
  uint32_t body_len = 0;
  uint32_t bulk_len = 0;
  uint32_t crc = 0;
};

struct FrameLimits {
  uint32_t max_body_bytes = 16u << 20;
  uint32_t max_bulk_bytes = 65u << 20;
};

using HeaderBytes = std::array<char, kFrameHeaderBytes>;

// Writes the header with the CRC of it and `body`.
HeaderBytes EncodeHeader(FrameHeader header, std::span<const char> body);

// Checks magic, version, kind, status code and lengths against `limits` (before anything is
// allocated for the body); kProtocolError or kTooLarge name what is wrong.
Result<FrameHeader> DecodeHeader(std::span<const char, kFrameHeaderBytes> bytes,
                                 const FrameLimits& limits);

// kCorruption unless header.crc matches the header bytes and the body.
Status VerifyFrameCrc(const FrameHeader& header, std::span<const char, kFrameHeaderBytes> bytes,
                      std::span<const char> body);

}  // namespace chainfs::rpc
