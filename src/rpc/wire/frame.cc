#include "rpc/wire/frame.h"

#include <fmt/format.h>

#include <cstring>

#include "common/crc32c.h"

namespace chainfs::rpc {
namespace {

constexpr size_t kCrcOffset = 32;

template <typename T>
void Put(char* p, size_t& off, T v) {
  std::memcpy(p + off, &v, sizeof(v));
  off += sizeof(v);
}

template <typename T>
T Get(const char* p, size_t& off) {
  T v;
  std::memcpy(&v, p + off, sizeof(v));
  off += sizeof(v);
  return v;
}

uint32_t FrameCrc(std::span<const char> header_bytes, std::span<const char> body) {
  return Crc32cExtend(Crc32c(header_bytes.first(kCrcOffset)), body);
}

}  // namespace

HeaderBytes EncodeHeader(FrameHeader h, std::span<const char> body) {
  HeaderBytes out{};
  size_t off = 0;
  Put<uint32_t>(out.data(), off, kFrameMagic);
  Put<uint8_t>(out.data(), off, kFrameVersion);
  Put<uint8_t>(out.data(), off, static_cast<uint8_t>(h.kind));
  Put<uint16_t>(out.data(), off, h.flags);
  Put<uint16_t>(out.data(), off, h.service);
  Put<uint16_t>(out.data(), off, h.method);
  Put<uint16_t>(out.data(), off, h.status);
  Put<uint16_t>(out.data(), off, 0);
  Put<uint64_t>(out.data(), off, h.request_id);
  Put<uint32_t>(out.data(), off, static_cast<uint32_t>(body.size()));
  Put<uint32_t>(out.data(), off, h.bulk_len);
  Put<uint32_t>(out.data(), off, FrameCrc(out, body));
  return out;
}

Result<FrameHeader> DecodeHeader(std::span<const char, kFrameHeaderBytes> bytes,
                                 const FrameLimits& limits) {
  const char* p = bytes.data();
  size_t off = 0;
  uint32_t magic = Get<uint32_t>(p, off);
  if (magic != kFrameMagic) {
    return ProtocolError(fmt::format("bad frame magic {:#010x} (not a chainfs peer?)", magic));
  }
  uint8_t version = Get<uint8_t>(p, off);
  if (version != kFrameVersion) {
    return ProtocolError(fmt::format("unsupported frame version {}", version));
  }
  uint8_t kind = Get<uint8_t>(p, off);
  if (kind < 1 || kind > 6) return ProtocolError(fmt::format("unknown frame kind {}", kind));
  FrameHeader h;
  h.kind = static_cast<FrameKind>(kind);
  h.flags = Get<uint16_t>(p, off);
  h.service = Get<uint16_t>(p, off);
  h.method = Get<uint16_t>(p, off);
  h.status = Get<uint16_t>(p, off);
  off += 2;
  h.request_id = Get<uint64_t>(p, off);
  h.body_len = Get<uint32_t>(p, off);
  h.bulk_len = Get<uint32_t>(p, off);
  h.crc = Get<uint32_t>(p, off);
  if (!IsKnownStatusCode(h.status)) {
    return ProtocolError(fmt::format("unknown status code {} in frame", h.status));
  }
  if (h.body_len > limits.max_body_bytes) {
    return Status(StatusCode::kTooLarge,
                  fmt::format("frame body of {} bytes exceeds the limit of {}", h.body_len,
                              limits.max_body_bytes));
  }
  if (h.bulk_len > limits.max_bulk_bytes) {
    return Status(StatusCode::kTooLarge,
                  fmt::format("frame bulk of {} bytes exceeds the limit of {}", h.bulk_len,
                              limits.max_bulk_bytes));
  }
  return h;
}

Status VerifyFrameCrc(const FrameHeader& header, std::span<const char, kFrameHeaderBytes> bytes,
                      std::span<const char> body) {
  uint32_t crc = FrameCrc(bytes, body);
  if (crc != header.crc) {
    return Status(StatusCode::kCorruption,
                  fmt::format("frame checksum mismatch: header says {:#010x}, bytes give {:#010x}",
                              header.crc, crc));
  }
  return Status();
}

}  // namespace chainfs::rpc
