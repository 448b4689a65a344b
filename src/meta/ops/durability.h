#pragma once

#include "kv/kv.h"
#include "runtime/runtime.h"

namespace chainfs::meta {

// Makes every commit acknowledged before the call durable (the metadata server's sync barrier:
// fsync, fsyncdir, the periodic sync of relaxed commits, the GC before it removes chunks).
// A durable commit syncs the store's log up to itself, which holds every commit before it, so
// one small durable write does it on every engine: an atomic add to one of a few counters
// (few, so that servers sharing a PostgreSQL store seldom wait on one row).
Task<Status> MakeDurable(kv::Engine& engine, Runtime& rt);

}  // namespace chainfs::meta
