#pragma once

#include <string>

#include "rpc/wire/frame.h"
#include "runtime/runtime.h"

namespace chainfs::rpc {

// Mutual authentication with the cluster secret, before any request is served:
//   client -> Hello{client nonce}
//   server -> Challenge{server nonce, HMAC-SHA256(secret, "server" | nonces)}
//   client -> Proof{HMAC-SHA256(secret, "client" | nonces)}
//   server -> AuthResult (OK, or kAuthFailed with a message)
// Neither side learns anything about the secret from the other's proof. The client sends its
// proof even when the server's is wrong, so that both sides can report the mismatch.

// kAuthFailed when the secrets differ; kUnavailable or kProtocolError for broken exchanges.
Task<Status> ClientHandshake(Stream& stream, Runtime& rt, std::string secret, std::string name,
                             FrameLimits limits);
// Returns the client's name.
Task<Result<std::string>> ServerHandshake(Stream& stream, Runtime& rt, std::string secret,
                                          FrameLimits limits);

}  // namespace chainfs::rpc
