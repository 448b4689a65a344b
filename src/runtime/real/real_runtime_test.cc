#include "runtime/real/real_runtime.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <liburing.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/buffer_pool.h"
#include "runtime/notifier.h"

namespace chainfs {
namespace {

Task<Nanos> TimedSleep(Clock& clock) {
  Nanos start = clock.Now();
  co_await clock.Sleep(5ms);
  co_return clock.Now() - start;
}

TEST(RealRuntimeTest, SleepsOnRealTime) {
  RealRuntime rt(1);
  Nanos slept = rt.RunSync(0, TimedSleep(rt.worker(0).clock()));
  EXPECT_GE(slept, Nanos(5ms));
}

// asio's rings come from io_uring_queue_init(entries, ring, 0); asio_impl.cc's definition of it
// adds cooperative task running wherever the kernel has it.
TEST(RealRuntimeTest, RingsAsioMakesRunTaskWorkCooperatively) {
  constexpr unsigned kWanted = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  io_uring probe;
  io_uring_params params{};
  params.flags = kWanted;
  if (io_uring_queue_init_params(4, &probe, &params) != 0) {
    GTEST_SKIP() << "this kernel has no IORING_SETUP_COOP_TASKRUN";
  }
  io_uring_queue_exit(&probe);
  io_uring ring;
  ASSERT_EQ(io_uring_queue_init(4, &ring, 0), 0);
  EXPECT_EQ(ring.flags & kWanted, kWanted);
  io_uring_queue_exit(&ring);
  // The other tests here run the runtime, timers and sockets, on such rings.
}

Task<Status> EchoOnce(std::shared_ptr<Listener> listener) {
  auto s = co_await listener->Accept();
  if (!s.ok()) co_return s.status();
  char buf[5];
  CO_RETURN_IF_ERROR(co_await ReadExact(**s, buf));
  std::span<const char> pieces[2] = {std::span<const char>(buf, 2),
                                     std::span<const char>(buf + 2, 3)};
  co_return co_await (*s)->WriteAll(pieces);
}

Task<Result<std::string>> Ping(Network& net, Address to) {
  auto s = co_await net.Connect(to);
  if (!s.ok()) co_return s.status();
  std::string msg = "hello";
  std::span<const char> piece(msg);
  CO_RETURN_IF_ERROR(co_await (*s)->WriteAll({&piece, 1}));
  std::string back(5, '\0');
  CO_RETURN_IF_ERROR(co_await ReadExact(**s, back));
  co_return back;
}

// Worker 0 echoes what worker 1 sends it over loopback TCP.
void EchoAcrossWorkers(RealRuntime& rt) {
  auto listener = rt.worker(0).network().Listen({"127.0.0.1", 0});
  ASSERT_TRUE(listener.ok()) << listener.status().ToString();
  Address addr = (*listener)->LocalAddress();
  EXPECT_NE(addr.port, 0);
  auto server =
      asio::co_spawn(rt.worker(0).executor(), EchoOnce(std::move(*listener)), asio::use_future);
  Result<std::string> r = rt.RunSync(1, Ping(rt.worker(1).network(), addr));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "hello");
  EXPECT_TRUE(server.get().ok());
}

TEST(RealRuntimeTest, TcpLoopbackAcrossWorkers) {
  RealRuntime rt(2);
  EchoAcrossWorkers(rt);
}

// Workers that poll before they sleep: the same work done, the same clean stop (the
// runtime's destructor joins them), whether the work comes at once or after a sleep longer
// than the polling.
TEST(RealRuntimeTest, PollingWorkersServeAndStop) {
  RealRuntime rt(2, std::chrono::microseconds(200));
  for (int round = 0; round < 3; ++round) {
    EchoAcrossWorkers(rt);
    EXPECT_GE(rt.RunSync(0, TimedSleep(rt.worker(0).clock())), Nanos(5ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // both workers asleep again
  }
}

TEST(RealRuntimeTest, ConnectRefusedIsUnavailable) {
  RealRuntime rt(1);
  auto listener = rt.worker(0).network().Listen({"127.0.0.1", 0});
  Address addr = (*listener)->LocalAddress();
  (*listener)->Close();
  listener->reset();
  Result<std::string> r = rt.RunSync(0, Ping(rt.worker(0).network(), addr));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(rt.worker(0).network().Listen({"not-an-ip", 1}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(RealRuntimeTest, PortInUseIsRefused) {
  RealRuntime rt(2);
  auto first = rt.worker(0).network().Listen({"127.0.0.1", 0});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Address taken = (*first)->LocalAddress();
  auto second = rt.worker(1).network().Listen(taken);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find(taken.ToString()), std::string::npos);
}

// Turns local sockets off for one test.
struct NoLocalSockets {
  NoLocalSockets() { ::setenv("CHAINFS_LOCAL_SOCKETS", "0", 1); }
  ~NoLocalSockets() { ::unsetenv("CHAINFS_LOCAL_SOCKETS"); }
};

TEST(RealRuntimeTest, LoopbackPeersMeetOverAUnixSocketWhenOneListens) {
  RealRuntime rt(1);
  Network& net = rt.worker(0).network();
  auto tcp = net.Listen({"127.0.0.1", 0});
  ASSERT_TRUE(tcp.ok()) << tcp.status().ToString();
  Address addr = (*tcp)->LocalAddress();
  {
    NoLocalSockets off_switch;
    auto off = net.ListenLocal(addr);
    ASSERT_TRUE(off.ok());
    EXPECT_EQ(*off, nullptr);
  }
  auto local = net.ListenLocal(addr);
  ASSERT_TRUE(local.ok()) << local.status().ToString();
  ASSERT_NE(*local, nullptr);
  auto taken = net.ListenLocal(addr);  // one listener per name, as per port
  EXPECT_EQ(taken.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(taken.status().message().find("local socket"), std::string::npos);
  // With the TCP listener gone, only the local one can answer.
  (*tcp)->Close();
  tcp->reset();
  auto server =
      asio::co_spawn(rt.worker(0).executor(), EchoOnce(std::move(*local)), asio::use_future);
  Result<std::string> r = rt.RunSync(0, Ping(net, addr));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, "hello");
  EXPECT_TRUE(server.get().ok());
  // No local listener: TCP as before. Not a loopback address: none to make.
  auto plain = net.Listen({"127.0.0.1", 0});
  ASSERT_TRUE(plain.ok());
  Address plain_addr = (*plain)->LocalAddress();
  auto tcp_server =
      asio::co_spawn(rt.worker(0).executor(), EchoOnce(std::move(*plain)), asio::use_future);
  r = rt.RunSync(0, Ping(net, plain_addr));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(tcp_server.get().ok());
  auto wildcard = net.ListenLocal({"0.0.0.0", plain_addr.port});
  ASSERT_TRUE(wildcard.ok());
  EXPECT_EQ(*wildcard, nullptr);
}

// An empty directory of this name under the test's temporary directory.
std::string EmptyDir(const std::string& name) {
  std::string dir = testing::TempDir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

Task<Result<std::string>> DiskRoundTrip(Disk& disk, std::string dir) {
  CO_RETURN_IF_ERROR(co_await disk.MakeDirs(dir));
  auto f = co_await disk.Open(dir + "/f", OpenMode::kCreate);
  if (!f.ok()) co_return f.status();
  CO_RETURN_IF_ERROR(co_await (*f)->WriteAt(3, std::string_view("abc")));
  CO_RETURN_IF_ERROR(co_await (*f)->Sync());
  CO_RETURN_IF_ERROR(co_await disk.SyncDir(dir));
  std::string out(8, 'x');
  auto n = co_await (*f)->ReadAt(0, out);
  if (!n.ok()) co_return n.status();
  out.resize(*n);
  auto names = co_await disk.List(dir);
  if (!names.ok() || *names != std::vector<std::string>{"f"}) co_return Internal("bad listing");
  co_return out;
}

TEST(RealRuntimeTest, DiskWritesReadsAndLists) {
  RealRuntime rt(1);
  std::string dir = testing::TempDir() + "/chainfs_disk_test";
  std::filesystem::remove_all(dir);
  auto r = rt.RunSync(0, DiskRoundTrip(rt.worker(0).disk(), dir));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, std::string("\0\0\0abc", 6));
  auto missing = rt.RunSync(0, rt.worker(0).disk().Open(dir + "/nope", OpenMode::kReadOnly));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(dir);
}

// Blocks the file at `path` takes on its disk.
uint64_t AllocatedBlocks(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_blocks) : 0;
}

Task<Status> WriteAndSync(Disk& disk, std::string path, const std::string& data) {
  auto f = co_await disk.Open(path, OpenMode::kCreate);
  if (!f.ok()) co_return f.status();
  CO_RETURN_IF_ERROR(co_await (*f)->WriteAt(0, data));
  co_return co_await (*f)->Sync();
}

Task<Result<std::string>> PunchAndRead(Disk& disk, std::string path, uint64_t offset,
                                       uint64_t length, size_t size) {
  auto f = co_await disk.Open(path, OpenMode::kReadWrite);
  if (!f.ok()) co_return f.status();
  CO_RETURN_IF_ERROR(co_await (*f)->PunchHole(offset, length));
  CO_RETURN_IF_ERROR(co_await (*f)->Sync());
  std::string out(size, 'x');
  auto n = co_await (*f)->ReadAt(0, out);
  if (!n.ok()) co_return n.status();
  out.resize(*n);
  co_return out;
}

TEST(RealRuntimeTest, APunchedRangeReadsAsZerosAndFreesItsBlocks) {
  RealRuntime rt(1);
  std::string dir = EmptyDir("chainfs_punch_test");
  std::string path = dir + "/f";
  constexpr size_t kMiB = 1 << 20;
  ASSERT_TRUE(
      rt.RunSync(0, WriteAndSync(rt.worker(0).disk(), path, std::string(2 * kMiB, 'a'))).ok());
  uint64_t before = AllocatedBlocks(path);
  auto r = rt.RunSync(0, PunchAndRead(rt.worker(0).disk(), path, kMiB, kMiB, 2 * kMiB));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, std::string(kMiB, 'a') + std::string(kMiB, '\0'));  // the size stays
  EXPECT_LE(AllocatedBlocks(path), before - kMiB / 512);  // st_blocks counts 512-byte units
  std::filesystem::remove_all(dir);
}

// Pages of the first `bytes` of the file at `path` that are in the page cache.
size_t CachedPages(const std::string& path, size_t bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return 0;
  size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> resident((bytes + page - 1) / page);
  size_t cached = 0;
  if (::mincore(map, bytes, resident.data()) == 0) {
    for (unsigned char r : resident) cached += r & 1;
  }
  ::munmap(map, bytes);
  return cached;
}

// `size` bytes of `c` in pooled memory, which is aligned for direct I/O.
PooledBuffer Filled(size_t size, char c) {
  PooledBuffer bytes = BufferPool::Default().Get(size);
  std::memset(bytes.data(), c, size);
  return bytes;
}

// Writes `size` bytes of `c` at 0, from aligned memory, and syncs; with direct writes preferred
// if `direct`. Returns whether the file took them.
Task<Result<bool>> WriteAligned(Disk& disk, std::string path, size_t size, char c, bool direct) {
  auto f = co_await disk.Open(path, OpenMode::kCreate);
  if (!f.ok()) co_return f.status();
  bool took = direct && (*f)->PreferDirectIo();
  PooledBuffer bytes = Filled(size, c);
  CO_RETURN_IF_ERROR(co_await (*f)->WriteAt(0, std::span<const char>(bytes.data(), size)));
  CO_RETURN_IF_ERROR(co_await (*f)->Sync());
  co_return took;
}

TEST(RealRuntimeTest, AlignedWritesPreferredDirectSkipThePageCache) {
  RealRuntime rt(1);
  std::string dir = EmptyDir("chainfs_direct_test");
  constexpr size_t kSize = 1 << 20;
  auto cached =
      rt.RunSync(0, WriteAligned(rt.worker(0).disk(), dir + "/cached", kSize, 'a', false));
  ASSERT_TRUE(cached.ok()) << cached.status().ToString();
  auto direct = rt.RunSync(0, WriteAligned(rt.worker(0).disk(), dir + "/direct", kSize, 'a', true));
  ASSERT_TRUE(direct.ok()) << direct.status().ToString();
  if (!*direct) GTEST_SKIP() << "the file system of " << dir << " has no direct I/O";
  EXPECT_GT(CachedPages(dir + "/cached", kSize), 0u);
  EXPECT_EQ(CachedPages(dir + "/direct", kSize), 0u);
  std::filesystem::remove_all(dir);
}

// A cached write, then a direct one over part of it, then a cached one over part of that:
// every read sees the last bytes written where. Nothing if the file cannot take direct writes.
Task<Result<std::optional<std::string>>> MixedWrites(Disk& disk, std::string path) {
  auto f = co_await disk.Open(path, OpenMode::kCreate);
  if (!f.ok()) co_return f.status();
  if (!(*f)->PreferDirectIo()) co_return std::nullopt;
  CO_RETURN_IF_ERROR(co_await (*f)->WriteAt(0, std::string(3 * kDirectIoAlign, 'a')));
  PooledBuffer b = Filled(2 * kDirectIoAlign, 'b');
  CO_RETURN_IF_ERROR(
      co_await (*f)->WriteAt(kDirectIoAlign, std::span<const char>(b.data(), 2 * kDirectIoAlign)));
  CO_RETURN_IF_ERROR(co_await (*f)->WriteAt(2 * kDirectIoAlign + 1, std::string_view("cc")));
  CO_RETURN_IF_ERROR(co_await (*f)->Sync());
  std::string out(3 * kDirectIoAlign, 'x');
  auto n = co_await (*f)->ReadAt(0, out);
  if (!n.ok()) co_return n.status();
  out.resize(*n);
  co_return std::optional<std::string>(std::move(out));
}

TEST(RealRuntimeTest, CachedAndDirectWritesToOneFileReadBackInTheirOrder) {
  RealRuntime rt(1);
  std::string dir = EmptyDir("chainfs_mixed_test");
  auto r = rt.RunSync(0, MixedWrites(rt.worker(0).disk(), dir + "/f"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  if (!*r) GTEST_SKIP() << "the file system of " << dir << " has no direct I/O";
  std::string want = std::string(kDirectIoAlign, 'a') + std::string(2 * kDirectIoAlign, 'b');
  want.replace(2 * kDirectIoAlign + 1, 2, "cc");
  EXPECT_EQ(**r, want);
  std::filesystem::remove_all(dir);
}

// The first `size` bytes of the file in one read into aligned memory, with direct I/O
// preferred. Nothing if the file cannot take it.
Task<Result<std::optional<std::string>>> ReadInOne(Disk& disk, std::string path, size_t size) {
  auto f = co_await disk.Open(path, OpenMode::kReadWrite);
  if (!f.ok()) co_return f.status();
  if (!(*f)->PreferDirectIo()) co_return std::nullopt;
  PooledBuffer out = Filled(size, 'x');
  auto n = co_await (*f)->ReadAt(0, std::span<char>(out.data(), size));
  if (!n.ok()) co_return n.status();
  co_return std::optional<std::string>(std::string(out.data(), *n));
}

// The same 4 KiB at a time.
Task<Result<std::string>> ReadInPieces(Disk& disk, std::string path, size_t size) {
  auto f = co_await disk.Open(path, OpenMode::kReadWrite);
  if (!f.ok()) co_return f.status();
  (*f)->PreferDirectIo();
  PooledBuffer out = Filled(size, 'x');
  for (size_t at = 0; at < size; at += kDirectIoAlign) {
    auto n = co_await (*f)->ReadAt(at, std::span<char>(out.data() + at, kDirectIoAlign));
    if (!n.ok()) co_return n.status();
  }
  co_return std::string(out.data(), size);
}

TEST(RealRuntimeTest, LargeAlignedReadsSkipThePageCacheAndSmallOnesFillIt) {
  RealRuntime rt(1);
  std::string dir = EmptyDir("chainfs_direct_read_test");
  std::string path = dir + "/f";
  constexpr size_t kSize = kDirectReadMinBytes;
  // Written through the cache, then dropped from it: only reads can bring pages back.
  auto written = rt.RunSync(0, WriteAligned(rt.worker(0).disk(), path, kSize, 'r', false));
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
  ::close(fd);
  ASSERT_EQ(CachedPages(path, kSize), 0u);
  auto whole = rt.RunSync(0, ReadInOne(rt.worker(0).disk(), path, kSize));
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  if (!*whole) GTEST_SKIP() << "the file system of " << dir << " has no direct I/O";
  EXPECT_EQ(**whole, std::string(kSize, 'r'));
  EXPECT_EQ(CachedPages(path, kSize), 0u);
  auto pieces = rt.RunSync(0, ReadInPieces(rt.worker(0).disk(), path, kSize));
  ASSERT_TRUE(pieces.ok()) << pieces.status().ToString();
  EXPECT_EQ(*pieces, std::string(kSize, 'r'));
  EXPECT_GT(CachedPages(path, kSize), 0u);  // small reads go through the cache
  std::filesystem::remove_all(dir);
}

Task<Timer::WaitResult> WaitLong(Notifier& n, Clock& clock) {
  co_return co_await n.Wait(clock.Now() + 60s);
}

TEST(RealRuntimeTest, NotifierWakesWaiter) {
  RealRuntime rt(1);
  Notifier n(rt.worker(0).clock());
  auto fut =
      asio::co_spawn(rt.worker(0).executor(), WaitLong(n, rt.worker(0).clock()), asio::use_future);
  while (rt.RunSync(0, [](Notifier& n) -> Task<size_t> { co_return n.waiters(); }(n)) == 0) {
  }
  asio::post(rt.worker(0).executor(), [&n] { n.NotifyAll(); });
  EXPECT_EQ(fut.get(), Timer::WaitResult::kWoken);
}

}  // namespace
}  // namespace chainfs
