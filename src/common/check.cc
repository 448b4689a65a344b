#include "common/check.h"

#include <cstdio>
#include <cstdlib>

namespace chainfs::detail {

void CheckFailed(const char* file, int line, const char* expr, const char* msg) {
  std::fprintf(stderr, "CHECK failed at %s:%d: %s%s%s\n", file, line, expr, msg ? " - " : "",
               msg ? msg : "");
  std::fflush(stderr);
  std::abort();
}

}  // namespace chainfs::detail
