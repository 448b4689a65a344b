#pragma once

#include <optional>
#include <utility>

#include "common/check.h"
#include "common/status.h"

namespace chainfs {

// Holds either a T or a non-OK Status. Accessing the value of an error is a CHECK failure.
template <typename T>
class [[nodiscard]] Result {
 public:
  // An error; exists because asio needs default-constructible results for co_spawn.
  Result() : status_(StatusCode::kInternal, "result was never set") {}
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    CHECK_MSG(!status_.ok(), "Result built from an OK Status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  Status TakeStatus() && { return std::move(status_); }

  T& value() & {
    CheckOk();
    return *value_;
  }
  const T& value() const& {
    CheckOk();
    return *value_;
  }
  T&& value() && {
    CheckOk();
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  void CheckOk() const { CHECK_MSG(value_.has_value(), status_.ToString().c_str()); }

  Status status_;
  std::optional<T> value_;
};

namespace detail {
inline Status ToStatus(Status s) { return s; }
template <typename T>
Status ToStatus(Result<T> r) {
  return r.ok() ? Status() : std::move(r).TakeStatus();
}
}  // namespace detail

}  // namespace chainfs

#define CHAINFS_CONCAT_INNER(a, b) a##b
#define CHAINFS_CONCAT(a, b) CHAINFS_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                                    \
  do {                                                           \
    ::chainfs::Status _st = ::chainfs::detail::ToStatus((expr)); \
    if (!_st.ok()) return _st;                                   \
  } while (0)

#define CO_RETURN_IF_ERROR(expr)                                 \
  do {                                                           \
    ::chainfs::Status _st = ::chainfs::detail::ToStatus((expr)); \
    if (!_st.ok()) co_return _st;                                \
  } while (0)

#define CHAINFS_ASSIGN_OR(ret, tmp, lhs, expr)    \
  auto tmp = (expr);                              \
  if (!tmp.ok()) ret std::move(tmp).TakeStatus(); \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  CHAINFS_ASSIGN_OR(return, CHAINFS_CONCAT(_res_, __LINE__), lhs, expr)
#define CO_ASSIGN_OR_RETURN(lhs, expr) \
  CHAINFS_ASSIGN_OR(co_return, CHAINFS_CONCAT(_res_, __LINE__), lhs, expr)
