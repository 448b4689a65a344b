// FUSE callbacks on directories. The kernel resumes a listing by offset; the metadata servers
// by the last name returned. A directory handle keeps the page of entries it is in, and the
// offset of its first entry, so a listing of any size streams page by page, the next page
// fetched while the kernel takes entries from the current one. A whole listing read this way
// is kept (DirListings); when a later listing's first page shows the same version, the rest is
// read from there, as slices of the records it keeps ready for the kernel. The first page is
// fetched when the directory is opened; a read from offset 0 after that is a rewinddir, and
// fetches it again.
#include <fcntl.h>
#include <sys/stat.h>

#include <future>
#include <memory>
#include <mutex>
#include <optional>

#include "client/api/client_impl.h"
#include "client/api/convert.h"
#include "fuse/dir_answer.h"
#include "fuse/fuse_context.h"

namespace chainfs::fuse {
namespace {

struct DirStream {
  std::mutex mu;
  uint64_t ino = 0;
  uint64_t parent = 0;
  // Offsets 0 and 1 are "." and ".."; entry k of the listing has offset k + 2.
  uint64_t base = 0;  // the listing index of page.entries[0]
  std::string after;  // the page holds the entries after this name
  DirPage page;
  bool fetched = false;
  bool plus = false;      // the page carries attributes (readdirplus)
  bool answered = false;  // the kernel was answered: a read at offset 0 is a rewind
  // The page after this one, in flight while the kernel takes entries from this one.
  std::future<Result<DirPage>> ahead;
  std::string ahead_after;
  bool ahead_plus = false;
  // The whole listing kept from before, at the version of this listing's first page: every
  // entry is read from it. Else the pages so far, to be kept once the last one is in.
  std::shared_ptr<const DirListing> kept;
  std::optional<ListingBuilder> building;
};

DirStream* StreamOf(fuse_file_info* fi) { return reinterpret_cast<DirStream*>(fi->fh); }

// Entries per metadata page. A page with attributes costs the server an inode read and the
// kernel an inode update per entry, and the kernel asks for one (on a directory's first page,
// and after lookups in it) whatever it will use: kept small. A page of names is cheap per
// entry, so fewer, larger ones; beyond a few thousand entries a page got slower again (a
// 20,000-entry listing: 256 and 2,048 took 19.6-19.9 ms, 1,024 for both 23.6-29.6 ms, 256 and
// 4,096 28.6-34.6 ms).
constexpr uint32_t kPageWithAttrs = 256;
// The kernel asks for attributes on a directory's first page even when the program lists
// names only, so the first page is smaller still: a 20,000-entry listing, 256 against 64
// entries there, old and new daemons alternating on one cluster, three runs: 10.6-11.3 ms
// against 10.1-10.2 ms (the server read 192 fewer inodes). `ls -l` pays one more request.
// A first page without attributes is as small: it is fetched to show a kept listing's
// version.
constexpr uint32_t kFirstPage = 64;
constexpr uint32_t kPageOfNames = 2048;

void ReleaseDir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  delete StreamOf(fi);
  fuse_reply_err(req, 0);
}

Task<Result<DirPage>> FetchPage(client::FsClient& fs, meta::Caller caller, InodeId ino,
                                std::string after, uint32_t limit, bool plus) {
  Result<meta::ReaddirRsp> r = co_await fs.Readdir(caller, ino, std::move(after), limit, plus);
  if (!r.ok()) co_return r.status();
  co_return api::ToDirPage(*r);
}

std::future<Result<DirPage>> StartFetch(fuse_req_t req, const Credentials& who, uint64_t ino,
                                        const std::string& after, bool plus) {
  Client::Impl& impl = StateOf(req).client->impl();
  uint32_t limit = after.empty() ? kFirstPage : plus ? kPageWithAttrs : kPageOfNames;
  return impl.Start([&impl, caller = api::ToCaller(who), ino, after, limit, plus] {
    return FetchPage(*impl.fs, caller, InodeId(ino), after, limit, plus);
  });
}

// A page fetched at listing index `base`: on the first page, looks for a kept listing of the
// same version; otherwise adds the page to the listing being built, and keeps it when whole.
void Track(fuse_req_t req, DirStream& s, uint64_t base, const DirPage& page) {
  DirListings& listings = StateOf(req).dir_listings;
  if (base == 0) {
    s.kept = listings.Find(s.ino, page.version);
    s.building.reset();
    if (s.kept != nullptr) return;
    s.building.emplace(s.ino);
  }
  if (!s.building) return;
  if (!s.building->Add(base, page)) {
    s.building.reset();
  } else if (std::shared_ptr<const DirListing> whole = s.building->Take()) {
    listings.Keep(std::move(whole));
    s.building.reset();
  }
}

// Makes the page start at listing index `base` with the entries after the name `after`: the
// page fetched ahead if it is that one, else a new one. Past the first page, the next one is
// fetched ahead in the same kind (a listing that needs attributes keeps needing them).
int Fetch(fuse_req_t req, DirStream& s, const Credentials& who, uint64_t base,
          const std::string& after, bool plus) {
  Result<DirPage> page = Unavailable("no page fetched");
  if (s.ahead.valid()) {
    std::future<Result<DirPage>> ahead = std::move(s.ahead);
    if (s.ahead_after == after && s.ahead_plus == plus) page = ahead.get();
  }
  if (!page.ok()) page = StartFetch(req, who, s.ino, after, plus).get();
  if (!page.ok()) return api::Errno(page.status());
  Track(req, s, base, *page);
  s.base = base;
  s.after = after;
  s.page = std::move(*page);
  s.plus = plus;
  s.fetched = true;
  s.parent = s.page.parent;
  if (base > 0 && s.kept == nullptr && s.page.more && !s.page.entries.empty()) {
    s.ahead_after = s.page.entries.back().name;
    s.ahead_plus = plus;
    s.ahead = StartFetch(req, who, s.ino, s.ahead_after, plus);
  }
  return 0;
}

// Opening a directory to list it fetches its first page, in the round trip the first answer
// would have cost anyway; the fetch also checks that it is a directory the caller may read,
// and names its parent. The page has attributes, as the kernel asks for at offset 0, unless a
// listing of the directory is kept: then the page is likely only to show that listing's
// version, and the attributes would cost the server a read per entry.
int OpenToList(fuse_req_t req, DirStream& s) {
  bool plus = !StateOf(req).dir_listings.Holds(s.ino);
  return Fetch(req, s, CallerOf(req), 0, "", plus);
}

// Any other open of a directory (to fsync it, as SQLite does after each journal, to fchdir,
// or as the base of *at calls) only checks what it opened, with the attribute read that
// costs the server least; a listing through it fetches the first page when it begins.
int OpenOther(fuse_req_t req, DirStream& s) {
  FileAttr attr;
  int rc = StateOf(req).client->GetAttr(s.ino, &attr);
  if (rc != 0) return rc;
  if (!S_ISDIR(attr.mode)) return -ENOTDIR;
  s.parent = attr.parent;
  return 0;
}

// Programs about to list open with O_DIRECTORY: opendir(3), and what is built on it.
void OpenDir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto stream = std::make_unique<DirStream>();
  stream->ino = ino;
  int rc = (fi->flags & O_DIRECTORY) != 0 ? OpenToList(req, *stream) : OpenOther(req, *stream);
  if (rc != 0) return ReplyErr(req, rc);
  fi->fh = reinterpret_cast<uint64_t>(stream.get());
  fi->cache_readdir = 0;
  if (fuse_reply_open(req, fi) == 0) stream.release();
}

// Makes the page hold listing index `index` (or end the listing). Pages carry attributes only
// if the request that fetched them asked: the kernel asks on a directory's first page and
// after lookups in it, and reading each entry's inode costs the metadata server more than
// the listing itself. A readdirplus on a page without them fetches the rest of it again,
// from the entry before `index`, so no entry is skipped or repeated. Returns 0 or -errno.
int Seek(fuse_req_t req, DirStream& s, const Credentials& who, uint64_t index, bool plus) {
  if (s.kept != nullptr) return 0;  // it has every entry
  if (!s.fetched || index < s.base) {
    int rc = Fetch(req, s, who, 0, "", plus);
    if (rc != 0) return rc;
  } else if (plus && !s.plus && index < s.base + s.page.entries.size()) {
    size_t k = index - s.base;
    std::string after = k == 0 ? s.after : s.page.entries[k - 1].name;
    int rc = Fetch(req, s, who, index, after, plus);
    if (rc != 0) return rc;
  }
  while (index >= s.base + s.page.entries.size() && s.page.more && !s.page.entries.empty()) {
    std::string after = s.page.entries.back().name;
    int rc = Fetch(req, s, who, s.base + s.page.entries.size(), after, plus);
    if (rc != 0) return rc;
  }
  return 0;
}

// Entry `index` of the page, with its attributes when the page carries them; null outside it.
std::pair<const DirEntry*, const FileAttr*> EntryAt(const DirStream& s, uint64_t index) {
  if (index < s.base || index >= s.base + s.page.entries.size()) return {nullptr, nullptr};
  size_t k = index - s.base;
  return {&s.page.entries[k], k < s.page.attrs.size() ? &s.page.attrs[k] : nullptr};
}

// Entries from offset `at` (past "." and "..") of a kept listing: without attributes, a slice
// of its records. A readdirplus answer carries the attributes of the entries on the
// listing's first page. It ends with them: an entry without attributes costs the kernel a
// direntplus four times the size of a plain record and tells it nothing more, and unless it
// looks names up meanwhile, the kernel asks for the rest without attributes.
void FillFromKept(DirAnswer& answer, const DirStream& s, uint64_t at) {
  const DirListing& kept = *s.kept;
  if (!answer.plus()) return answer.AddRecords(s.kept, at - 2);
  for (uint64_t index = at - 2; index < kept.size(); ++index) {
    const FileAttr* attr = index < s.page.attrs.size() ? &s.page.attrs[index] : nullptr;
    if (attr == nullptr && answer.used() > 0 && index == s.page.attrs.size()) return;
    // The first page holds the same entries: it showed the listing's version.
    DirEntry e = kept.At(index);
    if (!answer.Add(e.name, e.ino, e.mode, index + 3, attr)) return;
  }
}

// Adds the entries from offset `off` to `answer`; 0, or -errno when nothing could be listed.
// Holds the stream's lock only while it runs: once the reply is sent, the kernel may release
// the stream on another thread.
int Fill(fuse_req_t req, DirStream& s, DirAnswer& answer, off_t off) {
  std::lock_guard guard(s.mu);
  Credentials who = CallerOf(req);
  bool plus = answer.plus();
  uint64_t at = static_cast<uint64_t>(off);
  if (at == 0 && s.answered) {
    // rewinddir: the listing starts again from the directory as it is now.
    int rc = Fetch(req, s, who, 0, "", plus);
    if (rc != 0) return rc;
  }
  s.answered = true;
  if (at == 0) {
    if (!answer.Add(".", s.ino, S_IFDIR, 1, nullptr)) return 0;
    at = 1;
  }
  if (at == 1) {
    if (!answer.Add("..", s.parent, S_IFDIR, 2, nullptr)) return 0;
    at = 2;
  }
  for (;; ++at) {
    uint64_t index = at - 2;
    // An answer ends with its page. The kernel parses it while the next page is fetched
    // ahead, where one answer of many pages would keep the server, this daemon and the kernel
    // waiting on each other in turn. And the attributes of a next page would cost the server
    // a read per entry, where the kernel asks for the rest without them unless it looked
    // names up meanwhile.
    if (answer.used() > 0 && s.kept == nullptr && s.fetched &&
        index >= s.base + s.page.entries.size()) {
      break;
    }
    int rc = Seek(req, s, who, index, plus);
    if (rc != 0) return answer.used() > 0 ? 0 : rc;
    // A kept listing needs no fetch: the answer fills the buffer.
    if (s.kept != nullptr) {
      FillFromKept(answer, s, at);
      break;
    }
    auto [e, attr] = EntryAt(s, index);
    if (e == nullptr) break;  // the end
    if (!answer.Add(e->name, e->ino, e->mode, at + 1, attr)) break;
  }
  return 0;
}

void List(fuse_req_t req, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  DirAnswer answer(req, size, plus);
  int rc = Fill(req, *StreamOf(fi), answer, off);
  if (rc != 0) return ReplyErr(req, rc);
  answer.Send();
}

void ReadDir(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  List(req, size, off, fi, false);
}

void ReadDirPlus(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  List(req, size, off, fi, true);
}

void FsyncDir(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) {
  ReplyErr(req, StateOf(req).client->SyncMetadata());
}

}  // namespace

void AddDirOps(fuse_lowlevel_ops& ops) {
  ops.opendir = OpenDir;
  ops.readdir = ReadDir;
  ops.readdirplus = ReadDirPlus;
  ops.releasedir = ReleaseDir;
  ops.fsyncdir = FsyncDir;
}

}  // namespace chainfs::fuse
