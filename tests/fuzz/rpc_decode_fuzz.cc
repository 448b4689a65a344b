// Feeds arbitrary bytes to the frame and message decoders. Properties checked beyond "no crash,
// no sanitizer report": whatever decodes re-encodes to bytes that decode to the same encoding.
//
// `rpc_decode_fuzz --write-seeds DIR` writes valid frames of every message type as seeds.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <span>
#include <string>

#include "rpc/wire/auth_messages.h"
#include "rpc/wire/frame.h"
#include "rpc/wire/serde.h"
#include "rpc/wire/test_messages.h"

namespace chainfs::rpc {
namespace {

template <typename M>
void CheckMessage(std::span<const char> bytes) {
  Result<M> m = Decode<M>(bytes);
  if (!m.ok()) return;
  std::string once = Encode(*m);
  Result<M> again = Decode<M>(once);
  if (!again.ok() || Encode(*again) != once) {
    std::fprintf(stderr, "re-encoding %s is not stable\n", std::string(M::kMessageName).c_str());
    std::abort();
  }
}

void CheckAllMessages(std::span<const char> bytes) {
  CheckMessage<testing::Everything>(bytes);
  CheckMessage<testing::Holder>(bytes);
  CheckMessage<testing::HolderV1>(bytes);
  CheckMessage<AuthHello>(bytes);
  CheckMessage<AuthChallenge>(bytes);
  CheckMessage<AuthProof>(bytes);
}

void CheckFrames(std::span<const char> in) {
  FrameLimits limits{.max_body_bytes = 1 << 20, .max_bulk_bytes = 1 << 20};
  size_t off = 0;
  while (in.size() - off >= kFrameHeaderBytes) {
    std::span<const char, kFrameHeaderBytes> header(in.data() + off, kFrameHeaderBytes);
    Result<FrameHeader> h = DecodeHeader(header, limits);
    if (!h.ok()) return;
    off += kFrameHeaderBytes;
    if (h->body_len > in.size() - off) return;
    std::span<const char> body = in.subspan(off, h->body_len);
    off += h->body_len;
    (void)VerifyFrameCrc(*h, header, body);
    CheckAllMessages(body);
    off += std::min<size_t>(h->bulk_len, in.size() - off);
  }
}

template <typename M>
void WriteSeed(const std::string& dir, const std::string& name, const M& m) {
  std::string body = Encode(m);
  HeaderBytes h = EncodeHeader(FrameHeader{.kind = FrameKind::kRequest, .request_id = 1}, body);
  std::ofstream(dir + "/" + name, std::ios::binary) << std::string(h.begin(), h.end()) << body;
}

void WriteSeeds(const std::string& dir) {
  testing::Everything e;
  e.text = "text";
  e.blob = {1, 2, 3};
  e.numbers = {1, 2};
  e.maybe = testing::Inner{1, "x"};
  e.counts = {{"k", 1}};
  e.inners = {testing::Inner{2, "y"}};
  e.choice = std::string("s");
  WriteSeed(dir, "everything", e);
  WriteSeed(dir, "holder", testing::Holder{testing::PersonV2{"p", 1, {"e"}, {}, 2}, 3});
  WriteSeed(dir, "hello", AuthHello{1, Bytes(32, 7), "client"});
  WriteSeed(dir, "challenge", AuthChallenge{Bytes(32, 1), Bytes(32, 2)});
}

}  // namespace
}  // namespace chainfs::rpc

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i + 1 < *argc; ++i) {
    if (std::strcmp((*argv)[i], "--write-seeds") == 0) {
      chainfs::rpc::WriteSeeds((*argv)[i + 1]);
      std::exit(0);
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const char> in(reinterpret_cast<const char*>(data), size);
  chainfs::rpc::CheckFrames(in);
  chainfs::rpc::CheckAllMessages(in);
  return 0;
}
