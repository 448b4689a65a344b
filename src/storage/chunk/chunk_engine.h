#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "kv/kv.h"
#include "storage/chunk/blob_store.h"
#include "storage/chunk/chunk_record.h"
#include "storage/chunk/chunk_update.h"

namespace chainfs::storage {

// The chunks of one target: records in a metadata store (RocksDB on a real server, memory in
// the simulation, where the store outlives a crashed process as a disk would) and bytes in a
// BlobStore. Every record is also held in memory, so reads and chain sync never touch the
// store.
//
// Updates are copy-on-write: a new version goes to a fresh slot, beside the committed one,
// except that growing a chunk (writes past its length, truncates) writes in place past the
// committed length, which the committed version never reads. Store() and Commit() return once
// the change is durable: bytes synced before the record that refers to them is committed.
//
// Callers serialize the updates of one chunk (the chain layer holds a lock per chunk); reads
// may run beside them. Not thread-safe: one executor.
class ChunkEngine {
 public:
  // `reserve_bytes`: the free space RoomFor() keeps on the disk.
  ChunkEngine(kv::Engine& store, Disk& disk, Clock& clock, std::string blob_dir,
              uint64_t reserve_bytes = 0);

  // Loads every record. kIoError / kCorruption naming what failed.
  Task<Status> Open();
  // Refuses every later change (kUnavailable): the process is going away, and nothing it still
  // has in flight may reach the store.
  void Close() {
    closed_ = true;
    blobs_.Close();
  }

  // The record of `chunk`, or nullptr for a chunk this target does not have.
  const ChunkRecord* Find(ChunkId chunk) const;
  const std::map<ChunkId, ChunkRecord>& records() const { return records_; }
  // The chunks whose record holds a pending version, kept beside the records: the background
  // pass that completes leftover versions looks at these only, not at every chunk.
  const std::set<ChunkId>& pending_chunks() const { return pending_; }

  // Stores `u` as the chunk's pending version, built on the committed one (kReplace takes
  // `data` as the whole chunk at any version). A pending version of the same number is
  // replaced: it was never committed, since it is still here. With `commit`, the new version
  // is committed at once (the tail). Errors: kInvalidArgument (the update does not fit the
  // chunk), kOutOfRange (a version other than committed + 1, or another pending version),
  // kCorruption (bytes it had to copy fail their checksum), kIoError.
  Task<Result<ChunkRecord>> Store(ChunkUpdate u, std::span<const char> data, bool commit);
  // kNoSpace when the disk has less than the reserve free and `u` brings a client's new bytes:
  // the caller refuses the update (BlobStore::CheckRoom). Removals give space back, and whole
  // chunks (kReplace: a leftover version completed, a sync, a repair) are versions the chain
  // holds already: they may use the reserve, or a full disk could keep a deletion waiting on
  // the version before it. Store() does not check either: a replica that must store an update
  // its chain has may use the reserve too.
  Status RoomFor(const ChunkUpdate& u) const {
    bool new_bytes = u.kind != UpdateKind::kRemove && u.kind != UpdateKind::kReplace;
    return new_bytes ? blobs_.CheckRoom(reserve_bytes_) : Status();
  }
  // Makes the pending `version` the committed one. Committing a version that already is
  // committed (or a chunk already removed) succeeds. kOutOfRange for any other version.
  Task<Status> Commit(ChunkId chunk, uint64_t version);
  // Removes the chunk whatever its versions (a sync found it should not exist here).
  Task<Status> Forget(ChunkId chunk);
  // Drops an uncommitted pending version (it can never commit: the chain moved on).
  Task<Status> DropPending(ChunkId chunk);

  // Reads up to out.size() bytes from `offset` of the committed version (or the pending one),
  // verifying the checksum of every block it touches; returns how many bytes it read (fewer
  // at the end of the chunk, 0 for a chunk that does not exist). kCorruption names the block.
  Task<Result<size_t>> Read(ChunkId chunk, bool pending, uint32_t offset, std::span<char> out);

  // The highest-indexed chunk of `inode` that exists (committed), with its record.
  std::optional<std::pair<ChunkId, ChunkRecord>> LastChunk(InodeId inode) const;
  uint64_t used_bytes() const { return blobs_.used_bytes(); }
  // Bytes the disk under this target can still take.
  Result<uint64_t> free_bytes() const { return blobs_.free_bytes(); }
  // Gives the blocks of chunks removed no later than `freed_by` (Clock::Now scale) back to the
  // disk, up to `max_bytes` of them; returns how many. Removals only queue their slots (which
  // writes may take meanwhile): punching a large deletion's blocks at once took the CPU and,
  // on a file system mounted with discard, the disk from everything else for seconds, so the
  // storage node calls this at its pace, and only for slots free for a while.
  Task<uint64_t> PunchFreed(uint64_t max_bytes, Nanos freed_by) {
    return blobs_.PunchDiscarded(max_bytes, freed_by);
  }
  bool punch_due(Nanos freed_by) const { return blobs_.punch_due(freed_by); }

 private:
  Task<Result<ChunkVersion>> Build(const ChunkRecord& rec, const ChunkUpdate& u,
                                   std::span<const char> data);
  // A version of `content` in a new slot, synced.
  Task<Result<ChunkVersion>> WriteFresh(const ChunkUpdate& u, std::span<const char> content);
  // `base` grown by `bytes` at `at` (its length) in its own slot, synced.
  Task<Result<ChunkVersion>> AppendInPlace(const ChunkVersion& base, uint32_t at,
                                           std::span<const char> bytes);
  Task<Result<ChunkVersion>> Shrink(const ChunkVersion& base, const ChunkUpdate& u);
  Task<Result<std::string>> ReadWhole(ChunkId chunk, const ChunkVersion& v);
  Task<Status> VerifiedRead(ChunkId chunk, const ChunkVersion& v, uint32_t offset,
                            std::span<char> out);
  Task<Status> Persist(ChunkId chunk, const ChunkRecord* rec);
  // Frees the slots `old` used that `now` no longer does.
  void FreeUnused(const ChunkRecord& old, const ChunkRecord* now);

  kv::Engine& store_;
  BlobStore blobs_;
  std::map<ChunkId, ChunkRecord> records_;
  std::set<ChunkId> pending_;
  uint64_t reserve_bytes_ = 0;
  bool closed_ = false;
};

}  // namespace chainfs::storage
