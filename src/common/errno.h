#pragma once

#include "common/status.h"

namespace chainfs {

// The errno a POSIX file system returns for a status: ENOENT for kNotFound, EACCES for
// kPermissionDenied, EPERM for kNotPermitted, EIO for failures of the system itself.
int ErrnoOf(StatusCode code);

}  // namespace chainfs
