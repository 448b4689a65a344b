#pragma once

#include <memory>
#include <string>

#include "client/fs_client.h"
#include "client/read_ahead.h"

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
  std::unique_ptr<ReadAhead> read_ahead;
};

}  // namespace chainfs::client
