// folio_census FILE...: how the page cache holds each FILE. Maps the file, touches every page
// so that its cached page is mapped, and sorts the pages by /proc/kpageflags into heads and
// tails of large folios and plain 4 KiB pages. Prints one line per file:
//   "<file> pages <n> large_heads <h> large_tails <t> small <s> not_cached <a>"
// A file system whose cache holds large folios copies reads out faster (fewer folios to look
// up per read); docs/benchmarks.md uses this to compare a FUSE mount with a local directory.
// Needs root (page frame numbers are hidden from others). At most the first 4 GiB of a file.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxPages = (4ull << 30) / kPage;
constexpr uint64_t kPresent = 1ull << 63;
constexpr uint64_t kPfnMask = (1ull << 55) - 1;
constexpr uint64_t kCompoundHead = 1ull << 15;  // KPF_COMPOUND_HEAD
constexpr uint64_t kCompoundTail = 1ull << 16;  // KPF_COMPOUND_TAIL

struct Census {
  uint64_t pages = 0, heads = 0, tails = 0, small = 0, absent = 0;
};

bool ReadWord(int fd, uint64_t index, uint64_t* word) {
  return ::pread(fd, word, sizeof *word, static_cast<off_t>(index * sizeof *word)) ==
         static_cast<ssize_t>(sizeof *word);
}

// Sorts the pages of the mapping at `base` (`pages` long) into `census`; false on a read error.
bool Count(const volatile char* base, uint64_t pages, int pagemap, int kpageflags, Census* census) {
  const uint64_t first = reinterpret_cast<uintptr_t>(base) / kPage;
  for (uint64_t i = 0; i < pages; ++i) {
    (void)base[i * kPage];  // maps the cached page (reading it in if it was not cached)
    uint64_t entry = 0, flags = 0;
    if (!ReadWord(pagemap, first + i, &entry)) return false;
    ++census->pages;
    if (!(entry & kPresent)) {
      ++census->absent;
      continue;
    }
    if (!ReadWord(kpageflags, entry & kPfnMask, &flags)) return false;
    if (flags & kCompoundHead) {
      ++census->heads;
    } else if (flags & kCompoundTail) {
      ++census->tails;
    } else {
      ++census->small;
    }
  }
  return true;
}

int CensusOf(const char* path, int pagemap, int kpageflags) {
  int fd = ::open(path, O_RDONLY);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    std::fprintf(stderr, "folio_census: %s: %s\n", path, std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return 1;
  }
  uint64_t pages = static_cast<uint64_t>(st.st_size) / kPage;
  if (pages > kMaxPages) pages = kMaxPages;
  Census census;
  int rc = 0;
  if (pages > 0) {
    void* map = ::mmap(nullptr, pages * kPage, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
      std::fprintf(stderr, "folio_census: mmap %s: %s\n", path, std::strerror(errno));
      rc = 1;
    } else {
      if (!Count(static_cast<const volatile char*>(map), pages, pagemap, kpageflags, &census)) {
        std::fprintf(stderr, "folio_census: reading page flags: %s\n", std::strerror(errno));
        rc = 1;
      }
      ::munmap(map, pages * kPage);
    }
  }
  ::close(fd);
  if (rc == 0) {
    std::printf("%s pages %llu large_heads %llu large_tails %llu small %llu not_cached %llu\n",
                path, static_cast<unsigned long long>(census.pages),
                static_cast<unsigned long long>(census.heads),
                static_cast<unsigned long long>(census.tails),
                static_cast<unsigned long long>(census.small),
                static_cast<unsigned long long>(census.absent));
  }
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: folio_census FILE...\n");
    return 2;
  }
  int pagemap = ::open("/proc/self/pagemap", O_RDONLY);
  int kpageflags = ::open("/proc/kpageflags", O_RDONLY);
  if (pagemap < 0 || kpageflags < 0) {
    std::fprintf(stderr, "folio_census: /proc/self/pagemap or /proc/kpageflags: %s (needs root)\n",
                 std::strerror(errno));
    return 2;
  }
  int rc = 0;
  for (int i = 1; i < argc; ++i) rc |= CensusOf(argv[i], pagemap, kpageflags);
  return rc;
}
