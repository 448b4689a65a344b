#include "rpc/wire/serde.h"

#include <gtest/gtest.h>

#include "rpc/wire/print.h"
#include "rpc/wire/test_messages.h"

namespace chainfs::rpc::testing {
namespace {

struct Vec {
  std::vector<uint64_t> v;
  CHAINFS_MESSAGE(Vec, v)
};

struct B {
  bool b = false;
  CHAINFS_MESSAGE(B, b)
};

struct V {
  std::variant<int32_t, std::string> v;
  CHAINFS_MESSAGE(V, v)
};

Everything Sample() {
  Everything e;
  e.u8 = 200;
  e.i64 = -5;
  e.u32 = 123456;
  e.flag = true;
  e.color = Color::kBlue;
  e.text = "hello";
  e.blob = {0xde, 0xad};
  e.numbers = {1, 2, 3};
  e.maybe = Inner{7, "seven"};
  e.counts = {{"a", 1}, {"b", -2}};
  e.inner = Inner{1, "one"};
  e.inners = {Inner{2, "two"}, Inner{3, ""}};
  e.choice = Other{2.5};
  e.inode = InodeId(42);
  e.chunk = ChunkId{InodeId(9), 3};
  return e;
}

TEST(SerdeTest, RoundTripsEveryKind) {
  Everything e = Sample();
  std::string bytes = Encode(e);
  Result<Everything> back = Decode<Everything>(bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, e);
  EXPECT_TRUE(std::holds_alternative<Other>(back->choice));
}

TEST(SerdeTest, DefaultsRoundTrip) {
  Everything e;
  EXPECT_EQ(*Decode<Everything>(Encode(e)), e);
}

TEST(SerdeTest, PrintsReadably) {
  Inner i{3, "x"};
  EXPECT_EQ(ToString(i), "Inner{a=3, s=\"x\"}");
  Everything e = Sample();
  std::string s = ToString(e);
  EXPECT_NE(s.find("blob=0xdead"), std::string::npos) << s;
  EXPECT_NE(s.find("numbers=[1, 2, 3]"), std::string::npos) << s;
  EXPECT_NE(s.find("maybe=Inner{a=7, s=\"seven\"}"), std::string::npos) << s;
  EXPECT_NE(s.find("counts={\"a\": 1, \"b\": -2}"), std::string::npos) << s;
  EXPECT_NE(s.find("choice=Other{x=2.5}"), std::string::npos) << s;
  EXPECT_NE(s.find("chunk=9:3"), std::string::npos) << s;
}

TEST(SerdeEvolutionTest, OldReaderSkipsNewFields) {
  Holder h{PersonV2{"ann", 30, {"a@x"}, Inner{1, "i"}, 5}, 99};
  Result<HolderV1> old = Decode<HolderV1>(Encode(h));
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->person.name, "ann");
  EXPECT_EQ(old->person.age, 30u);
  EXPECT_EQ(old->after, 99u);  // the field after the grown message is still found
}

TEST(SerdeEvolutionTest, NewReaderDefaultsMissingFields) {
  HolderV1 h{PersonV1{"bob", 41}, 7};
  Result<Holder> now = Decode<Holder>(Encode(h));
  ASSERT_TRUE(now.ok()) << now.status().ToString();
  EXPECT_EQ(now->person.name, "bob");
  EXPECT_EQ(now->person.age, 41u);
  EXPECT_TRUE(now->person.emails.empty());
  EXPECT_FALSE(now->person.extra.has_value());
  EXPECT_EQ(now->person.score, 77u);
  EXPECT_EQ(now->after, 7u);
}

TEST(SerdeBadInputTest, TruncatedInputNamesTheMessage) {
  std::string bytes = Encode(Sample());
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Result<Everything> r = Decode<Everything>(std::string_view(bytes).substr(0, cut));
    ASSERT_FALSE(r.ok()) << "cut at " << cut;
    EXPECT_EQ(r.status().code(), StatusCode::kProtocolError);
  }
  EXPECT_NE(Decode<Everything>("").status().message().find("malformed Everything"),
            std::string_view::npos);
}

TEST(SerdeBadInputTest, HugeCountIsRefusedWithoutAllocating) {
  // A vector claiming four billion elements in a 12-byte message.
  std::string bytes;
  Encoder e(bytes);
  size_t start = e.BeginLength();
  e.Fixed<uint32_t>(0xFFFFFFFF);
  e.Fixed<uint32_t>(0);
  e.PatchLength(start);
  Result<Vec> r = Decode<Vec>(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeds the bytes present"), std::string_view::npos)
      << r.status().message();
}

TEST(SerdeBadInputTest, InvalidBoolVariantAndTrailingBytes) {
  std::string bytes = Encode(B{true});
  bytes[4] = 7;
  EXPECT_FALSE(Decode<B>(bytes).ok());
  EXPECT_FALSE(Decode<B>(Encode(B{true}) + "x").ok());
  std::string vb = Encode(V{std::string("s")});
  vb[4] = 9;  // alternative index
  Result<V> r = Decode<V>(vb);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("alternative 9"), std::string_view::npos);
}

}  // namespace
}  // namespace chainfs::rpc::testing
