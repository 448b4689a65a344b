#pragma once

#include <string_view>
#include <tuple>

// Declares the fields of a message struct, once:
//
//   struct EchoReq {
//     std::string text;
//     uint32_t repeat = 1;
//     CHAINFS_MESSAGE(EchoReq, text, repeat)
//   };
//
// This gives binary encoding and decoding (rpc/wire/serde.h), equality, and a readable print
// (ToString). Fields are encoded in the order listed. To evolve a message, append fields at
// the end and never remove or reorder: an old reader skips what it does not know and a new
// reader gives missing fields their defaults.
#define CHAINFS_MESSAGE(Type, ...)                              \
  static constexpr std::string_view kMessageName = #Type;       \
  static constexpr std::string_view kFieldNames = #__VA_ARGS__; \
  auto FieldRefs() { return std::tie(__VA_ARGS__); }            \
  auto FieldRefs() const { return std::tie(__VA_ARGS__); }      \
  friend bool operator==(const Type& a, const Type& b) { return a.FieldRefs() == b.FieldRefs(); }

namespace chainfs::rpc {

template <typename T>
concept Message = requires(const T& t) {
  { T::kMessageName } -> std::convertible_to<std::string_view>;
  t.FieldRefs();
};

}  // namespace chainfs::rpc
