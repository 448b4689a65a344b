#include "rpc/auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/logging.h"
#include "rpc/frame_io.h"
#include "rpc/wire/auth_messages.h"

namespace chainfs::rpc {
namespace {

constexpr uint32_t kAuthVersion = 1;
constexpr size_t kNonceBytes = 32;

Bytes Proof(const std::string& secret, std::string_view role, const Bytes& client_nonce,
            const Bytes& server_nonce) {
  std::string data(role);
  data.append(client_nonce.begin(), client_nonce.end());
  data.append(server_nonce.begin(), server_nonce.end());
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  out.resize(len);
  return out;
}

bool SameProof(const Bytes& a, const Bytes& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Bytes Nonce(Runtime& rt) {
  Bytes n(kNonceBytes);
  rt.random().Fill(n);
  return n;
}

template <typename M>
Task<Result<M>> Expect(Stream& stream, FrameKind kind, FrameLimits limits) {
  Result<Frame> frame = co_await ReadFrame(stream, limits);
  if (!frame.ok()) co_return frame.status();
  if (frame->header.kind != kind) {
    co_return ProtocolError(fmt::format("expected frame kind {} during authentication, got {}",
                                        static_cast<int>(kind),
                                        static_cast<int>(frame->header.kind)));
  }
  co_return Decode<M>(frame->body);
}

}  // namespace

Task<Status> ClientHandshake(Stream& stream, Runtime& rt, std::string secret, std::string name,
                             FrameLimits limits) {
  AuthHello hello{kAuthVersion, Nonce(rt), std::move(name)};
  CO_RETURN_IF_ERROR(co_await WriteFrame(stream, FrameKind::kHello, Encode(hello)));
  Result<AuthChallenge> challenge =
      co_await Expect<AuthChallenge>(stream, FrameKind::kChallenge, limits);
  if (!challenge.ok()) co_return challenge.status();
  bool server_ok =
      SameProof(challenge->proof, Proof(secret, "server", hello.nonce, challenge->nonce));
  AuthProof proof{Proof(secret, "client", hello.nonce, challenge->nonce)};
  CO_RETURN_IF_ERROR(co_await WriteFrame(stream, FrameKind::kProof, Encode(proof)));
  Result<Frame> result = co_await ReadFrame(stream, limits);
  if (!server_ok || (result.ok() && result->header.status != 0)) {
    co_return Status(StatusCode::kAuthFailed,
                     fmt::format("authentication with {} failed: our cluster secret differs from "
                                 "the server's",
                                 stream.PeerName()));
  }
  if (!result.ok()) co_return result.status();
  if (result->header.kind != FrameKind::kAuthResult) {
    co_return ProtocolError("expected an authentication result");
  }
  co_return Status();
}

Task<Result<std::string>> ServerHandshake(Stream& stream, Runtime& rt, std::string secret,
                                          FrameLimits limits) {
  Result<AuthHello> hello = co_await Expect<AuthHello>(stream, FrameKind::kHello, limits);
  if (!hello.ok()) co_return hello.status();
  if (hello->version != kAuthVersion) {
    co_return ProtocolError(fmt::format("unsupported authentication version {}", hello->version));
  }
  AuthChallenge challenge{Nonce(rt), {}};
  challenge.proof = Proof(secret, "server", hello->nonce, challenge.nonce);
  CO_RETURN_IF_ERROR(co_await WriteFrame(stream, FrameKind::kChallenge, Encode(challenge)));
  Result<AuthProof> proof = co_await Expect<AuthProof>(stream, FrameKind::kProof, limits);
  if (!proof.ok()) co_return proof.status();
  if (!SameProof(proof->proof, Proof(secret, "client", hello->nonce, challenge.nonce))) {
    std::string why = "authentication failed: the client's cluster secret differs from ours";
    (void)co_await WriteFrame(stream, FrameKind::kAuthResult, why,
                              static_cast<uint16_t>(StatusCode::kAuthFailed));
    co_return Status(StatusCode::kAuthFailed, fmt::format("refused {} ('{}'): wrong cluster secret",
                                                          stream.PeerName(), hello->name));
  }
  CO_RETURN_IF_ERROR(co_await WriteFrame(stream, FrameKind::kAuthResult, ""));
  co_return hello->name;
}

}  // namespace chainfs::rpc
