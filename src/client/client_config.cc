#include "client/client_config.h"

#include "runtime/address_list.h"

namespace chainfs::client {

void ClientConfig::Bind(ConfigBinder& b) {
  b.String("cluster.mgmtd", &mgmtd, {}, /*may_be_empty=*/true);
  b.String("cluster.meta", &meta, {}, /*may_be_empty=*/true);
  b.String("cluster.secret", &secret, {}, /*may_be_empty=*/true);
  b.String("client.name", &name, {}, /*may_be_empty=*/true);
  b.Int("client.flush_delay_ms", &flush_delay_ms, 1, 60'000);
  b.Int("client.close_delay_ms", &close_delay_ms, 0, 60'000);
  b.Int("client.read_ahead_kib", &read_ahead_kib, 0, 1 << 20);
  b.Int("client.read_ahead_total_mib", &read_ahead_total_mib, 0, 1 << 20);
  b.Int("client.max_in_flight", &max_in_flight, 1, 1024);
  b.Int("client.meta_timeout_ms", &meta_timeout_ms, 100, 3'600'000);
  b.Int("client.start_timeout_ms", &start_timeout_ms, 100, 600'000);
  rpc.Bind(b);
}

Status ClientConfig::Validate() const {
  if (secret.empty()) {
    return InvalidArgument("cluster.secret is not set: every process of a cluster needs it");
  }
  if (mgmtd.empty())
    return InvalidArgument("cluster.mgmtd is not set: where is the cluster manager?");
  if (meta.empty())
    return InvalidArgument("cluster.meta is not set: where are the metadata servers?");
  RETURN_IF_ERROR(ParseAddressList("cluster.mgmtd", mgmtd).status());
  RETURN_IF_ERROR(ParseAddressList("cluster.meta", meta).status());
  return Status();
}

std::vector<Address> ClientConfig::managers() const {
  Result<std::vector<Address>> r = ParseAddressList("cluster.mgmtd", mgmtd);
  return r.ok() ? *r : std::vector<Address>{};
}

std::vector<Address> ClientConfig::metas() const {
  Result<std::vector<Address>> r = ParseAddressList("cluster.meta", meta);
  return r.ok() ? *r : std::vector<Address>{};
}

}  // namespace chainfs::client
