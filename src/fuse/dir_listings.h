#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "chainfs/client.h"

namespace chainfs::fuse {

// The bytes of the kernel's record (struct fuse_dirent) for an entry named `name`, padding
// included; and that record appended to `out`, saying that the entry after it is at `next`.
size_t DirentSize(std::string_view name);
void AppendDirent(std::string& out, std::string_view name, uint64_t ino, uint32_t mode,
                  uint64_t next);

// One directory's whole listing at one version of its entries (DirPage::version), held as
// the records a readdir answer is made of (the kernel's struct fuse_dirent), so that an answer
// from it is a copy of one slice. A stream's offsets 0 and 1 are its own "." and "..", and
// entry k is at offset k + 2, so entry k's record names k + 3 as the offset after it, in
// every stream. Not thread-safe to change; a kept listing is only read.
class DirListing {
 public:
  DirListing(uint64_t dir, uint64_t version) : dir_(dir), version_(version) {}

  uint64_t dir() const { return dir_; }
  uint64_t version() const { return version_; }
  size_t size() const { return starts_.size(); }

  // Adds `e` as entry size(); keeps only the first `n` entries.
  void Append(const DirEntry& e);
  void Truncate(size_t n);
  // Entry `k` (< size()): its name, inode number and file type bits.
  DirEntry At(size_t k) const;
  // The records of entries k, k + 1, ... that fit in `bytes`, whole ones only; empty from
  // size() on.
  std::string_view Records(size_t k, size_t bytes) const;

 private:
  uint64_t dir_;
  uint64_t version_;
  std::string records_;
  std::vector<uint32_t> starts_;  // where entry k's record begins in records_
};

// The whole listings this mount read last (by readdir, or by statahead), kept so that a
// directory listed again is read from here. Each listing is used only when a page fresh from
// a metadata server shows the same version: the version moves with every change to the
// directory's entries, by any client, so equal versions mean the listing is still exact. The
// check is the listing's first page, which an opendir fetches anyway; what it saves is every
// other page. Thread-safe.
class DirListings {
 public:
  // Listings longer than this are not kept; all of them together hold at most kMaxEntries.
  static constexpr size_t kMaxListing = 256 * 1024;
  static constexpr size_t kMaxEntries = 512 * 1024;
  static constexpr size_t kMaxDirs = 16;

  // The listing of `dir` at `version`, if kept.
  std::shared_ptr<const DirListing> Find(uint64_t dir, uint64_t version);
  // Whether a listing of `dir` is kept, at any version.
  bool Holds(uint64_t dir) const;
  // Keeps `listing` in place of any older one of its directory; the least recently found or
  // kept go first when there are too many.
  void Keep(std::shared_ptr<const DirListing> listing);

  size_t dirs() const;
  size_t entries() const;

 private:
  mutable std::mutex mu_;
  std::list<std::shared_ptr<const DirListing>> kept_;  // most recently used first
  size_t entries_ = 0;
};

// A listing put together from the pages a reader fetched. It stays whole only while the pages
// follow one another from the start and all show one version.
class ListingBuilder {
 public:
  explicit ListingBuilder(uint64_t dir) : dir_(dir) {}
  // The page whose first entry is entry `base` of the listing. A page fetched again from
  // inside the listing replaces what followed. False once the listing cannot be whole.
  bool Add(uint64_t base, const DirPage& page);
  // The whole listing once its last page was added (and then only once), else null.
  std::shared_ptr<const DirListing> Take();

 private:
  uint64_t dir_;
  std::shared_ptr<DirListing> listing_;  // from the first page on; null once given up or taken
  bool given_up_ = false;
  bool ended_ = false;
};

}  // namespace chainfs::fuse
