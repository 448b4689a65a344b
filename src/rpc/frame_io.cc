#include "rpc/frame_io.h"

namespace chainfs::rpc {

Task<Status> WriteFrame(Stream& stream, FrameKind kind, std::string body, uint16_t status) {
  FrameHeader header;
  header.kind = kind;
  header.status = status;
  HeaderBytes bytes = EncodeHeader(header, body);
  std::span<const char> pieces[2] = {bytes, body};
  co_return co_await stream.WriteAll(pieces);
}

Task<Result<Frame>> ReadFrame(Stream& stream, FrameLimits limits) {
  HeaderBytes bytes;
  CO_RETURN_IF_ERROR(co_await ReadExact(stream, bytes));
  Result<FrameHeader> header = DecodeHeader(bytes, limits);
  if (!header.ok()) co_return header.status();
  if (header->bulk_len != 0) co_return ProtocolError("unexpected bulk payload");
  Frame frame{*header, std::string(header->body_len, '\0')};
  CO_RETURN_IF_ERROR(co_await ReadExact(stream, frame.body));
  CO_RETURN_IF_ERROR(VerifyFrameCrc(frame.header, bytes, frame.body));
  co_return frame;
}

}  // namespace chainfs::rpc
