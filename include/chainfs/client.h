#pragma once

// The public C++ API of chainfs: a client of one cluster, used by the FUSE daemon, the S3
// gateway and the Python SDK. Every call is synchronous and thread-safe; failures are returned
// as a negative errno (ENOENT, EACCES, ...), never thrown. Two levels:
//   - by inode (what the FUSE daemon needs): Lookup, GetAttr, Mknod, Open by inode, ...
//   - by path (for programs): Stat, Mkdir, OpenPath, ReadDir, Rename, Unlink, ...
// File bytes move between the caller's buffers and the storage servers; the metadata servers
// never carry them. Close-to-open consistency: after Flush (every close) or Fsync on one
// client, a later open on any client sees the bytes and the length. Durability: a call's
// changes survive a crash of any chainfs process once it returns; they survive a failure of
// the metadata server's machine once Fsync (of a file) or SyncMetadata returns, or on their
// own a moment later (the server's meta.sync_interval_ms).

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace chainfs {

// Who makes a call; permissions are checked against it, and new files belong to it.
struct Credentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;
  // Taken from the mode of what the caller creates, unless a default ACL applies instead.
  uint32_t umask = 0;
};

struct FileAttr {
  uint64_t ino = 0;
  uint32_t mode = 0;  // file type and permission bits, as st_mode
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  uint64_t size = 0;
  int64_t atime_ns = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint64_t parent = 0;     // directories: the directory holding it (the root's is itself)
  bool no_xattrs = false;  // known to have no extended attributes
};

struct DirEntry {
  std::string name;
  uint64_t ino = 0;
  uint32_t mode = 0;  // the file type bits only
};

// One page of a directory: entries sorting after a name.
struct DirPage {
  std::vector<DirEntry> entries;
  bool more = false;
  std::vector<FileAttr> attrs;  // with `plus`: one per entry
  // Moves with every change to the directory's entries: pages with the same version are parts
  // of one listing that did not change between them.
  uint64_t version = 0;
  uint64_t parent = 0;  // the directory's (the root's is itself): its ".." entry
};

struct FsStats {
  uint64_t total_bytes = 0;
  uint64_t free_bytes = 0;
  uint64_t total_inodes = 0;
  uint64_t free_inodes = 0;
  uint32_t block_size = 4096;
  uint32_t max_name = 255;
};

// A change for SetAttr; absent fields stay.
struct AttrChange {
  bool set_mode = false, set_uid = false, set_gid = false, set_size = false;
  bool set_atime = false, set_mtime = false, times_to_now = false;
  uint32_t mode = 0, uid = 0, gid = 0;
  uint64_t size = 0;
  int64_t atime_ns = 0, mtime_ns = 0;
};

enum class LockKind { kFlock, kPosix };
enum class LockType { kUnlock, kRead, kWrite };

struct LockRange {
  uint64_t start = 0;
  uint64_t end = UINT64_MAX;  // inclusive; UINT64_MAX: to the end of any file
  LockType type = LockType::kRead;
  uint32_t pid = 0;
};

class Client {
 public:
  // Reads the client config (TOML) at `config_path` (none when empty), applies `key=value`
  // overrides, and connects: nullptr with `*error` naming the problem (a broken config, no
  // cluster manager or metadata server answering, a wrong secret).
  static std::unique_ptr<Client> Connect(const std::string& config_path,
                                         const std::vector<std::string>& overrides,
                                         std::string* error);
  ~Client();  // flushes open files and ends the session
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // By inode. The root is inode 1.
  int Lookup(const Credentials& who, uint64_t parent, const std::string& name, FileAttr* attr);
  int GetAttr(uint64_t ino, FileAttr* attr);
  int SetAttr(const Credentials& who, uint64_t ino, const AttrChange& change, FileAttr* attr);
  // `mode` holds the file type (S_IFREG, S_IFDIR, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK).
  int Mknod(const Credentials& who, uint64_t parent, const std::string& name, uint32_t mode,
            uint64_t rdev, FileAttr* attr);
  int Symlink(const Credentials& who, uint64_t parent, const std::string& name,
              const std::string& target, FileAttr* attr);
  int Readlink(uint64_t ino, std::string* target);
  int Link(const Credentials& who, uint64_t ino, uint64_t parent, const std::string& name,
           FileAttr* attr);
  int Unlink(const Credentials& who, uint64_t parent, const std::string& name);
  int Rmdir(const Credentials& who, uint64_t parent, const std::string& name);
  int Rename(const Credentials& who, uint64_t parent, const std::string& name, uint64_t new_parent,
             const std::string& new_name, unsigned flags);
  // Entries sorting after `after`; `limit` 0 means the server's page size. With `plus`, the
  // page carries each entry's attributes too, in the same call.
  int ReadDir(const Credentials& who, uint64_t ino, const std::string& after, uint32_t limit,
              DirPage* page, bool plus = false);
  int StatFs(FsStats* stats);
  int SetXattr(const Credentials& who, uint64_t ino, const std::string& name,
               const std::string& value, int flags);
  int GetXattr(const Credentials& who, uint64_t ino, const std::string& name, std::string* value);
  int ListXattr(const Credentials& who, uint64_t ino, std::vector<std::string>* names);
  int RemoveXattr(const Credentials& who, uint64_t ino, const std::string& name);
  // `owner` names the lock owner within this client (an open file, a process). With `wait`,
  // blocks until the lock is granted or `interrupted` (polled) returns true (-EINTR).
  int SetLock(uint64_t ino, LockKind kind, uint64_t owner, const LockRange& range, bool wait,
              bool (*interrupted)(void*) = nullptr, void* arg = nullptr);
  // *conflict gets the first conflicting lock; its type is kUnlock when there is none.
  int GetLock(uint64_t ino, LockKind kind, uint64_t owner, const LockRange& range,
              LockRange* conflict);

  // Open files: `*fh` names the open file in later calls. `flags` as open(2).
  int Open(const Credentials& who, uint64_t ino, int flags, uint64_t* fh, FileAttr* attr);
  int Create(const Credentials& who, uint64_t parent, const std::string& name, uint32_t mode,
             int flags, uint64_t* fh, FileAttr* attr);
  ssize_t Pread(uint64_t fh, void* buf, size_t count, uint64_t offset);
  ssize_t Pwrite(uint64_t fh, const void* buf, size_t count, uint64_t offset);
  int Flush(uint64_t fh);
  int Fsync(uint64_t fh);
  // Every metadata change answered so far is durable on return (fsyncdir).
  int SyncMetadata();
  int Close(uint64_t fh);
  int Fallocate(uint64_t fh, int mode, uint64_t offset, uint64_t length);
  ssize_t CopyFileRange(uint64_t fh_in, uint64_t offset_in, uint64_t fh_out, uint64_t offset_out,
                        size_t length);

  // By path ("/a/b", from the root; symlinks are not followed).
  int Stat(const Credentials& who, const std::string& path, FileAttr* attr);
  int Mkdir(const Credentials& who, const std::string& path, uint32_t mode);
  int OpenPath(const Credentials& who, const std::string& path, int flags, uint32_t mode,
               uint64_t* fh);
  int ReadDirPath(const Credentials& who, const std::string& path, std::vector<DirEntry>* entries);
  int RenamePath(const Credentials& who, const std::string& from, const std::string& to);
  int UnlinkPath(const Credentials& who, const std::string& path);
  int RmdirPath(const Credentials& who, const std::string& path);

  // What stands behind the client (src/client/api/client_impl.h), for the FUSE daemon in
  // this repository; not part of the API.
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  int Resolve(const Credentials& who, const std::string& path, bool parent_only, uint64_t* ino,
              std::string* leaf);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chainfs
