#pragma once

// The one table of status codes. A code exists only because some caller reacts to it
// differently from every other code. `retry` says what a caller may retry:
//   kNone        - nothing; the request itself is wrong or the state forbids it.
//   kCall        - the same call, possibly on another connection or replica.
//   kTransaction - the whole enclosing transaction, from its first read.
//
// X(name, numeric value, retry)
#define CHAINFS_STATUS_CODES(X)       \
  X(kOk, 0, kNone)                    \
  X(kInvalidArgument, 1, kNone)       \
  X(kNotFound, 2, kNone)              \
  X(kAlreadyExists, 3, kNone)         \
  X(kOutOfRange, 4, kNone)            \
  X(kPermissionDenied, 5, kNone)      \
  X(kIoError, 6, kNone)               \
  X(kCorruption, 7, kNone)            \
  X(kUnimplemented, 8, kNone)         \
  X(kInternal, 9, kNone)              \
  X(kAuthFailed, 10, kNone)           \
  X(kProtocolError, 11, kNone)        \
  X(kTooLarge, 12, kNone)             \
  X(kCancelled, 13, kNone)            \
  X(kDeadlineExceeded, 14, kCall)     \
  X(kUnavailable, 15, kCall)          \
  X(kBusy, 16, kCall)                 \
  X(kConflict, 17, kTransaction)      \
  X(kCommitUnknown, 18, kTransaction) \
  X(kNotEmpty, 19, kNone)             \
  X(kNotDirectory, 20, kNone)         \
  X(kIsDirectory, 21, kNone)          \
  X(kNameTooLong, 22, kNone)          \
  X(kLoop, 23, kNone)                 \
  X(kNotPermitted, 24, kNone)         \
  X(kTooManyLinks, 25, kNone)         \
  X(kNoAttribute, 26, kNone)          \
  X(kWouldBlock, 27, kNone)           \
  X(kStaleRouting, 28, kCall)         \
  X(kNoSpace, 29, kNone)
