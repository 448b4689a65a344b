#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "fuse/fuse_context.h"

namespace chainfs::fuse {

// One answer to a readdir or readdirplus: entries written one by one, then possibly the
// records of a kept listing, sent from where the listing keeps them. Holds no more than the
// kernel's buffer size, and only as much memory as the entries written take: the kernel asks
// for up to 1 MiB, far more than most answers use.
class DirAnswer {
 public:
  DirAnswer(fuse_req_t req, size_t size, bool plus) : req_(req), size_(size), plus_(plus) {}

  bool plus() const { return plus_; }
  size_t used() const { return written_.size() + records_.size(); }
  size_t room() const { return size_ - used(); }

  // Adds one entry (with its attributes, when known) whose successor is at offset `next`;
  // false when it does not fit. Not after AddRecords.
  bool Add(const std::string& name, uint64_t ino, uint32_t mode, uint64_t next,
           const FileAttr* attr);
  // Ends the answer with as many of the records of `listing`'s entries from `k` on as fit.
  void AddRecords(std::shared_ptr<const DirListing> listing, size_t k);

  // Replies with what was added.
  void Send();

 private:
  fuse_req_t req_;
  size_t size_;
  bool plus_;
  std::string written_;
  std::shared_ptr<const DirListing> listing_;  // keeps records_ alive until sent
  std::string_view records_;
};

}  // namespace chainfs::fuse
