#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "chainfs/client.h"

namespace chainfs::fuse {

// One directory's whole listing at one version of its entries (DirPage::version).
struct DirListing {
  uint64_t dir = 0;
  uint64_t version = 0;
  std::vector<DirEntry> entries;  // in listing order
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
  explicit ListingBuilder(uint64_t dir) : listing_(std::make_shared<DirListing>()) {
    listing_->dir = dir;
  }
  // The page whose first entry is entry `base` of the listing. A page fetched again from
  // inside the listing replaces what followed. False once the listing cannot be whole.
  bool Add(uint64_t base, const DirPage& page);
  // The whole listing once its last page was added (and then only once), else null.
  std::shared_ptr<const DirListing> Take();

 private:
  std::shared_ptr<DirListing> listing_;  // null once given up or taken
  bool started_ = false;
  bool ended_ = false;
};

}  // namespace chainfs::fuse
