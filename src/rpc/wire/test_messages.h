#pragma once

// Messages that use every supported field kind; shared by the serde tests and the fuzzer.

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rpc/wire/serde.h"

namespace chainfs::rpc::testing {

enum class Color : uint8_t { kRed = 1, kBlue = 2 };

struct Inner {
  int32_t a = 0;
  std::string s;
  CHAINFS_MESSAGE(Inner, a, s)
};

struct Other {
  double x = 0;
  CHAINFS_MESSAGE(Other, x)
};

struct Everything {
  uint8_t u8 = 0;
  int64_t i64 = 0;
  uint32_t u32 = 0;
  bool flag = false;
  Color color = Color::kRed;
  std::string text;
  Bytes blob;
  std::vector<uint64_t> numbers;
  std::optional<Inner> maybe;
  std::map<std::string, int32_t> counts;
  Inner inner;
  std::vector<Inner> inners;
  std::variant<Inner, Other, std::string> choice;
  InodeId inode;
  ChunkId chunk;
  CHAINFS_MESSAGE(Everything, u8, i64, u32, flag, color, text, blob, numbers, maybe, counts, inner,
                  inners, choice, inode, chunk)
};

// Two versions of one message, for evolution tests.
struct PersonV1 {
  std::string name;
  uint32_t age = 0;
  CHAINFS_MESSAGE(PersonV1, name, age)
};

struct PersonV2 {
  std::string name;
  uint32_t age = 0;
  std::vector<std::string> emails;
  std::optional<Inner> extra;
  uint64_t score = 77;
  CHAINFS_MESSAGE(PersonV2, name, age, emails, extra, score)
};

struct Holder {
  PersonV2 person;
  uint32_t after = 0;
  CHAINFS_MESSAGE(Holder, person, after)
};

struct HolderV1 {
  PersonV1 person;
  uint32_t after = 0;
  CHAINFS_MESSAGE(HolderV1, person, after)
};

}  // namespace chainfs::rpc::testing
