#pragma once

#include <cstdint>

#include "common/ids.h"
#include "kv/kv.h"
#include "kv/retry.h"
#include "runtime/notifier.h"
#include "runtime/runtime.h"

namespace chainfs::meta {

// Hands out inode ids from batches reserved in the store (counter CNTR"inode", the next free
// id), so that creating a file costs no extra transaction: one transaction per batch per
// server. Ids are never reused; ids of a batch a server did not use before it stopped are
// skipped. The root is inode 1 and the first id handed out is 2.
// Belongs to one runtime's thread.
class InodeAllocator {
 public:
  InodeAllocator(kv::Engine& engine, Runtime& rt, uint32_t batch = 1000);
  InodeAllocator(const InodeAllocator&) = delete;
  InodeAllocator& operator=(const InodeAllocator&) = delete;

  Task<Result<InodeId>> Next();

 private:
  Task<Status> Refill();

  kv::Engine& engine_;
  Runtime& rt_;
  uint32_t batch_;
  uint64_t next_ = 0;  // next id of the current batch
  uint64_t end_ = 0;   // first id after it
  bool refilling_ = false;
  Notifier refilled_;
};

}  // namespace chainfs::meta
