#include "fuse/dir_listings.h"

#include <linux/fuse.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace chainfs::fuse {

size_t DirentSize(std::string_view name) {
  return FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + name.size());
}

void AppendDirent(std::string& out, std::string_view name, uint64_t ino, uint32_t mode,
                  uint64_t next) {
  size_t at = out.size();
  out.resize(at + DirentSize(name));  // the padding after the name stays zero
  fuse_dirent head{};
  head.ino = ino;
  head.off = next;
  head.namelen = static_cast<uint32_t>(name.size());
  head.type = (mode & S_IFMT) >> 12;
  std::memcpy(out.data() + at, &head, FUSE_NAME_OFFSET);
  std::memcpy(out.data() + at + FUSE_NAME_OFFSET, name.data(), name.size());
}

void DirListing::Append(const DirEntry& e) {
  starts_.push_back(static_cast<uint32_t>(records_.size()));
  AppendDirent(records_, e.name, e.ino, e.mode, size() + 2);  // size() now counts e
}

void DirListing::Truncate(size_t n) {
  if (n >= size()) return;
  records_.resize(starts_[n]);
  starts_.resize(n);
}

DirEntry DirListing::At(size_t k) const {
  fuse_dirent head;
  const char* record = records_.data() + starts_[k];
  std::memcpy(&head, record, FUSE_NAME_OFFSET);
  return DirEntry{std::string(record + FUSE_NAME_OFFSET, head.namelen), head.ino, head.type << 12};
}

std::string_view DirListing::Records(size_t k, size_t bytes) const {
  if (k >= size()) return {};
  size_t begin = starts_[k];
  // The first entry whose record would end past `bytes`, or the end.
  auto end = std::upper_bound(starts_.begin() + static_cast<ptrdiff_t>(k) + 1, starts_.end(),
                              begin + bytes);
  size_t stop =
      end == starts_.end() && records_.size() - begin <= bytes ? records_.size() : *std::prev(end);
  return std::string_view(records_).substr(begin, stop - begin);
}

namespace {

// Where the listing of `dir` is in `kept` (a DirListings' list), or its end.
template <typename List>
auto Locate(List& kept, uint64_t dir) {
  return std::find_if(kept.begin(), kept.end(), [&](const auto& l) { return l->dir() == dir; });
}

}  // namespace

std::shared_ptr<const DirListing> DirListings::Find(uint64_t dir, uint64_t version) {
  std::lock_guard lock(mu_);
  auto it = Locate(kept_, dir);
  if (it == kept_.end()) return nullptr;
  if ((*it)->version() != version) {
    // The directory changed since: this listing can never be used again.
    entries_ -= (*it)->size();
    kept_.erase(it);
    return nullptr;
  }
  kept_.splice(kept_.begin(), kept_, it);
  return kept_.front();
}

void DirListings::Keep(std::shared_ptr<const DirListing> listing) {
  if (listing == nullptr || listing->size() > kMaxListing) return;
  std::lock_guard lock(mu_);
  auto it = Locate(kept_, listing->dir());
  if (it != kept_.end()) {
    entries_ -= (*it)->size();
    kept_.erase(it);
  }
  entries_ += listing->size();
  kept_.push_front(std::move(listing));
  while (kept_.size() > kMaxDirs || entries_ > kMaxEntries) {
    entries_ -= kept_.back()->size();
    kept_.pop_back();
  }
}

bool DirListings::Holds(uint64_t dir) const {
  std::lock_guard lock(mu_);
  return Locate(kept_, dir) != kept_.end();
}

size_t DirListings::dirs() const {
  std::lock_guard lock(mu_);
  return kept_.size();
}

size_t DirListings::entries() const {
  std::lock_guard lock(mu_);
  return entries_;
}

bool ListingBuilder::Add(uint64_t base, const DirPage& page) {
  if (given_up_) return false;
  bool follows = listing_ == nullptr
                     ? base == 0
                     : base <= listing_->size() && page.version == listing_->version();
  if (!follows || base + page.entries.size() > DirListings::kMaxListing) {
    given_up_ = true;
    listing_ = nullptr;
    return false;
  }
  if (listing_ == nullptr) listing_ = std::make_shared<DirListing>(dir_, page.version);
  listing_->Truncate(base);
  for (const DirEntry& e : page.entries) listing_->Append(e);
  ended_ = !page.more;
  return true;
}

std::shared_ptr<const DirListing> ListingBuilder::Take() {
  if (!ended_ || given_up_) return nullptr;
  given_up_ = true;
  return std::exchange(listing_, nullptr);
}

}  // namespace chainfs::fuse
