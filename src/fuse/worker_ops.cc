// The busiest FUSE requests (lookup, getattr, read) served on the client's own thread: each
// starts a coroutine there and replies when it ends, so neither the request nor its answer
// waits for another thread to wake. Every other request runs on the pool (worker_loop.cc).
#include <linux/fuse.h>

#include <cerrno>
#include <string>

#include "client/api/client_impl.h"
#include "client/api/convert.h"
#include "common/buffer_pool.h"
#include "fuse/fuse_context.h"
#include "fuse/worker_loop.h"

namespace chainfs::fuse {
namespace {

client::FsClient& FsOf(fuse_req_t req) { return *StateOf(req).client->impl().fs; }

Task<void> ServeLookup(fuse_req_t req, fuse_ino_t parent, std::string name, Credentials who) {
  Result<meta::Attr> r = co_await FsOf(req).Lookup(api::ToCaller(who), InodeId(parent), name);
  if (!r.ok() && r.status().code() == StatusCode::kNotFound) {
    // Not cached as absent: another client may create it at any moment.
    fuse_entry_param e{};
    fuse_reply_entry(req, &e);
    co_return;
  }
  if (!r.ok()) {
    ReplyErr(req, api::Errno(r.status()));
    co_return;
  }
  ReplyEntry(req, 0, api::ToFileAttr(*r));
}

Task<void> ServeGetAttr(fuse_req_t req, fuse_ino_t ino) {
  Result<meta::Attr> r = co_await FsOf(req).GetAttr(InodeId(ino));
  if (!r.ok()) {
    ReplyErr(req, api::Errno(r.status()));
    co_return;
  }
  struct stat st = ToStat(api::ToFileAttr(*r));
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

void Start(fuse_req_t req, Task<void> task, const char* what) {
  StateOf(req).client->impl().runtime().Spawn(CountedRequest(std::move(task)), what);
}

void Lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  Start(req, ServeLookup(req, parent, name, CallerOf(req)), "fuse lookup");
}

void GetAttr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  Start(req, ServeGetAttr(req, ino), "fuse getattr");
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
    case FUSE_READ:
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
  ops.read = Read;
}

}  // namespace chainfs::fuse
