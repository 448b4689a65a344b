#include "fuse/dir_listings.h"

#include <linux/fuse.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace chainfs::fuse {

void DirListing::Append(const DirEntry& e) {
  size_t at = records_.size();
  size_t length = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + e.name.size());
  records_.resize(at + length);  // the padding after the name stays zero
  fuse_dirent head{};
  head.ino = e.ino;
  head.off = size() + 3;
  head.namelen = static_cast<uint32_t>(e.name.size());
  head.type = (e.mode & S_IFMT) >> 12;
  std::memcpy(records_.data() + at, &head, FUSE_NAME_OFFSET);
  std::memcpy(records_.data() + at + FUSE_NAME_OFFSET, e.name.data(), e.name.size());
  starts_.push_back(static_cast<uint32_t>(at));
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

std::shared_ptr<const DirListing> DirListings::Find(uint64_t dir, uint64_t version) {
  std::lock_guard lock(mu_);
  auto it =
      std::find_if(kept_.begin(), kept_.end(), [&](const auto& l) { return l->dir() == dir; });
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
  auto it = std::find_if(kept_.begin(), kept_.end(),
                         [&](const auto& l) { return l->dir() == listing->dir(); });
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
  return std::any_of(kept_.begin(), kept_.end(), [&](const auto& l) { return l->dir() == dir; });
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
