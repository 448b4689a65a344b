#include "bench/fio_baseline.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <regex>

namespace chainfs::bench {
namespace {

// The first number after `"key" :` in fio's JSON, after `section` ("read" or "write").
double JsonNumber(const std::string& json, const std::string& section, const std::string& key) {
  size_t at = json.find("\"" + section + "\" : {");
  if (at == std::string::npos) return 0;
  std::regex pattern("\"" + key + "\" : ([0-9.]+)");
  std::smatch m;
  std::string rest = json.substr(at);
  if (!std::regex_search(rest, m, pattern)) return 0;
  return std::stod(m[1]);
}

}  // namespace

FioFigure RunFio(const std::string& file, const std::string& rw, const std::string& bs, int iodepth,
                 int size_mib, int seconds) {
  std::string cmd = fmt::format(
      "fio --name=baseline --filename={} --rw={} --bs={} --size={}M --direct=1 "
      "--ioengine=libaio --iodepth={} --runtime={} --output-format=json{} 2>&1",
      file, rw, bs, size_mib, iodepth, seconds, rw == "randread" ? " --time_based" : "");
  FioFigure figure;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    figure.error = "cannot run fio";
    return figure;
  }
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int rc = pclose(pipe);
  std::string section = rw == "write" ? "write" : "read";
  figure.bytes_per_s = JsonNumber(out, section, "bw_bytes");
  figure.iops = JsonNumber(out, section, "iops");
  figure.ok = rc == 0 && figure.bytes_per_s > 0;
  if (!figure.ok) figure.error = fmt::format("fio exited {}: {}", rc, out.substr(0, 300));
  return figure;
}

}  // namespace chainfs::bench
