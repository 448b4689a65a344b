#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "rpc/wire/serde.h"

// A readable print of any message: EchoReq{text="hi", ids=[1, 2], opt=none}.
namespace chainfs::rpc {

namespace detail {

inline std::string_view NextFieldName(std::string_view& names) {
  size_t comma = names.find(',');
  std::string_view name = names.substr(0, comma);
  names = comma == std::string_view::npos ? std::string_view() : names.substr(comma + 1);
  while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
  while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
  return name;
}

template <typename T>
void Print(std::string& out, const T& v);

template <typename T>
void PrintMessage(std::string& out, const T& m) {
  out += T::kMessageName;
  out += '{';
  std::string_view names = T::kFieldNames;
  bool first = true;
  std::apply(
      [&](const auto&... f) {
        ((out += first ? "" : ", ", first = false, out += NextFieldName(names), out += '=',
          Print(out, f)),
         ...);
      },
      m.FieldRefs());
  out += '}';
}

template <typename T>
void Print(std::string& out, const T& v) {
  if constexpr (Message<T>) {
    PrintMessage(out, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    out += v ? "true" : "false";
  } else if constexpr (std::is_enum_v<T>) {
    out += std::to_string(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, int8_t>) {
    out += std::to_string(static_cast<int>(v));
  } else if constexpr (std::is_arithmetic_v<T> || IsStrongId<T>::value ||
                       std::is_same_v<T, ChunkId>) {
    out += fmt::format("{}", v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    out += fmt::format("\"{}\"", v.size() > 64 ? v.substr(0, 64) + "..." : v);
  } else if constexpr (std::is_same_v<T, Bytes>) {
    out += "0x";
    for (size_t i = 0; i < v.size() && i < 32; ++i) out += fmt::format("{:02x}", v[i]);
    if (v.size() > 32) out += fmt::format("...({} bytes)", v.size());
  } else if constexpr (IsVector<T>::value) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += ", ";
      Print(out, v[i]);
    }
    out += ']';
  } else if constexpr (IsOptional<T>::value) {
    if (v) {
      Print(out, *v);
    } else {
      out += "none";
    }
  } else if constexpr (IsMap<T>::value) {
    out += '{';
    bool first = true;
    for (const auto& [k, x] : v) {
      if (!first) out += ", ";
      first = false;
      Print(out, k);
      out += ": ";
      Print(out, x);
    }
    out += '}';
  } else if constexpr (IsVariant<T>::value) {
    std::visit([&](const auto& x) { Print(out, x); }, v);
  }
}

}  // namespace detail

template <Message M>
std::string ToString(const M& m) {
  std::string out;
  detail::PrintMessage(out, m);
  return out;
}

}  // namespace chainfs::rpc
