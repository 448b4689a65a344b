#pragma once

#include "rpc/service.h"
#include "storage/service/storage_messages.h"

// The storage service. Method ids are wire format: never reuse or renumber them.
#define CHAINFS_STORAGE_METHODS(M)                                                             \
  M(1, Write, ::chainfs::storage::WriteReq, ::chainfs::storage::WriteRsp)                      \
  M(2, Forward, ::chainfs::storage::ForwardReq, ::chainfs::storage::ForwardRsp)                \
  M(3, Read, ::chainfs::storage::ReadReq, ::chainfs::storage::ReadRsp)                         \
  M(4, Committed, ::chainfs::storage::CommittedReq, ::chainfs::storage::CommittedRsp)          \
  M(5, ListChunks, ::chainfs::storage::ListChunksReq, ::chainfs::storage::ListChunksRsp)       \
  M(6, SyncDone, ::chainfs::storage::SyncDoneReq, ::chainfs::storage::Empty)                   \
  M(7, LastChunk, ::chainfs::storage::LastChunkReq, ::chainfs::storage::LastChunkRsp)          \
  M(8, RemoveChunks, ::chainfs::storage::RemoveChunksReq, ::chainfs::storage::RemoveChunksRsp) \
  M(9, BatchRead, ::chainfs::storage::BatchReadReq, ::chainfs::storage::BatchReadRsp)

namespace chainfs::storage {
CHAINFS_SERVICE(StorageService, 20, CHAINFS_STORAGE_METHODS)
}  // namespace chainfs::storage
