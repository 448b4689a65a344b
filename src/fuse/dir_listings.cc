#include "fuse/dir_listings.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace chainfs::fuse {

std::shared_ptr<const DirListing> DirListings::Find(uint64_t dir, uint64_t version) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(kept_.begin(), kept_.end(), [&](const auto& l) { return l->dir == dir; });
  if (it == kept_.end()) return nullptr;
  if ((*it)->version != version) {
    // The directory changed since: this listing can never be used again.
    entries_ -= (*it)->entries.size();
    kept_.erase(it);
    return nullptr;
  }
  kept_.splice(kept_.begin(), kept_, it);
  return kept_.front();
}

void DirListings::Keep(std::shared_ptr<const DirListing> listing) {
  if (listing == nullptr || listing->entries.size() > kMaxListing) return;
  std::lock_guard lock(mu_);
  auto it = std::find_if(kept_.begin(), kept_.end(),
                         [&](const auto& l) { return l->dir == listing->dir; });
  if (it != kept_.end()) {
    entries_ -= (*it)->entries.size();
    kept_.erase(it);
  }
  entries_ += listing->entries.size();
  kept_.push_front(std::move(listing));
  while (kept_.size() > kMaxDirs || entries_ > kMaxEntries) {
    entries_ -= kept_.back()->entries.size();
    kept_.pop_back();
  }
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
  if (listing_ == nullptr) return false;
  std::vector<DirEntry>& entries = listing_->entries;
  bool follows = started_ ? base <= entries.size() && page.version == listing_->version : base == 0;
  if (!follows || base + page.entries.size() > DirListings::kMaxListing) {
    listing_ = nullptr;
    return false;
  }
  started_ = true;
  listing_->version = page.version;
  entries.resize(base);
  std::copy(page.entries.begin(), page.entries.end(), std::back_inserter(entries));
  ended_ = !page.more;
  return true;
}

std::shared_ptr<const DirListing> ListingBuilder::Take() {
  if (!ended_) return nullptr;
  return std::exchange(listing_, nullptr);
}

}  // namespace chainfs::fuse
