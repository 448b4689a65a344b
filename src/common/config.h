#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace chainfs {

// Describes the keys of a config struct. Each component writes one function
//   void Bind(ConfigBinder& b) { b.Int("rpc.timeout_ms", &timeout_ms, 1, 600000); ... }
// whose targets already hold their defaults. Loading a TOML file then sets exactly the keys
// it names; an unknown key, a wrong type or an out-of-range value is an error naming the
// file, the key and what was expected.
class ConfigBinder {
 public:
  template <typename T>
  void Int(std::string key, T* target, int64_t min, int64_t max) {
    AddInt(
        std::move(key), min, max, [target] { return static_cast<int64_t>(*target); },
        [target](int64_t v) { *target = static_cast<T>(v); });
  }
  void Bool(std::string key, bool* target);
  void Double(std::string key, double* target, double min, double max);
  // `allowed` empty means any non-empty string (or any string at all with `may_be_empty`,
  // for keys whose absence the component itself reports).
  void String(std::string key, std::string* target, std::vector<std::string> allowed = {},
              bool may_be_empty = false);

  // Sets `key` from text, as given on a command line ("--set key=value").
  Status SetFromText(std::string_view key, std::string_view text);
  // Loads a TOML document; `source` names it in errors (usually the file path).
  Status LoadToml(std::string_view toml_text, std::string_view source);
  Status LoadFile(const std::string& path);
  // The current values as a TOML document, every key present.
  std::string DumpToml() const;

 private:
  enum class Kind { kInt, kBool, kDouble, kString };
  struct Field {
    Kind kind = Kind::kInt;
    int64_t min_int = 0, max_int = 0;
    double min_double = 0, max_double = 0;
    std::vector<std::string> allowed;
    bool may_be_empty = false;
    std::function<void(int64_t)> set_int;
    std::function<void(bool)> set_bool;
    std::function<void(double)> set_double;
    std::function<void(std::string)> set_string;
    std::function<std::string()> show;
  };
  void AddInt(std::string key, int64_t min, int64_t max, std::function<int64_t()> get,
              std::function<void(int64_t)> set);
  void Add(std::string key, Field field);
  friend struct ConfigApply;

  std::map<std::string, Field, std::less<>> fields_;
};

}  // namespace chainfs
