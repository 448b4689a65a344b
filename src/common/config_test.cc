#include "common/config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace chainfs {
namespace {

struct Sample {
  int32_t timeout_ms = 5000;
  uint64_t size_bytes = 1 << 20;
  bool verbose = false;
  double ratio = 0.5;
  std::string level = "info";

  void Bind(ConfigBinder& b) {
    b.Int("rpc.timeout_ms", &timeout_ms, 1, 600000);
    b.Int("chunk.size_bytes", &size_bytes, 65536, int64_t{64} << 20);
    b.Bool("verbose", &verbose);
    b.Double("ratio", &ratio, 0.0, 1.0);
    b.String("log.level", &level, {"debug", "info", "warn"});
  }
};

Status Load(Sample& s, std::string_view text) {
  ConfigBinder b;
  s.Bind(b);
  return b.LoadToml(text, "test.toml");
}

TEST(ConfigTest, DefaultsHoldWhenKeysAreAbsent) {
  Sample s;
  ASSERT_TRUE(Load(s, "").ok());
  EXPECT_EQ(s.timeout_ms, 5000);
  EXPECT_EQ(s.level, "info");
}

TEST(ConfigTest, SetsTablesAndDottedKeys) {
  Sample s;
  Status st = Load(s, "verbose = true\nratio = 1\n[rpc]\ntimeout_ms = 250\n[log]\nlevel='warn'\n");
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(s.timeout_ms, 250);
  EXPECT_TRUE(s.verbose);
  EXPECT_EQ(s.ratio, 1.0);
  EXPECT_EQ(s.level, "warn");
}

TEST(ConfigTest, UnknownKeyNamesFileAndKey) {
  Sample s;
  Status st = Load(s, "[rpc]\ntimeout = 3\n");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "test.toml: unknown key 'rpc.timeout'");
}

TEST(ConfigTest, WrongTypeSaysWhatWasExpected) {
  Sample s;
  Status st = Load(s, "[rpc]\ntimeout_ms = \"fast\"\n");
  EXPECT_EQ(st.message(),
            "test.toml: key 'rpc.timeout_ms': expected an integer in [1, 600000], got a string");
}

TEST(ConfigTest, OutOfRangeIsRefused) {
  Sample s;
  Status st = Load(s, "chunk.size_bytes = 1024\n");
  EXPECT_EQ(st.message(),
            "test.toml: key 'chunk.size_bytes': expected an integer in [65536, 67108864], got "
            "1024");
  EXPECT_EQ(s.size_bytes, 1u << 20);
  EXPECT_FALSE(Load(s, "log.level = 'loud'").ok());
  EXPECT_FALSE(Load(s, "ratio = 2.5").ok());
}

TEST(ConfigTest, SyntaxErrorHasLineAndColumn) {
  Sample s;
  Status st = Load(s, "verbose = true\nratio = = 3\n");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message().substr(0, 12), "test.toml:2:") << st.message();
}

TEST(ConfigTest, CommandLineOverrides) {
  Sample s;
  ConfigBinder b;
  s.Bind(b);
  ASSERT_TRUE(b.SetFromText("rpc.timeout_ms", "42").ok());
  EXPECT_EQ(s.timeout_ms, 42);
  EXPECT_FALSE(b.SetFromText("rpc.timeout_ms", "42x").ok());
  EXPECT_FALSE(b.SetFromText("nope", "1").ok());
  EXPECT_FALSE(b.SetFromText("verbose", "yes").ok());
  EXPECT_EQ(b.SetFromText("rpc.timeout_ms", "0").message(),
            "command line: key 'rpc.timeout_ms': expected an integer in [1, 600000], got 0");
}

TEST(ConfigTest, MissingFileIsNamed) {
  ConfigBinder b;
  Status st = b.LoadFile("/nonexistent/chainfs.toml");
  EXPECT_EQ(st.code(), StatusCode::kNotFound);
  EXPECT_NE(st.message().find("/nonexistent/chainfs.toml"), std::string_view::npos);
}

TEST(ConfigTest, DumpRoundTrips) {
  Sample s;
  s.timeout_ms = 77;
  ConfigBinder b;
  s.Bind(b);
  std::string dumped = b.DumpToml();
  Sample t;
  ASSERT_TRUE(Load(t, dumped).ok()) << dumped;
  EXPECT_EQ(t.timeout_ms, 77);
}

}  // namespace
}  // namespace chainfs
