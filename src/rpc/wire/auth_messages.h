#pragma once

#include <string>

#include "rpc/wire/serde.h"

// The messages of the authentication handshake (rpc/auth.h).
namespace chainfs::rpc {

struct AuthHello {
  uint32_t version = 0;
  Bytes nonce;
  std::string name;
  CHAINFS_MESSAGE(AuthHello, version, nonce, name)
};

struct AuthChallenge {
  Bytes nonce;
  Bytes proof;
  CHAINFS_MESSAGE(AuthChallenge, nonce, proof)
};

struct AuthProof {
  Bytes proof;
  CHAINFS_MESSAGE(AuthProof, proof)
};

}  // namespace chainfs::rpc
