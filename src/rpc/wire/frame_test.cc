#include "rpc/wire/frame.h"

#include <gtest/gtest.h>

#include <string>

namespace chainfs::rpc {
namespace {

FrameHeader Sample() {
  FrameHeader h;
  h.kind = FrameKind::kResponse;
  h.service = 3;
  h.method = 4;
  h.status = static_cast<uint16_t>(StatusCode::kNotFound);
  h.request_id = 0x1122334455667788ULL;
  h.bulk_len = 4096;
  return h;
}

TEST(FrameTest, HeaderRoundTripsWithCrc) {
  std::string body = "payload";
  HeaderBytes bytes = EncodeHeader(Sample(), body);
  Result<FrameHeader> h = DecodeHeader(bytes, FrameLimits{});
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->kind, FrameKind::kResponse);
  EXPECT_EQ(h->request_id, 0x1122334455667788ULL);
  EXPECT_EQ(h->body_len, body.size());
  EXPECT_EQ(h->bulk_len, 4096u);
  EXPECT_TRUE(VerifyFrameCrc(*h, bytes, body).ok());
  body[0] ^= 1;
  EXPECT_EQ(VerifyFrameCrc(*h, bytes, body).code(), StatusCode::kCorruption);
}

TEST(FrameTest, RefusesBadMagicKindAndStatus) {
  HeaderBytes bytes = EncodeHeader(Sample(), "");
  HeaderBytes bad = bytes;
  bad[0] = 'X';
  EXPECT_NE(DecodeHeader(bad, {}).status().message().find("magic"), std::string_view::npos);
  bad = bytes;
  bad[5] = 99;
  EXPECT_EQ(DecodeHeader(bad, {}).status().message(), "unknown frame kind 99");
  bad = bytes;
  bad[12] = 0x7f;
  EXPECT_EQ(DecodeHeader(bad, {}).status().code(), StatusCode::kProtocolError);
}

TEST(FrameTest, RefusesOversizedLengthsBeforeReadingThem) {
  FrameHeader h = Sample();
  h.bulk_len = 100u << 20;
  HeaderBytes bytes = EncodeHeader(h, "");
  Result<FrameHeader> r =
      DecodeHeader(bytes, FrameLimits{.max_body_bytes = 1024, .max_bulk_bytes = 1 << 20});
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge);
  EXPECT_EQ(r.status().message(), "frame bulk of 104857600 bytes exceeds the limit of 1048576");
}

}  // namespace
}  // namespace chainfs::rpc
