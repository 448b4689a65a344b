#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <functional>

namespace chainfs {

// A uint64_t that cannot be mixed up with another kind of id.
template <typename Tag>
class StrongId {
 public:
  constexpr StrongId() = default;
  constexpr explicit StrongId(uint64_t value) : value_(value) {}
  constexpr uint64_t value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;

 private:
  uint64_t value_ = 0;
};

using NodeId = StrongId<struct NodeIdTag>;
using TargetId = StrongId<struct TargetIdTag>;
using ChainId = StrongId<struct ChainIdTag>;
using InodeId = StrongId<struct InodeIdTag>;

// A chunk is named by its file and its index in the file; ordered so that one file's chunks
// are one contiguous range.
struct ChunkId {
  InodeId inode;
  uint64_t index = 0;
  constexpr auto operator<=>(const ChunkId&) const = default;
};

inline constexpr InodeId kRootInode{1};

template <typename T>
struct IsStrongId : std::false_type {};
template <typename Tag>
struct IsStrongId<StrongId<Tag>> : std::true_type {};

}  // namespace chainfs

template <typename Tag>
struct std::hash<chainfs::StrongId<Tag>> {
  size_t operator()(chainfs::StrongId<Tag> id) const noexcept {
    return std::hash<uint64_t>()(id.value());
  }
};

template <>
struct std::hash<chainfs::ChunkId> {
  size_t operator()(const chainfs::ChunkId& id) const noexcept {
    return std::hash<uint64_t>()(id.inode.value() * 0x9E3779B97F4A7C15ULL ^ id.index);
  }
};

template <typename Tag>
struct fmt::formatter<chainfs::StrongId<Tag>> : fmt::formatter<uint64_t> {
  auto format(chainfs::StrongId<Tag> id, format_context& ctx) const {
    return fmt::formatter<uint64_t>::format(id.value(), ctx);
  }
};

template <>
struct fmt::formatter<chainfs::ChunkId> : fmt::formatter<std::string_view> {
  auto format(const chainfs::ChunkId& id, format_context& ctx) const {
    return fmt::format_to(ctx.out(), "{}:{}", id.inode.value(), id.index);
  }
};
