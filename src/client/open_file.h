#pragma once

#include <memory>
#include <string>

#include "client/fs_client.h"
#include "common/buffer_pool.h"

// What FsClient keeps for an open file and for each of its handles (private to FsClient).
namespace chainfs::client {

struct FsClient::OpenInode {
  meta::Attr attr;  // as of the open, the last length report, or a refresh
  std::unique_ptr<FileWriter> writer;
  int handles = 0;
  uint64_t written_end = 0;  // the end of the furthest byte this client wrote
  bool wrote = false;        // since the last report
  uint64_t stamp = 0;        // of the last open sent for it (see meta::OpenWriteSession)
  uint64_t generation = 0;   // moves with every change made here: read-ahead windows check it
};

struct FsClient::Handle {
  std::shared_ptr<OpenInode> file;
  meta::Caller caller;
  uint32_t flags = 0;
  // Read-ahead: where the next sequential read would start, the window grown by sequential
  // reads, and the bytes read ahead.
  uint64_t next_offset = UINT64_MAX;
  uint64_t window = 0;
  uint64_t cached_offset = 0;
  PooledBuffer cached;  // its first cached_length bytes
  uint64_t cached_length = 0;
  uint64_t cached_generation = 0;
};

}  // namespace chainfs::client
