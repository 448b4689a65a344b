#include "fuse/mount.h"

#include <fmt/format.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "fuse/fuse_context.h"
#include "fuse/worker_loop.h"

namespace chainfs::fuse {
namespace {

void Init(void* userdata, fuse_conn_info* conn) {
  auto want = [conn](unsigned cap) {
    if (conn->capable & cap) conn->want |= cap;
  };
  want(FUSE_CAP_ASYNC_READ);
  want(FUSE_CAP_POSIX_LOCKS);
  want(FUSE_CAP_FLOCK_LOCKS);
  want(FUSE_CAP_ATOMIC_O_TRUNC);
  want(FUSE_CAP_READDIRPLUS);
  want(FUSE_CAP_READDIRPLUS_AUTO);
  want(FUSE_CAP_PARALLEL_DIROPS);
  want(FUSE_CAP_POSIX_ACL);
  // The metadata server applies the umask, or a directory's default ACL instead of it.
  want(FUSE_CAP_DONT_MASK);
  want(FUSE_CAP_AUTO_INVAL_DATA);
  // The metadata servers clear setuid/setgid on writes and chowns themselves.
  want(FUSE_CAP_HANDLE_KILLPRIV);
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  conn->max_write = 1u << 20;
  conn->max_read = 1u << 20;  // must match the max_read mount option
  conn->max_readahead = 1u << 20;
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  auto* state = static_cast<MountState*>(userdata);
  if (state->on_mounted) state->on_mounted(state->mountpoint);
}

}  // namespace

Status PrepareMountPoint(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 && errno == ENOTCONN) {
    // A mount whose daemon died: detach it so the path is a directory again.
    if (umount2(path.c_str(), MNT_DETACH) != 0) {
      return InvalidArgument(
          fmt::format("mount point {}: a dead mount is on it and detaching it "
                      "failed: {}",
                      path, strerror(errno)));
    }
  }
  if (stat(path.c_str(), &st) != 0) {
    return InvalidArgument(fmt::format("mount point {}: {}", path, strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode))
    return InvalidArgument(fmt::format("mount point {} is not a directory", path));
  return Status();
}

Status ServeMount(Client& client, const MountOptions& options,
                  void (*on_mounted)(const std::string&)) {
  fuse_lowlevel_ops ops{};
  ops.init = Init;
  AddEntryOps(ops);
  AddFileOps(ops);
  AddDirOps(ops);
  AddLockOps(ops);
  AddWorkerOps(ops);
  MountState state;
  state.client = &client;
  state.attr_timeout = options.attr_timeout;
  state.dir_attrs.set_ttl(options.attr_timeout);
  state.xattr_free.set_ttl(options.attr_timeout);
  state.statahead.set_ttl(options.attr_timeout);
  state.entry_timeout = options.entry_timeout;
  state.mountpoint = options.mountpoint;
  state.on_mounted = on_mounted;

  std::string opts = "fsname=chainfs,subtype=chainfs,default_permissions,max_read=1048576";
  if (geteuid() == 0) opts += ",allow_other";
  std::vector<std::string> argv_s = {"chainfs", "-o", opts};
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_session* se = fuse_session_new(&args, &ops, sizeof(ops), &state);
  if (se == nullptr) return Status(StatusCode::kInternal, "fuse_session_new failed");
  Status result;
  if (fuse_set_signal_handlers(se) != 0) {
    result = Status(StatusCode::kInternal, "installing signal handlers failed");
  } else if (fuse_session_mount(se, options.mountpoint.c_str()) != 0) {
    result =
        Unavailable(fmt::format("mounting on {} failed (is /dev/fuse there, and are we "
                                "allowed to mount?)",
                                options.mountpoint));
    fuse_remove_signal_handlers(se);
  } else {
    int rc = ServeOnWorker(se, client, state.statahead, options.max_threads);
    fuse_session_unmount(se);
    fuse_remove_signal_handlers(se);
    if (rc < 0) result = Status(StatusCode::kIoError, fmt::format("FUSE loop: {}", strerror(-rc)));
  }
  fuse_session_destroy(se);
  return result;
}

}  // namespace chainfs::fuse
