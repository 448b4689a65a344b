#pragma once

// CHECK(cond) guards invariants of the program itself. It stays on in release builds: a
// broken invariant stops the process before it can corrupt data. Never CHECK input from the
// network, a disk or a user; return a Status instead.

namespace chainfs::detail {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expr, const char* msg);
}  // namespace chainfs::detail

#define CHECK(cond)                                                       \
  do {                                                                    \
    if (__builtin_expect(!(cond), 0)) {                                   \
      ::chainfs::detail::CheckFailed(__FILE__, __LINE__, #cond, nullptr); \
    }                                                                     \
  } while (0)

#define CHECK_MSG(cond, msg)                                          \
  do {                                                                \
    if (__builtin_expect(!(cond), 0)) {                               \
      ::chainfs::detail::CheckFailed(__FILE__, __LINE__, #cond, msg); \
    }                                                                 \
  } while (0)
