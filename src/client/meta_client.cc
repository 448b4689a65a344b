#include "client/meta_client.h"

namespace chainfs::client {

MetaClient::MetaClient(Runtime& rt, rpc::ClientPool& pool, std::vector<Address> addresses,
                       MetaClientOptions options)
    : rt_(rt), pool_(pool), addresses_(std::move(addresses)), options_(options) {}

}  // namespace chainfs::client
