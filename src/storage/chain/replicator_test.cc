#include "storage/chain/replicator.h"

#include <gtest/gtest.h>

#include "kv/mem/mem_engine.h"
#include "rpc/server.h"
#include "runtime/sim/sim_node.h"
#include "runtime/sim/sim_run.h"
#include "storage/service/storage_handler.h"

namespace chainfs::storage {
namespace {

using namespace std::chrono_literals;
using mgmtd::LocalState;
using mgmtd::PublicState;

// A write in the background: its answer goes to `out` when it comes.
Task<void> WriteInto(StorageService::Client client, WriteReq req, std::string data,
                     std::shared_ptr<std::optional<Result<WriteRsp>>> out) {
  rpc::CallOptions opts;
  opts.request_bulk = data;
  Result<WriteRsp> rsp = co_await client.Write(std::move(req), opts);
  *out = std::move(rsp);
}

constexpr char kSecret[] = "replicator-test";
constexpr uint32_t kChunk = 128 << 10;
constexpr ChainId kChain{1};

// One simulated storage server hosting one target. Its metadata store outlives Crash(), as
// the disk does.
struct Replica {
  Replica(SimWorld& world, SimNetwork& net, std::string name, TargetId id)
      : node(world, net, name), target(id) {}

  void Start(std::shared_ptr<const mgmtd::RoutingInfo> routing) {
    pool = std::make_unique<rpc::ClientPool>(node, rpc::RpcOptions{}, kSecret);
    replicator = std::make_unique<Replicator>(*pool, node.clock());
    auto local = std::make_unique<LocalTarget>();
    local->id = target;
    local->engine = std::make_unique<ChunkEngine>(store, node.disk(), node.clock(), "target/blobs");
    engine = local->engine.get();
    replicator->AddTarget(std::move(local));
    replicator->SetRouting(std::move(routing));
    handler = std::make_unique<StorageHandler>(*replicator);
    server = std::make_unique<rpc::Server>(node, rpc::RpcOptions{}, kSecret);
    StorageService::Register(server->dispatcher(), *handler);
    CHECK(server->Start({node.name(), 9000}).ok());
  }
  void Stop() {
    server.reset();
    handler.reset();
    replicator.reset();
    if (pool) pool->CloseAll();
    pool.reset();
  }

  SimNode node;
  TargetId target;
  kv::MemEngine store;
  ChunkEngine* engine = nullptr;
  std::unique_ptr<rpc::ClientPool> pool;
  std::unique_ptr<Replicator> replicator;
  std::unique_ptr<StorageHandler> handler;
  std::unique_ptr<rpc::Server> server;
};

class ReplicatorTest : public ::testing::Test {
 public:
  template <typename T>
  T Run(Task<T> task) {
    auto r = RunSimTask(world_, std::move(task), Nanos(600s));
    CHECK(r.has_value());
    return std::move(*r);
  }

 protected:
  ReplicatorTest() : world_(21), net_(world_, {}), client_(world_, net_, "client") {
    pool_ = std::make_unique<rpc::ClientPool>(client_, rpc::RpcOptions{}, kSecret);
    auto routing = std::make_shared<mgmtd::RoutingInfo>();
    routing->version = 1;
    mgmtd::Chain chain{kChain, 1, {}};
    for (int i = 0; i < 3; ++i) {
      std::string name = "s" + std::to_string(i + 1);
      replicas_.push_back(std::make_unique<Replica>(world_, net_, name, TargetId(i + 1)));
      routing->nodes[NodeId(i + 1)] =
          mgmtd::NodeInfo{NodeId(i + 1), mgmtd::NodeRole::kStorage, name + ":9000", true};
      routing->targets[TargetId(i + 1)] =
          mgmtd::TargetInfo{TargetId(i + 1), NodeId(i + 1), kChain, LocalState::kUpToDate, 0, 0};
      chain.targets.push_back(mgmtd::ChainTarget{TargetId(i + 1), PublicState::kServing});
    }
    routing->chains[kChain] = chain;
    routing_ = routing;
    for (auto& r : replicas_) r->Start(routing_);
    for (auto& r : replicas_) CHECK(Run(r->engine->Open()).ok());
  }
  ~ReplicatorTest() override {
    for (auto& r : replicas_) r->Stop();
    pool_->CloseAll();
    world_.Shutdown();
  }

  // Publishes a new routing version in which each target reports `local`.
  void Report(std::map<TargetId, LocalState> local) {
    auto next = std::make_shared<mgmtd::RoutingInfo>(*routing_);
    next->version++;
    next->chains[kChain] = mgmtd::NextChain(routing_->chains.at(kChain), local);
    routing_ = next;
    for (auto& r : replicas_) {
      if (r->replicator) r->replicator->SetRouting(routing_);
    }
  }
  const mgmtd::Chain& chain() const { return routing_->chains.at(kChain); }

  StorageService::Client ClientFor(TargetId t) {
    auto address = routing_->AddressOf(t);
    return StorageService::Client(rpc::Channel{pool_.get(), *address});
  }

  // A client's write of `data` at `offset` of chunk `index`, to the head.
  WriteReq MakeWrite(uint64_t index, uint32_t offset, const std::string& data, uint64_t seq,
                     InodeId inode = InodeId(9)) {
    WriteReq req;
    req.ref = ChainRef{kChain, chain().version, mgmtd::WritePath(chain()).front()};
    req.update.chunk = ChunkId{inode, index};
    req.update.kind = UpdateKind::kWrite;
    req.update.chunk_size_bytes = kChunk;
    req.update.offset = offset;
    req.update.length = data.size();
    req.update.tag = UpdateTag{77, seq};
    return req;
  }

  Result<WriteRsp> Write(uint64_t index, uint32_t offset, const std::string& data, uint64_t seq,
                         InodeId inode = InodeId(9)) {
    WriteReq req = MakeWrite(index, offset, data, seq, inode);
    TargetId head = req.ref.target;
    rpc::CallOptions opts;
    opts.request_bulk = data;
    return Run(ClientFor(head).Write(std::move(req), opts));
  }

  Result<std::string> Read(TargetId from, uint64_t index) {
    ReadReq req;
    req.ref = ChainRef{kChain, chain().version, from};
    req.chunk = ChunkId{InodeId(9), index};
    req.length = kChunk;
    std::string out(kChunk, '\0');
    size_t got = 0;
    rpc::CallOptions opts{.response_bulk = out, .response_bulk_len = &got};
    Result<ReadRsp> rsp = Run(ClientFor(from).Read(std::move(req), opts));
    if (!rsp.ok()) return rsp.status();
    out.resize(got);
    return out;
  }

  SimWorld world_;
  SimNetwork net_;
  SimNode client_;
  std::unique_ptr<rpc::ClientPool> pool_;
  std::vector<std::unique_ptr<Replica>> replicas_;
  friend void FlipByte(ReplicatorTest*, Replica&, ChunkId, uint64_t);
  std::shared_ptr<const mgmtd::RoutingInfo> routing_;
};

TEST_F(ReplicatorTest, WriteReachesEveryReplica) {
  auto w = Write(0, 0, "hello chain", 1);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->version, 1u);
  for (int t = 1; t <= 3; ++t) EXPECT_EQ(*Read(TargetId(t), 0), "hello chain") << t;
  // A retry with the same tag changes nothing.
  auto again = Write(0, 0, "hello chain", 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 1u);
  for (auto& r : replicas_)
    EXPECT_EQ(r->engine->Find(ChunkId{InodeId(9), 0})->committed.version, 1u);
}

TEST_F(ReplicatorTest, StaleChainVersionIsARoutingError) {
  WriteReq req;
  req.ref = ChainRef{kChain, chain().version + 1, TargetId(1)};
  req.update.chunk = ChunkId{InodeId(9), 0};
  req.update.chunk_size_bytes = kChunk;
  req.update.length = 1;
  req.update.tag = UpdateTag{77, 1};
  rpc::CallOptions opts;
  opts.request_bulk = std::span<const char>("x", 1);
  auto w = Run(ClientFor(TargetId(1)).Write(std::move(req), opts));
  EXPECT_EQ(w.status().code(), StatusCode::kStaleRouting);
  EXPECT_EQ(replicas_[0]->engine->Find(ChunkId{InodeId(9), 0}), nullptr);
  // Writing anywhere but the head is refused too.
  WriteReq mid;
  mid.ref = ChainRef{kChain, chain().version, TargetId(2)};
  mid.update = req.update;
  EXPECT_EQ(Run(ClientFor(TargetId(2)).Write(std::move(mid), opts)).status().code(),
            StatusCode::kStaleRouting);
}

TEST_F(ReplicatorTest, RefusesOffsetsOutsideTheChunk) {
  auto w = Write(0, kChunk - 1, "ab", 1);
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  for (auto& r : replicas_) EXPECT_EQ(r->engine->Find(ChunkId{InodeId(9), 0}), nullptr);
}

// A replica stores an update while it goes on down the chain, so the tail may commit it before
// the replica has it as pending. A read there meanwhile must not answer with the version
// before: a reader may have had the new one from the tail already.
TEST_F(ReplicatorTest, AReadWhileTheUpdateIsStoredHereDoesNotGoBackInTime) {
  ASSERT_TRUE(Write(0, 0, "old", 1).ok());
  Replica& middle = *replicas_[1];
  middle.node.sim_disk().options().min_latency = Nanos(20ms);
  middle.node.sim_disk().options().max_latency = Nanos(20ms);
  auto written = std::make_shared<std::optional<Result<WriteRsp>>>();
  Spawn(world_.executor(),
        WriteInto(ClientFor(TargetId(1)), MakeWrite(0, 0, "new", 2), "new", written), "write");
  ChunkId chunk{InodeId(9), 0};
  auto tail_has_it = [&] {
    const ChunkRecord* rec = replicas_[2]->engine->Find(chunk);
    return rec != nullptr && rec->committed.version == 2;
  };
  ASSERT_TRUE(world_.RunUntil(tail_has_it, world_.now() + Nanos(10s)));
  ASSERT_FALSE(middle.engine->Find(chunk)->pending.has_value()) << "stored here already";
  EXPECT_EQ(*Read(TargetId(3), 0), "new");
  EXPECT_EQ(*Read(TargetId(2), 0), "new");
  ASSERT_TRUE(world_.RunUntil([&] { return written->has_value(); }, world_.now() + Nanos(10s)));
  EXPECT_TRUE(written->value().ok()) << written->value().status().ToString();
}

// A full disk refuses the write (ENOSPC for the writer) but is not a broken one: its target
// keeps serving, and once there is room the same write goes through.
TEST_F(ReplicatorTest, AFullDiskRefusesWritesButKeepsServing) {
  ASSERT_TRUE(Write(0, 0, std::string(1000, 'a'), 1).ok());
  Replica& tail = *replicas_[2];
  tail.node.sim_disk().set_full(true);
  auto refused = Write(1, 0, std::string(1000, 'b'), 2);
  EXPECT_EQ(refused.status().code(), StatusCode::kNoSpace) << refused.status().ToString();
  EXPECT_FALSE(tail.replicator->target(TargetId(3))->failed);
  for (int t = 1; t <= 3; ++t) EXPECT_EQ(*Read(TargetId(t), 0), std::string(1000, 'a')) << t;
  tail.node.sim_disk().set_full(false);
  auto w = Write(1, 0, std::string(1000, 'b'), 2);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  for (int t = 1; t <= 3; ++t) EXPECT_EQ(*Read(TargetId(t), 1), std::string(1000, 'b')) << t;
}

// A middle replica that cannot store an update its successor stored (its disk is full) leaves
// the chain: it serves no reads, which would miss that update, and reports itself offline. Once
// the chain has dropped it and its disk has room it rejoins, is synced back and serves again,
// with no restart.
TEST_F(ReplicatorTest, AReplicaThatMissedAnUpdateForWantOfRoomRejoinsOnceThereIsRoom) {
  constexpr uint64_t kRoom = 1 << 30;
  ASSERT_TRUE(Write(0, 0, std::string(1000, 'a'), 1).ok());
  Replica& middle = *replicas_[1];
  LocalTarget& out = *middle.replicator->target(TargetId(2));
  middle.node.sim_disk().set_full(true);
  auto refused = Write(1, 0, std::string(1000, 'b'), 2);
  EXPECT_EQ(refused.status().code(), StatusCode::kNoSpace) << refused.status().ToString();
  EXPECT_TRUE(out.missed_update);
  EXPECT_FALSE(out.failed);
  EXPECT_NE(out.out_reason.find("missed chunk 9:1 version 1"), std::string::npos) << out.out_reason;
  EXPECT_EQ(middle.replicator->LocalStateOf(out), LocalState::kOffline);
  EXPECT_EQ(Read(TargetId(2), 0).status().code(), StatusCode::kUnavailable);

  // Room alone is not enough while the chain still counts it as serving.
  middle.node.sim_disk().set_full(false);
  middle.replicator->RejoinWhenRoom(kRoom);
  EXPECT_TRUE(out.missed_update);
  std::map<TargetId, LocalState> all{{TargetId(1), LocalState::kUpToDate},
                                     {TargetId(2), middle.replicator->LocalStateOf(out)},
                                     {TargetId(3), LocalState::kUpToDate}};
  Report(all);
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kOffline);
  // The retried write completes on the other two.
  auto retried = Write(1, 0, std::string(1000, 'b'), 2);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();

  // Dropped, it waits for room, then reports itself online like a restarted target.
  middle.node.sim_disk().set_full(true);
  middle.replicator->RejoinWhenRoom(kRoom);
  EXPECT_TRUE(out.missed_update);
  middle.node.sim_disk().set_full(false);
  middle.replicator->RejoinWhenRoom(kRoom);
  EXPECT_FALSE(out.missed_update);
  EXPECT_TRUE(out.out_reason.empty());
  all[TargetId(2)] = middle.replicator->LocalStateOf(out);
  EXPECT_EQ(all[TargetId(2)], LocalState::kOnline);
  Report(all);  // waiting
  Report(all);  // syncing
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kSyncing);
  auto from = replicas_[2]->replicator->TargetToSyncFrom();
  ASSERT_EQ(from, TargetId(3));
  Status synced = Run(replicas_[2]->replicator->SyncSuccessor(*from));
  ASSERT_TRUE(synced.ok()) << synced.ToString();
  all[TargetId(2)] = middle.replicator->LocalStateOf(out);
  EXPECT_EQ(all[TargetId(2)], LocalState::kUpToDate);
  Report(all);
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kServing);
  for (int t = 1; t <= 3; ++t) {
    EXPECT_EQ(*Read(TargetId(t), 0), std::string(1000, 'a')) << t;
    EXPECT_EQ(*Read(TargetId(t), 1), std::string(1000, 'b')) << t;
  }
}

// A syncing replica that runs out of room leaves the chain rather than refuse every write of
// it; the writes go on without it.
TEST_F(ReplicatorTest, ASyncingReplicaOutOfRoomLeavesTheChain) {
  ASSERT_TRUE(Write(0, 0, std::string(1000, 'a'), 1).ok());
  Replica& middle = *replicas_[1];
  LocalTarget& target = *middle.replicator->target(TargetId(2));
  std::map<TargetId, LocalState> all{{TargetId(1), LocalState::kUpToDate},
                                     {TargetId(2), LocalState::kOffline},
                                     {TargetId(3), LocalState::kUpToDate}};
  Report(all);  // dropped (as after a restart)
  all[TargetId(2)] = LocalState::kOnline;
  Report(all);  // waiting
  Report(all);  // syncing
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kSyncing);

  middle.node.sim_disk().set_full(true);
  auto refused = Write(1, 0, std::string(1000, 'b'), 2);
  EXPECT_EQ(refused.status().code(), StatusCode::kNoSpace) << refused.status().ToString();
  EXPECT_TRUE(target.missed_update);
  all[TargetId(2)] = middle.replicator->LocalStateOf(target);
  EXPECT_EQ(all[TargetId(2)], LocalState::kOffline);
  Report(all);
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kOffline);
  auto retried = Write(1, 0, std::string(1000, 'b'), 2);
  ASSERT_TRUE(retried.ok()) << retried.status().ToString();
  for (int t : {1, 3}) EXPECT_EQ(*Read(TargetId(t), 1), std::string(1000, 'b')) << t;
}

// The middle replica dies mid-stream: writes fail until the chain drops it, then go on; it
// comes back, syncs from its predecessor while writes continue, and serves again.
TEST_F(ReplicatorTest, FailedReplicaIsDroppedThenSyncedBack) {
  ASSERT_TRUE(Write(0, 0, std::string(1000, 'a'), 1).ok());
  ASSERT_TRUE(Write(1, 0, std::string(1000, 'b'), 2).ok());
  Replica& middle = *replicas_[1];
  middle.Stop();
  net_.KillNode("s2");
  EXPECT_FALSE(Write(0, 0, std::string(500, 'c'), 3).ok());
  Report({{TargetId(1), LocalState::kUpToDate}, {TargetId(3), LocalState::kUpToDate}});
  EXPECT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kOffline);
  // The retry with the same tag completes the write that failed.
  auto w = Write(0, 0, std::string(500, 'c'), 3);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->version, 2u);
  ASSERT_TRUE(Write(2, 0, std::string(300, 'd'), 4).ok());

  middle.node.sim_disk().Crash();
  middle.Start(routing_);
  ASSERT_TRUE(Run(middle.engine->Open()).ok());
  // A pending version left from an earlier place in the chain (as head, say), which no replica
  // before it has: the sync must drop it, or the tail would commit it later. (The simulation
  // found this.)
  ChunkUpdate stale;
  stale.chunk = ChunkId{InodeId(9), 1};
  stale.chunk_size_bytes = kChunk;
  stale.length = 5;
  stale.version = middle.engine->Find(stale.chunk)->committed.version + 1;
  stale.tag = UpdateTag{99, 1};
  ASSERT_TRUE(Run(middle.engine->Store(stale, std::string("stale"), false)).ok());
  std::map<TargetId, LocalState> all{{TargetId(1), LocalState::kUpToDate},
                                     {TargetId(2), LocalState::kOnline},
                                     {TargetId(3), LocalState::kUpToDate}};
  Report(all);  // waiting
  Report(all);  // syncing
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kSyncing);
  // Writes during the sync reach the syncing replica as whole chunks.
  ASSERT_TRUE(Write(0, 100, "during sync", 5).ok());
  auto from = replicas_[2]->replicator->TargetToSyncFrom();
  ASSERT_EQ(from, TargetId(3));
  Status synced = Run(replicas_[2]->replicator->SyncSuccessor(*from));
  ASSERT_TRUE(synced.ok()) << synced.ToString();
  all[TargetId(2)] = middle.replicator->LocalStateOf(*middle.replicator->target(TargetId(2)));
  EXPECT_EQ(all[TargetId(2)], LocalState::kUpToDate);
  Report(all);
  ASSERT_EQ(mgmtd::StateIn(chain(), TargetId(2)), PublicState::kServing);
  for (uint64_t index = 0; index < 3; ++index) {
    auto want = Read(TargetId(1), index);
    ASSERT_TRUE(want.ok());
    for (int t = 2; t <= 3; ++t) EXPECT_EQ(*Read(TargetId(t), index), *want) << t << " " << index;
    const ChunkRecord* head = replicas_[0]->engine->Find(ChunkId{InodeId(9), index});
    for (auto& r : replicas_) {
      const ChunkRecord* rec = r->engine->Find(ChunkId{InodeId(9), index});
      ASSERT_NE(rec, nullptr);
      EXPECT_EQ(rec->committed.version, head->committed.version);
      EXPECT_FALSE(rec->pending.has_value()) << r->target.value() << " " << index;
    }
  }
}

// Flips one byte of a chunk's blob on `r`'s disk.
void FlipByte(ReplicatorTest* t, Replica& r, ChunkId chunk, uint64_t at) {
  BlobSlot slot = *r.engine->Find(chunk)->committed.slot;
  auto file = t->Run(r.node.disk().Open(
      fmt::format("target/blobs/{}-{}", slot.size_log2, slot.file), OpenMode::kReadWrite));
  ASSERT_TRUE(file.ok());
  std::string byte(1, '\0');
  uint64_t offset = uint64_t{slot.index} * kChunk + at;
  ASSERT_TRUE(t->Run((*file)->ReadAt(offset, byte)).ok());
  byte[0] = static_cast<char>(byte[0] ^ 0x5a);
  ASSERT_TRUE(t->Run((*file)->WriteAt(offset, byte)).ok());
}

TEST_F(ReplicatorTest, AFlippedByteIsServedFromAnotherReplicaAndRepaired) {
  std::string data(100'000, 'k');
  ASSERT_TRUE(Write(0, 0, data, 1).ok());
  ChunkId chunk{InodeId(9), 0};
  FlipByte(this, *replicas_[1], chunk, 70'000);
  std::string corrupt(10, '\0');
  EXPECT_EQ(Run(replicas_[1]->engine->Read(chunk, false, 69'995, corrupt)).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(*Read(TargetId(2), 0), data);
  EXPECT_EQ(replicas_[1]->replicator->repairs(), 1u);
  EXPECT_TRUE(Run(replicas_[1]->engine->Read(chunk, false, 69'995, corrupt)).ok());
  // The scrubber finds one nobody read.
  FlipByte(this, *replicas_[2], chunk, 10);
  Replicator::ScrubStep step =
      Run(replicas_[2]->replicator->Scrub(TargetId(3), std::nullopt, uint64_t{1} << 20));
  EXPECT_FALSE(step.next.has_value());
  EXPECT_EQ(step.bytes, data.size());
  EXPECT_EQ(replicas_[2]->replicator->repairs(), 1u);
  EXPECT_EQ(*Read(TargetId(3), 0), data);
  // An overwrite at the head copies the chunk's other bytes: they are repaired first.
  FlipByte(this, *replicas_[0], chunk, 99'000);
  {
    auto w = Write(0, 5, "xyz", 2);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }
  data.replace(5, 3, "xyz");
  for (int t = 1; t <= 3; ++t) EXPECT_EQ(*Read(TargetId(t), 0), data) << t;
}

TEST_F(ReplicatorTest, AScrubStepReadsAboutItsBudgetAndResumesAfterIt) {
  for (uint64_t index = 0; index < 3; ++index)
    ASSERT_TRUE(
        Write(index, 0, std::string(100'000, static_cast<char>('a' + index)), index + 1).ok());
  Replicator& r = *replicas_[0]->replicator;
  // Whole chunks only: the step that passes its budget finishes the chunk it is on.
  Replicator::ScrubStep first = Run(r.Scrub(TargetId(1), std::nullopt, 150'000));
  EXPECT_EQ(first.bytes, 200'000u);
  ASSERT_TRUE(first.next.has_value());
  EXPECT_EQ(*first.next, (ChunkId{InodeId(9), 1}));
  Replicator::ScrubStep rest = Run(r.Scrub(TargetId(1), first.next, 150'000));
  EXPECT_EQ(rest.bytes, 100'000u);
  EXPECT_FALSE(rest.next.has_value());  // the pass is complete
  EXPECT_EQ(r.repairs(), 0u);
}

TEST_F(ReplicatorTest, ACallsRemovalsGoDownTheChainTogether) {
  constexpr uint64_t kMany = Replicator::kMaxRemovalsPerCall + 44;
  for (uint64_t index = 0; index <= kMany; ++index)
    ASSERT_TRUE(Write(index, 0, "x", index + 1).ok());
  RemoveChunksReq req;
  req.ref = ChainRef{kChain, chain().version, TargetId(1)};
  req.inode = InodeId(9);
  req.client = 5;
  // One chunk alone: what a removal takes down the chain and back.
  req.begin_index = kMany;
  Nanos start = world_.now();
  Result<RemoveChunksRsp> one = Run(ClientFor(TargetId(1)).RemoveChunks(req));
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  Nanos alone = world_.now() - start;
  EXPECT_EQ(one->removed, 1u);
  req.begin_index = 0;
  start = world_.now();
  Result<RemoveChunksRsp> first = Run(ClientFor(TargetId(1)).RemoveChunks(req));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Nanos together = world_.now() - start;
  EXPECT_EQ(first->removed, Replicator::kMaxRemovalsPerCall);
  EXPECT_TRUE(first->more);
  // One after the other they would take kMaxRemovalsPerCall times as long.
  EXPECT_LT(together, alone * (Replicator::kMaxRemovalsPerCall / 8))
      << together.count() << " ns against " << alone.count() << " ns for one";
  Result<RemoveChunksRsp> rest = Run(ClientFor(TargetId(1)).RemoveChunks(req));
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  EXPECT_EQ(rest->removed, 44u);
  EXPECT_FALSE(rest->more);
  for (auto& r : replicas_) EXPECT_FALSE(r->engine->LastChunk(InodeId(9)).has_value());
}

TEST_F(ReplicatorTest, WholeFilesGoInOneCall) {
  for (uint64_t index = 0; index < 3; ++index) ASSERT_TRUE(Write(index, 0, "a", index + 1).ok());
  for (uint64_t index = 0; index < 2; ++index)
    ASSERT_TRUE(Write(index, 0, "b", index + 10, InodeId(10)).ok());
  ASSERT_TRUE(Write(0, 0, "kept", 20, InodeId(12)).ok());
  RemoveChunksReq req;
  req.ref = ChainRef{kChain, chain().version, TargetId(1)};
  req.client = 5;
  req.end_index = 0;  // no range
  req.whole_files = {InodeId(9), InodeId(10), InodeId(11)};
  Result<RemoveChunksRsp> rsp = Run(ClientFor(TargetId(1)).RemoveChunks(req));
  ASSERT_TRUE(rsp.ok()) << rsp.status().ToString();
  EXPECT_EQ(rsp->removed, 5u);
  EXPECT_FALSE(rsp->more);
  for (auto& r : replicas_) {
    EXPECT_FALSE(r->engine->LastChunk(InodeId(9)).has_value());
    EXPECT_FALSE(r->engine->LastChunk(InodeId(10)).has_value());
    EXPECT_TRUE(r->engine->LastChunk(InodeId(12)).has_value());
  }
  req.whole_files.assign(kMaxWholeFilesPerRemoval + 1, InodeId(12));
  rsp = Run(ClientFor(TargetId(1)).RemoveChunks(req));
  EXPECT_EQ(rsp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(replicas_[0]->engine->LastChunk(InodeId(12)).has_value());
}

}  // namespace
}  // namespace chainfs::storage
