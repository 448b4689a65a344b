// The busiest FUSE requests (lookup, getattr, unlink, open, create, read, flush, release)
// served on the client's own thread: each starts a coroutine there and replies when it ends,
// so neither the request nor its answer waits for another thread to wake. Every other request
// runs on the pool (worker_loop.cc). What a callback is handed lives only until it returns:
// coroutines take copies.
#include <fcntl.h>
#include <linux/fuse.h>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <mutex>
#include <string>

#include "client/api/client_impl.h"
#include "client/api/convert.h"
#include "common/buffer_pool.h"
#include "fuse/fuse_context.h"
#include "fuse/worker_loop.h"

namespace chainfs::fuse {
namespace {

client::FsClient& FsOf(fuse_req_t req) { return *StateOf(req).client->impl().fs; }

Statahead::Who WhoOf(const Credentials& who) { return {who.uid, who.gid, who.groups}; }

// Reads the attributes of up to Statahead::kMaxEntries entries of `dir` into the statahead,
// and the names, when that is all of them, into the kept listings.
Task<void> FetchAhead(client::FsClient& fs, MountState& m, InodeId dir, Credentials who,
                      uint64_t token) {
  Statahead& statahead = m.statahead;
  constexpr uint32_t kPage = 4096;
  auto started = Statahead::Clock::now();
  std::vector<meta::DirEntry> entries;
  std::vector<meta::Attr> attrs;
  std::string after;
  bool more = true;
  ListingBuilder listing(dir.value());
  while (more && entries.size() < Statahead::kMaxEntries) {
    Result<meta::ReaddirRsp> page =
        co_await fs.Readdir(api::ToCaller(who), dir, after, kPage, true);
    if (!page.ok() || page->attrs.size() != page->entries.size()) {
      statahead.FetchFailed();
      co_return;
    }
    if (page->entries.empty()) break;
    after = page->entries.back().name;
    more = page->more;
    DirPage names{.more = more, .version = page->version};
    names.entries.reserve(page->entries.size());
    for (const meta::DirEntry& e : page->entries) {
      names.entries.push_back({e.name, e.child.value(), api::TypeBits(e.type)});
    }
    listing.Add(entries.size(), names);
    std::move(page->entries.begin(), page->entries.end(), std::back_inserter(entries));
    std::move(page->attrs.begin(), page->attrs.end(), std::back_inserter(attrs));
  }
  m.dir_listings.Keep(listing.Take());
  statahead.Fetched(dir.value(), WhoOf(who), token, started, entries, std::move(attrs));
}

Task<void> ServeLookup(fuse_req_t req, fuse_ino_t parent, std::string name, Credentials who) {
  MountState& m = StateOf(req);
  if (std::optional<Statahead::Hit> hit = m.statahead.Find(parent, name, WhoOf(who))) {
    fuse_entry_param e = EntryOf(req, api::ToFileAttr(hit->attr));
    e.attr_timeout = std::min(e.attr_timeout, hit->seconds_left);
    e.entry_timeout = std::min(e.entry_timeout, hit->seconds_left);
    fuse_reply_entry(req, &e);
    co_return;
  }
  std::optional<uint64_t> fetch = m.statahead.Missed(parent, WhoOf(who));
  client::FsClient& fs = FsOf(req);
  Result<meta::Attr> r = co_await fs.Lookup(api::ToCaller(who), InodeId(parent), name);
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    // Not cached as absent: another client may create it at any moment.
    fuse_entry_param e{};
    fuse_reply_entry(req, &e);
  } else if (!r.ok()) {
    ReplyErr(req, api::Errno(r.status()));
  } else {
    ReplyEntry(req, 0, api::ToFileAttr(*r));
  }
  // The request is answered: from here on only what outlives it.
  if (fetch) co_await FetchAhead(fs, m, InodeId(parent), std::move(who), *fetch);
}

Task<void> ServeGetAttr(fuse_req_t req, fuse_ino_t ino) {
  DirAttrs& dirs = StateOf(req).dir_attrs;
  std::optional<meta::Attr> attr = dirs.Fresh(ino);
  if (!attr) {
    Result<meta::Attr> r = co_await FsOf(req).GetAttr(InodeId(ino));
    if (!r.ok()) {
      ReplyErr(req, api::Errno(r.status()));
      co_return;
    }
    dirs.Remember(*r);
    StateOf(req).xattr_free.Note(ino, (r->record.flags & meta::kInodeNoXattrs) != 0);
    attr = std::move(*r);
  }
  struct stat st = ToStat(api::ToFileAttr(*attr));
  fuse_reply_attr(req, &st, StateOf(req).attr_timeout);
}

Task<void> ServeRead(fuse_req_t req, uint64_t fh, size_t size, uint64_t offset) {
  PooledBuffer buffer = BufferPool::Default().Get(size);
  Result<size_t> n = co_await FsOf(req).Read(fh, offset, buffer.first(size));
  if (!n.ok()) {
    ReplyErr(req, api::Errno(n.status()));
    co_return;
  }
  fuse_reply_buf(req, buffer.data(), *n);
}

Task<void> ServeUnlink(fuse_req_t req, fuse_ino_t parent, std::string name, Credentials who) {
  Result<int64_t> time = co_await FsOf(req).Unlink(api::ToCaller(who), InodeId(parent), name);
  StateOf(req).dir_attrs.Removed(parent, time.ok() ? *time : 0);
  ReplyErr(req, api::Errno(time.status()));
}

// The open(2) flags the client acts on; the kernel adds its own (such as __FMODE_EXEC).
constexpr uint32_t kOpenFlags = O_ACCMODE | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC |
                                O_DIRECT | O_NOATIME | O_LARGEFILE;

// Answers an open or create with the client's handle; a kernel that no longer waits for the
// answer never closes it, so it is closed here.
Task<void> ReplyOpened(fuse_req_t req, fuse_ino_t ino, fuse_file_info fi, const meta::Attr& attr,
                       bool created, uint64_t handle) {
  fi.fh = handle;
  // Bytes another client wrote since the last open must be read again (close-to-open); the
  // pages of a file nobody changed since stay.
  fi.keep_cache = StateOf(req).kept_pages.KeepOnOpen(ino, attr) ? 1 : 0;
  fi.direct_io = (fi.flags & O_DIRECT) != 0;
  // What is needed after the answer, which ends `req`.
  Statahead& statahead = StateOf(req).statahead;
  client::FsClient& fs = FsOf(req);
  bool read_only = (fi.flags & O_ACCMODE) == O_RDONLY && (fi.flags & O_TRUNC) == 0;
  if (read_only) statahead.OpenedReadOnly(handle);  // before its flush can come
  int rc;
  if (created) {
    fuse_entry_param e = EntryOf(req, api::ToFileAttr(attr));
    rc = fuse_reply_create(req, &e, &fi);
  } else {
    rc = fuse_reply_open(req, &fi);
  }
  if (rc != 0) {
    statahead.ForgetHandle(handle);
    (void)co_await fs.Release(handle);
  }
}

Task<void> ServeOpen(fuse_req_t req, fuse_ino_t ino, fuse_file_info fi, Credentials who) {
  Result<client::OpenedFile> r =
      co_await FsOf(req).Open(api::ToCaller(who), InodeId(ino), fi.flags & kOpenFlags);
  if (!r.ok()) {
    ReplyErr(req, api::Errno(r.status()));
    co_return;
  }
  co_await ReplyOpened(req, ino, fi, r->attr, false, r->handle);
}

Task<void> ServeCreate(fuse_req_t req, fuse_ino_t parent, std::string name, mode_t mode,
                       fuse_file_info fi, Credentials who) {
  uint32_t flags = (fi.flags & kOpenFlags) | (fi.flags & (O_CREAT | O_EXCL));
  Result<client::OpenedFile> r =
      co_await FsOf(req).Create(api::ToCaller(who), InodeId(parent), name, mode & 07777, flags);
  if (!r.ok()) {
    ReplyErr(req, api::Errno(r.status()));
    co_return;
  }
  if (r->created) StateOf(req).dir_attrs.Added(parent, r->attr.record.ctime_ns, false);
  co_await ReplyOpened(req, r->attr.id.value(), fi, r->attr, true, r->handle);
}

Task<Status> Unlock(fuse_req_t req, fuse_ino_t ino, meta::LockKind kind, uint64_t owner) {
  LockRange all;
  all.type = LockType::kUnlock;
  co_return co_await FsOf(req).SetLock(InodeId(ino), kind, owner, api::ToLockRange(all), false,
                                       nullptr);
}

// Every close(2): sends what is buffered and reports the length; drops the closing process's
// POSIX locks on the file.
Task<void> ServeFlush(fuse_req_t req, fuse_ino_t ino, uint64_t handle, uint64_t lock_owner) {
  MountState& m = StateOf(req);
  Status st = co_await FsOf(req).Flush(handle);
  bool had_locks = false;
  {
    std::lock_guard lock(m.mu);
    had_locks = m.posix_owners.erase({ino, lock_owner}) > 0;
  }
  if (had_locks) (void)co_await Unlock(req, ino, meta::LockKind::kPosix, lock_owner);
  ReplyErr(req, api::Errno(st));
}

Task<void> ServeRelease(fuse_req_t req, fuse_ino_t ino, uint64_t handle, bool flock_release,
                        uint64_t lock_owner) {
  if (flock_release) (void)co_await Unlock(req, ino, meta::LockKind::kFlock, lock_owner);
  Status st = co_await FsOf(req).Release(handle);
  ReplyErr(req, api::Errno(st));
}

Task<void> ServeGetXattr(fuse_req_t req, fuse_ino_t ino, std::string name, size_t size,
                         Credentials who) {
  Result<std::string> value =
      co_await FsOf(req).GetXattr(api::ToCaller(who), InodeId(ino), std::move(name));
  if (!value.ok()) {
    ReplyErr(req, api::Errno(value.status()));
    co_return;
  }
  ReplySized(req, *value, size);
}

void Start(fuse_req_t req, Task<void> task, const char* what) {
  StateOf(req).client->impl().runtime().Spawn(CountedRequest(std::move(task), TakeChange()), what);
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Start(req, ServeLookup(req, parent, name, CallerOf(req)), "fuse lookup");
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Start(req, ServeGetAttr(req, ino), "fuse getattr");
}

// `ls -l` asks for two attributes of every entry, nearly always absent: answered here when
// the inode is known to have none.
void GetXattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  if (StateOf(req).xattr_free.Known(ino)) return ReplyErr(req, ENODATA);
  Start(req, ServeGetXattr(req, ino, name, size, CallerOf(req)), "fuse getxattr");
}

void Unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Start(req, ServeUnlink(req, parent, name, CallerOf(req)), "fuse unlink");
}

void Open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Start(req, ServeOpen(req, ino, *fi, CallerOf(req)), "fuse open");
}

void Create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  Start(req, ServeCreate(req, parent, name, mode, *fi, CallerOf(req)), "fuse create");
}

void Flush(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Start(req, ServeFlush(req, ino, fi->fh, fi->lock_owner), "fuse flush");
}

void Release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  Start(req, ServeRelease(req, ino, fi->fh, fi->flock_release != 0, fi->lock_owner),
        "fuse release");
}

void Read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  if (off < 0) return ReplyErr(req, EINVAL);
  Start(req, ServeRead(req, fi->fh, size, static_cast<uint64_t>(off)), "fuse read");
}

}  // namespace

bool ServedOnWorker(uint32_t opcode) {
  switch (opcode) {
    case FUSE_LOOKUP:
    case FUSE_GETATTR:
    case FUSE_GETXATTR:
    case FUSE_READ:
    case FUSE_UNLINK:
    case FUSE_OPEN:
    case FUSE_CREATE:
    case FUSE_FLUSH:
    case FUSE_RELEASE:
    case FUSE_FORGET:
    case FUSE_BATCH_FORGET:
    case FUSE_INTERRUPT:
      return true;
    default:
      return false;
  }
}

void AddWorkerOps(fuse_lowlevel_ops& ops) {
  ops.lookup = Lookup;
  ops.getattr = GetAttr;
  ops.getxattr = GetXattr;
  ops.unlink = Unlink;
  ops.open = Open;
  ops.create = Create;
  ops.read = Read;
  ops.flush = Flush;
  ops.release = Release;
}

}  // namespace chainfs::fuse
