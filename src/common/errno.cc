#include "common/errno.h"

#include <cerrno>

namespace chainfs {

int ErrnoOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 0;
    case StatusCode::kInvalidArgument:
      return EINVAL;
    case StatusCode::kNotFound:
      return ENOENT;
    case StatusCode::kAlreadyExists:
      return EEXIST;
    case StatusCode::kOutOfRange:
      return ERANGE;
    case StatusCode::kPermissionDenied:
      return EACCES;
    case StatusCode::kNotPermitted:
      return EPERM;
    case StatusCode::kNotEmpty:
      return ENOTEMPTY;
    case StatusCode::kNotDirectory:
      return ENOTDIR;
    case StatusCode::kIsDirectory:
      return EISDIR;
    case StatusCode::kNameTooLong:
      return ENAMETOOLONG;
    case StatusCode::kLoop:
      return ELOOP;
    case StatusCode::kTooManyLinks:
      return EMLINK;
    case StatusCode::kNoAttribute:
      return ENODATA;
    case StatusCode::kWouldBlock:
      return EAGAIN;
    case StatusCode::kTooLarge:
      return EFBIG;
    case StatusCode::kNoSpace:
      return ENOSPC;
    case StatusCode::kUnimplemented:
      return ENOSYS;
    case StatusCode::kCancelled:
      return EINTR;
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kUnavailable:
    case StatusCode::kBusy:
    case StatusCode::kStaleRouting:
    case StatusCode::kConflict:
    case StatusCode::kCommitUnknown:
      return EAGAIN;
    case StatusCode::kIoError:
    case StatusCode::kCorruption:
    case StatusCode::kInternal:
    case StatusCode::kAuthFailed:
    case StatusCode::kProtocolError:
      return EIO;
  }
  return EIO;
}

}  // namespace chainfs
