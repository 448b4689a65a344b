#include "common/config.h"

#include "common/result.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace chainfs {

void ConfigBinder::Add(std::string key, Field field) { fields_[std::move(key)] = std::move(field); }

void ConfigBinder::AddInt(std::string key, int64_t min, int64_t max, std::function<int64_t()> get,
                          std::function<void(int64_t)> set) {
  Field f;
  f.kind = Kind::kInt;
  f.min_int = min;
  f.max_int = max;
  f.set_int = std::move(set);
  f.show = [get = std::move(get)] { return std::to_string(get()); };
  Add(std::move(key), std::move(f));
}

void ConfigBinder::Bool(std::string key, bool* target) {
  Field f;
  f.kind = Kind::kBool;
  f.set_bool = [target](bool v) { *target = v; };
  f.show = [target] { return std::string(*target ? "true" : "false"); };
  Add(std::move(key), std::move(f));
}

void ConfigBinder::Double(std::string key, double* target, double min, double max) {
  Field f;
  f.kind = Kind::kDouble;
  f.min_double = min;
  f.max_double = max;
  f.set_double = [target](double v) { *target = v; };
  f.show = [target] { return fmt::format("{}", *target); };
  Add(std::move(key), std::move(f));
}

void ConfigBinder::String(std::string key, std::string* target, std::vector<std::string> allowed,
                          bool may_be_empty) {
  Field f;
  f.kind = Kind::kString;
  f.allowed = std::move(allowed);
  f.may_be_empty = may_be_empty;
  f.set_string = [target](std::string v) { *target = std::move(v); };
  f.show = [target] {
    std::string quoted = "\"";
    for (char c : *target) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    return quoted + "\"";
  };
  Add(std::move(key), std::move(f));
}

// Applies one value to one field; shared by TOML loading and command-line overrides.
struct ConfigApply {
  static std::string Expected(const ConfigBinder::Field& f) {
    using K = ConfigBinder::Kind;
    switch (f.kind) {
      case K::kInt:
        return fmt::format("an integer in [{}, {}]", f.min_int, f.max_int);
      case K::kBool:
        return "a boolean (true or false)";
      case K::kDouble:
        return fmt::format("a number in [{}, {}]", f.min_double, f.max_double);
      case K::kString:
        if (f.allowed.empty()) return "a non-empty string";
        return fmt::format("one of \"{}\"", fmt::join(f.allowed, "\", \""));
    }
    return "a value";
  }

  static Status Error(std::string_view source, std::string_view key, const ConfigBinder::Field& f,
                      std::string_view got) {
    return InvalidArgument(
        fmt::format("{}: key '{}': expected {}, got {}", source, key, Expected(f), got));
  }

  static Status Int(std::string_view source, std::string_view key, const ConfigBinder::Field& f,
                    int64_t v) {
    if (v < f.min_int || v > f.max_int) return Error(source, key, f, std::to_string(v));
    f.set_int(v);
    return Status();
  }

  static Status Double(std::string_view source, std::string_view key, const ConfigBinder::Field& f,
                       double v) {
    if (!(v >= f.min_double && v <= f.max_double))
      return Error(source, key, f, fmt::format("{}", v));
    f.set_double(v);
    return Status();
  }

  static Status String(std::string_view source, std::string_view key, const ConfigBinder::Field& f,
                       std::string v) {
    bool ok = f.allowed.empty()
                  ? (!v.empty() || f.may_be_empty)
                  : std::find(f.allowed.begin(), f.allowed.end(), v) != f.allowed.end();
    if (!ok) return Error(source, key, f, fmt::format("\"{}\"", v));
    f.set_string(std::move(v));
    return Status();
  }

  static Status Node(std::string_view source, std::string_view key, const ConfigBinder::Field& f,
                     const toml::node& node) {
    using K = ConfigBinder::Kind;
    if (f.kind == K::kInt && node.is_integer()) return Int(source, key, f, *node.value<int64_t>());
    if (f.kind == K::kBool && node.is_boolean()) {
      f.set_bool(*node.value<bool>());
      return Status();
    }
    if (f.kind == K::kDouble && (node.is_floating_point() || node.is_integer())) {
      return Double(source, key, f, *node.value<double>());
    }
    if (f.kind == K::kString && node.is_string()) {
      return String(source, key, f, *node.value<std::string>());
    }
    return Error(
        source, key, f,
        fmt::format("a {}",
                    toml::impl::node_type_friendly_names[static_cast<size_t>(node.type())]));
  }

  static Status Table(ConfigBinder& b, std::string_view source, const std::string& prefix,
                      const toml::table& table) {
    for (const auto& [k, node] : table) {
      std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      auto it = b.fields_.find(key);
      if (it == b.fields_.end() && node.is_table()) {
        RETURN_IF_ERROR(Table(b, source, key, *node.as_table()));
        continue;
      }
      if (it == b.fields_.end()) {
        return InvalidArgument(fmt::format("{}: unknown key '{}'", source, key));
      }
      RETURN_IF_ERROR(Node(source, key, it->second, node));
    }
    return Status();
  }
};

Status ConfigBinder::SetFromText(std::string_view key, std::string_view text) {
  auto it = fields_.find(key);
  if (it == fields_.end()) {
    return InvalidArgument(fmt::format("command line: unknown key '{}'", key));
  }
  const Field& f = it->second;
  constexpr std::string_view kSource = "command line";
  switch (f.kind) {
    case Kind::kInt: {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return ConfigApply::Error(kSource, key, f, fmt::format("'{}'", text));
      }
      return ConfigApply::Int(kSource, key, f, v);
    }
    case Kind::kBool:
      if (text == "true" || text == "false") {
        f.set_bool(text == "true");
        return Status();
      }
      return ConfigApply::Error(kSource, key, f, fmt::format("'{}'", text));
    case Kind::kDouble: {
      std::string copy(text);
      char* end = nullptr;
      double v = std::strtod(copy.c_str(), &end);
      if (copy.empty() || *end != '\0') {
        return ConfigApply::Error(kSource, key, f, fmt::format("'{}'", text));
      }
      return ConfigApply::Double(kSource, key, f, v);
    }
    case Kind::kString:
      return ConfigApply::String(kSource, key, f, std::string(text));
  }
  return Internal("unreachable config kind");
}

Status ConfigBinder::LoadToml(std::string_view toml_text, std::string_view source) {
  toml::table table;
  try {
    table = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return InvalidArgument(fmt::format("{}:{}:{}: {}", source, e.source().begin.line,
                                       e.source().begin.column, e.description()));
  }
  return ConfigApply::Table(*this, source, "", table);
}

Status ConfigBinder::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFound(fmt::format("cannot read config file '{}': {}", path, std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return LoadToml(text.str(), path);
}

std::string ConfigBinder::DumpToml() const {
  std::string out;
  for (const auto& [key, field] : fields_) {
    out += fmt::format("{} = {}\n", key, field.show());
  }
  return out;
}

}  // namespace chainfs
