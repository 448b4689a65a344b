#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "common/ids.h"
#include "common/result.h"
#include "rpc/wire/message.h"

// Binary encoding of messages. Little-endian, fixed-width integers. Strings, byte strings,
// vectors and maps carry a u32 count; optionals a u8 flag; variants a u32 alternative index
// and then a length-prefixed value; each message a u32 byte length, so readers can skip the
// fields they do not know. Decoding treats every byte as hostile: no length is trusted before
// it is checked against the bytes actually present, so nothing is allocated for a lie.

namespace chainfs::rpc {

// A byte string (printed as hex, not as text).
using Bytes = std::vector<uint8_t>;

class Encoder {
 public:
  explicit Encoder(std::string& out) : out_(out) {}
  void Raw(const void* p, size_t n) { out_.append(static_cast<const char*>(p), n); }
  template <typename T>
  void Fixed(T v) {
    static_assert(std::endian::native == std::endian::little, "big-endian hosts unsupported");
    Raw(&v, sizeof(v));
  }
  size_t size() const { return out_.size(); }
  // Writes a u32 placeholder; PatchLength fills it with the bytes written since.
  size_t BeginLength() {
    Fixed<uint32_t>(0);
    return out_.size();
  }
  void PatchLength(size_t start) {
    uint32_t n = static_cast<uint32_t>(out_.size() - start);
    std::memcpy(out_.data() + start - 4, &n, 4);
  }

 private:
  std::string& out_;
};

class Decoder {
 public:
  explicit Decoder(std::span<const char> in)
      : begin_(in.data()), p_(in.data()), end_(in.data() + in.size()) {}
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }

  bool Fail(std::string what) {
    if (error_.empty()) error_ = what + " at byte " + std::to_string(offset());
    return false;
  }
  bool Raw(void* out, size_t n) {
    if (n > remaining())
      return Fail("truncated: need " + std::to_string(n) + " bytes, have " +
                  std::to_string(remaining()));
    std::memcpy(out, p_, n);
    p_ += n;
    return true;
  }
  template <typename T>
  bool Fixed(T& v) {
    return Raw(&v, sizeof(v));
  }
  // A u32 count of items each at least `min_item_bytes` long, checked against what is left.
  bool Count(uint32_t& n, size_t min_item_bytes) {
    if (!Fixed(n)) return false;
    if (min_item_bytes > 0 && n > remaining() / min_item_bytes) {
      return Fail("count " + std::to_string(n) + " exceeds the bytes present");
    }
    return true;
  }
  std::span<const char> Take(size_t n) {
    std::span<const char> s(p_, n);
    p_ += n;
    return s;
  }
  void Skip(size_t n) { p_ += n; }

 private:
  const char* begin_;
  const char* p_;
  const char* end_;
  std::string error_;
};

template <typename T>
struct IsVector : std::false_type {};
template <typename T>
struct IsVector<std::vector<T>> : std::true_type {};
template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <typename T>
struct IsMap : std::false_type {};
template <typename K, typename V>
struct IsMap<std::map<K, V>> : std::true_type {};
template <typename T>
struct IsVariant : std::false_type {};
template <typename... Ts>
struct IsVariant<std::variant<Ts...>> : std::true_type {};

// The fewest bytes any value of T encodes to (bounds counts before allocating).
template <typename T>
constexpr size_t MinBytes() {
  if constexpr (std::is_same_v<T, bool>) {
    return 1;
  } else if constexpr (std::is_enum_v<T>) {
    return sizeof(std::underlying_type_t<T>);
  } else if constexpr (std::is_arithmetic_v<T>) {
    return sizeof(T);
  } else if constexpr (IsOptional<T>::value) {
    return 1;
  } else if constexpr (IsVariant<T>::value) {
    return 8;
  } else if constexpr (std::is_same_v<T, ChunkId>) {
    return 16;
  } else if constexpr (IsStrongId<T>::value) {
    return 8;
  } else {
    return 4;  // strings, vectors, maps and messages start with a u32
  }
}

template <typename T>
void EncodeValue(Encoder& e, const T& v);
template <typename T>
bool DecodeValue(Decoder& d, T& v);

template <Message M>
void EncodeMessage(Encoder& e, const M& m) {
  size_t start = e.BeginLength();
  std::apply([&](const auto&... f) { (EncodeValue(e, f), ...); }, m.FieldRefs());
  e.PatchLength(start);
}

template <Message M>
bool DecodeMessage(Decoder& d, M& m) {
  uint32_t len = 0;
  if (!d.Fixed(len)) return false;
  if (len > d.remaining())
    return d.Fail(std::string(M::kMessageName) + " length " + std::to_string(len) +
                  " exceeds the bytes present");
  Decoder sub(d.Take(len));
  // Fields the writer did not know keep their defaults; fields this reader does not know are
  // skipped with the rest of the length.
  bool ok =
      std::apply([&](auto&... f) { return ((sub.remaining() == 0 || DecodeValue(sub, f)) && ...); },
                 m.FieldRefs());
  if (!ok) return d.Fail(std::string(M::kMessageName) + ": " + sub.error());
  return true;
}

template <typename T>
void EncodeValue(Encoder& e, const T& v) {
  if constexpr (Message<T>) {
    EncodeMessage(e, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    e.Fixed<uint8_t>(v ? 1 : 0);
  } else if constexpr (std::is_enum_v<T>) {
    e.Fixed(static_cast<std::underlying_type_t<T>>(v));
  } else if constexpr (std::is_arithmetic_v<T>) {
    e.Fixed(v);
  } else if constexpr (IsStrongId<T>::value) {
    e.Fixed<uint64_t>(v.value());
  } else if constexpr (std::is_same_v<T, ChunkId>) {
    e.Fixed<uint64_t>(v.inode.value());
    e.Fixed<uint64_t>(v.index);
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
    e.Fixed<uint32_t>(static_cast<uint32_t>(v.size()));
    e.Raw(v.data(), v.size());
  } else if constexpr (IsVector<T>::value) {
    e.Fixed<uint32_t>(static_cast<uint32_t>(v.size()));
    for (const auto& x : v) EncodeValue(e, x);
  } else if constexpr (IsOptional<T>::value) {
    e.Fixed<uint8_t>(v.has_value() ? 1 : 0);
    if (v) EncodeValue(e, *v);
  } else if constexpr (IsMap<T>::value) {
    e.Fixed<uint32_t>(static_cast<uint32_t>(v.size()));
    for (const auto& [k, x] : v) {
      EncodeValue(e, k);
      EncodeValue(e, x);
    }
  } else if constexpr (IsVariant<T>::value) {
    e.Fixed<uint32_t>(static_cast<uint32_t>(v.index()));
    size_t start = e.BeginLength();
    std::visit([&](const auto& x) { EncodeValue(e, x); }, v);
    e.PatchLength(start);
  } else {
    static_assert(sizeof(T) == 0, "type cannot be encoded; list its fields with CHAINFS_MESSAGE");
  }
}

template <typename V, size_t I = 0>
bool DecodeAlternative(Decoder& d, V& v, uint32_t index) {
  if constexpr (I == std::variant_size_v<V>) {
    return d.Fail("variant alternative " + std::to_string(index) + " is unknown");
  } else {
    if (index != I) return DecodeAlternative<V, I + 1>(d, v, index);
    std::variant_alternative_t<I, V> x{};
    if (!DecodeValue(d, x)) return false;
    v = std::move(x);
    return true;
  }
}

template <typename T>
bool DecodeValue(Decoder& d, T& v) {
  if constexpr (Message<T>) {
    return DecodeMessage(d, v);
  } else if constexpr (std::is_same_v<T, bool>) {
    uint8_t b = 0;
    if (!d.Fixed(b)) return false;
    if (b > 1) return d.Fail("bool is " + std::to_string(b));
    v = b == 1;
    return true;
  } else if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> raw{};
    if (!d.Fixed(raw)) return false;
    v = static_cast<T>(raw);  // range checks belong to whoever acts on the value
    return true;
  } else if constexpr (std::is_arithmetic_v<T>) {
    return d.Fixed(v);
  } else if constexpr (IsStrongId<T>::value) {
    uint64_t raw = 0;
    if (!d.Fixed(raw)) return false;
    v = T(raw);
    return true;
  } else if constexpr (std::is_same_v<T, ChunkId>) {
    uint64_t inode = 0;
    if (!d.Fixed(inode) || !d.Fixed(v.index)) return false;
    v.inode = InodeId(inode);
    return true;
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, Bytes>) {
    uint32_t n = 0;
    if (!d.Count(n, 1)) return false;
    auto s = d.Take(n);
    v.assign(s.begin(), s.end());
    return true;
  } else if constexpr (IsVector<T>::value) {
    using E = typename T::value_type;
    uint32_t n = 0;
    if (!d.Count(n, MinBytes<E>())) return false;
    v.clear();
    v.reserve(n);
    for (uint32_t i = 0; i < n; ++i) {
      if (!DecodeValue(d, v.emplace_back())) return false;
    }
    return true;
  } else if constexpr (IsOptional<T>::value) {
    uint8_t present = 0;
    if (!d.Fixed(present)) return false;
    if (present > 1) return d.Fail("optional flag is " + std::to_string(present));
    if (present == 0) {
      v.reset();
      return true;
    }
    return DecodeValue(d, v.emplace());
  } else if constexpr (IsMap<T>::value) {
    using K = typename T::key_type;
    using E = typename T::mapped_type;
    uint32_t n = 0;
    if (!d.Count(n, MinBytes<K>() + MinBytes<E>())) return false;
    v.clear();
    for (uint32_t i = 0; i < n; ++i) {
      K k{};
      E x{};
      if (!DecodeValue(d, k) || !DecodeValue(d, x)) return false;
      v.insert_or_assign(std::move(k), std::move(x));
    }
    return true;
  } else if constexpr (IsVariant<T>::value) {
    uint32_t index = 0, len = 0;
    if (!d.Fixed(index) || !d.Fixed(len)) return false;
    if (len > d.remaining()) return d.Fail("variant length exceeds the bytes present");
    Decoder sub(d.Take(len));
    if (!DecodeAlternative(sub, v, index)) return d.Fail(sub.error());
    return true;
  } else {
    static_assert(sizeof(T) == 0, "type cannot be decoded; list its fields with CHAINFS_MESSAGE");
  }
}

// Encodes a message, appending to `out`.
template <Message M>
void Encode(const M& m, std::string& out) {
  Encoder e(out);
  EncodeMessage(e, m);
}

template <Message M>
std::string Encode(const M& m) {
  std::string out;
  Encode(m, out);
  return out;
}

// Decodes one message that must fill `bytes` exactly. kProtocolError names the message and
// the byte where decoding failed.
template <Message M>
Result<M> Decode(std::span<const char> bytes) {
  M m{};
  Decoder d(bytes);
  if (!DecodeMessage(d, m)) {
    return ProtocolError("malformed " + std::string(M::kMessageName) + ": " + d.error());
  }
  if (d.remaining() != 0) {
    return ProtocolError("malformed " + std::string(M::kMessageName) + ": " +
                         std::to_string(d.remaining()) + " trailing bytes");
  }
  return m;
}

}  // namespace chainfs::rpc
