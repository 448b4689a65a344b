#include "common/status.h"

namespace chainfs {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
#define CHAINFS_STATUS_NAME(name, value, retry) \
  case StatusCode::name:                        \
    return #name;
    CHAINFS_STATUS_CODES(CHAINFS_STATUS_NAME)
#undef CHAINFS_STATUS_NAME
  }
  return "kUnknownCode";
}

RetryScope RetryScopeOf(StatusCode code) {
  switch (code) {
#define CHAINFS_STATUS_RETRY(name, value, retry) \
  case StatusCode::name:                         \
    return RetryScope::retry;
    CHAINFS_STATUS_CODES(CHAINFS_STATUS_RETRY)
#undef CHAINFS_STATUS_RETRY
  }
  return RetryScope::kNone;
}

bool IsKnownStatusCode(uint16_t raw) {
  switch (raw) {
#define CHAINFS_STATUS_KNOWN(name, value, retry) case value:
    CHAINFS_STATUS_CODES(CHAINFS_STATUS_KNOWN)
#undef CHAINFS_STATUS_KNOWN
    return true;
  }
  return false;
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_unique<State>(State{code, std::move(message)});
  }
}

Status::Status(const Status& other)
    : state_(other.state_ ? std::make_unique<State>(*other.state_) : nullptr) {}

Status& Status::operator=(const Status& other) {
  if (this != &other) {
    state_ = other.state_ ? std::make_unique<State>(*other.state_) : nullptr;
  }
  return *this;
}

std::string_view Status::message() const {
  return state_ ? std::string_view(state_->message) : std::string_view();
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code()));
  out += ": ";
  out += state_->message;
  return out;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return Status();
  std::string m(context);
  m += ": ";
  m += state_->message;
  return Status(code(), std::move(m));
}

bool Status::operator==(const Status& other) const {
  return code() == other.code() && message() == other.message();
}

}  // namespace chainfs
