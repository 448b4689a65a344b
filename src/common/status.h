#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status_codes.h"

namespace chainfs {

enum class StatusCode : uint16_t {
#define CHAINFS_STATUS_ENUM(name, value, retry) name = value,
  CHAINFS_STATUS_CODES(CHAINFS_STATUS_ENUM)
#undef CHAINFS_STATUS_ENUM
};

enum class RetryScope : uint8_t { kNone, kCall, kTransaction };

std::string_view StatusCodeName(StatusCode code);
RetryScope RetryScopeOf(StatusCode code);
// True when `raw` is a value of StatusCode (for codes read from the network).
bool IsKnownStatusCode(uint16_t raw);

// A code and a message. Success holds nothing and allocates nothing; sizeof(Status) is one
// pointer. Thread-compatible: distinct objects may be used from distinct threads.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message);
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status Ok() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  std::string_view message() const;
  bool retryable() const { return RetryScopeOf(code()) == RetryScope::kCall; }

  // "kNotFound: inode 7 has no entry 'x'" or "OK".
  std::string ToString() const;
  // The same code with `context` put in front of the message: "context: message".
  Status WithContext(std::string_view context) const;

  bool operator==(const Status& other) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;
};

// Shorthands for the common codes, e.g. NotFound("inode {} missing").
inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status ProtocolError(std::string m) { return {StatusCode::kProtocolError, std::move(m)}; }
inline Status OutOfRange(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }

}  // namespace chainfs
