#include "runtime/address_list.h"

#include <fmt/format.h>

namespace chainfs {

Result<std::vector<Address>> ParseAddressList(std::string_view key, std::string_view text) {
  std::vector<Address> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    Result<Address> a = Address::Parse(item);
    if (!a.ok())
      return InvalidArgument(fmt::format("{}: '{}': {}", key, item, a.status().message()));
    out.push_back(*a);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  if (out.empty()) return InvalidArgument(fmt::format("{}: no address given", key));
  return out;
}

}  // namespace chainfs
