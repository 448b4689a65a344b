#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/ids.h"
#include "rpc/wire/serde.h"
#include "storage/chunk/chunk_update.h"

// The requests and responses of the storage service. Chunk bytes travel as the RPC's bulk
// payload, never in these messages. Wire format: append fields only.
namespace chainfs::storage {

// Which replica a request is for, and the chain version the sender routed it by: a replica
// whose chain has another version answers kStaleRouting instead of acting.
struct ChainRef {
  ChainId chain;
  uint64_t chain_version = 0;
  TargetId target;
  CHAINFS_MESSAGE(ChainRef, chain, chain_version, target)
};

// To the head. The head assigns the version; bulk = the bytes of a kWrite.
struct WriteReq {
  ChainRef ref;
  ChunkUpdate update;
  CHAINFS_MESSAGE(WriteReq, ref, update)
};

struct WriteRsp {
  uint64_t version = 0;
  uint32_t length = 0;  // the chunk's length after the update
  CHAINFS_MESSAGE(WriteRsp, version, length)
};

// From a replica to its successor. `force` (for a syncing successor, and chain sync) makes the
// receiver take the update whatever versions it holds; such updates commit at once.
struct ForwardReq {
  ChainRef ref;
  ChunkUpdate update;
  bool force = false;
  CHAINFS_MESSAGE(ForwardReq, ref, update, force)
};

struct ForwardRsp {
  uint64_t version = 0;
  CHAINFS_MESSAGE(ForwardRsp, version)
};

// To any serving replica; bulk = the bytes read.
struct ReadReq {
  ChainRef ref;
  ChunkId chunk;
  uint32_t offset = 0;
  uint32_t length = 0;
  // 0 for a client: the version it may see now. A replica repairing its copy names the version
  // it wants instead, and gets the committed one at once (the answer says which it is), without
  // waiting for an update in flight, which may be waiting for the repair.
  uint64_t version = 0;
  CHAINFS_MESSAGE(ReadReq, ref, chunk, offset, length, version)
};

struct ReadRsp {
  uint64_t version = 0;
  uint32_t chunk_length = 0;
  // CRC32C of the bytes returned, so the client checks them end to end.
  uint32_t bulk_crc = 0;
  CHAINFS_MESSAGE(ReadRsp, version, chunk_length, bulk_crc)
};

// Several reads for one storage server in one call: the bytes of read i are at the sum of the
// lengths asked for before it in the response's bulk payload, `lengths[i]` of them.
struct BatchReadReq {
  std::vector<ReadReq> reads;
  CHAINFS_MESSAGE(BatchReadReq, reads)
};

struct BatchReadRsp {
  std::vector<ReadRsp> results;
  std::vector<uint32_t> lengths;
  // Per read: 0, or the status code of its failure and why.
  std::vector<uint16_t> codes;
  std::vector<std::string> errors;
  CHAINFS_MESSAGE(BatchReadRsp, results, lengths, codes, errors)
};

// To the serving tail: which version of the chunk is committed.
struct CommittedReq {
  ChainRef ref;
  ChunkId chunk;
  CHAINFS_MESSAGE(CommittedReq, ref, chunk)
};

struct CommittedRsp {
  uint64_t version = 0;
  CHAINFS_MESSAGE(CommittedRsp, version)
};

// A chunk as one replica holds it: its committed version (0 and empty when only a pending
// version exists), and whether a pending version is there too.
struct ChunkSummary {
  ChunkId chunk;
  uint64_t version = 0;
  uint32_t length = 0;
  std::vector<uint32_t> block_crcs;
  bool has_pending = false;
  CHAINFS_MESSAGE(ChunkSummary, chunk, version, length, block_crcs, has_pending)
};

// Every chunk record of one target, in id order, after `after` (when set).
struct ListChunksReq {
  TargetId target;
  bool from_start = true;
  ChunkId after;
  uint32_t limit = 1024;
  CHAINFS_MESSAGE(ListChunksReq, target, from_start, after, limit)
};

struct ListChunksRsp {
  std::vector<ChunkSummary> chunks;
  bool more = false;
  CHAINFS_MESSAGE(ListChunksRsp, chunks, more)
};

// From a syncing target's predecessor once every chunk is sent.
struct SyncDoneReq {
  ChainRef ref;
  CHAINFS_MESSAGE(SyncDoneReq, ref)
};

// The last chunk of a file on this chain (for a file's true length after its writer died).
struct LastChunkReq {
  ChainRef ref;
  InodeId inode;
  CHAINFS_MESSAGE(LastChunkReq, ref, inode)
};

struct LastChunkRsp {
  bool found = false;
  uint64_t index = 0;
  uint32_t length = 0;
  CHAINFS_MESSAGE(LastChunkRsp, found, index, length)
};

// Whole files in one RemoveChunksReq, at most.
inline constexpr size_t kMaxWholeFilesPerRemoval = 4096;

// To the head: removes the chunks of `inode` with begin_index <= index < end_index, and every
// chunk of each of `whole_files` (the collector's files of a pass, in one call per chain).
struct RemoveChunksReq {
  ChainRef ref;
  InodeId inode;
  uint64_t begin_index = 0;
  uint64_t end_index = UINT64_MAX;
  uint64_t client = 0;
  std::vector<InodeId> whole_files;
  CHAINFS_MESSAGE(RemoveChunksReq, ref, inode, begin_index, end_index, client, whole_files)
};

struct RemoveChunksRsp {
  uint32_t removed = 0;
  bool more = false;
  CHAINFS_MESSAGE(RemoveChunksRsp, removed, more)
};

struct Empty {
  CHAINFS_MESSAGE(Empty)
};

}  // namespace chainfs::storage
