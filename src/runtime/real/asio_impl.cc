// The one translation unit that compiles asio (ASIO_SEPARATE_COMPILATION).
#include <asio/impl/src.hpp>

#include <liburing.h>

#include <cerrno>

// asio sets up every io_uring with io_uring_queue_init(entries, ring, 0) and has no way to ask
// for setup flags, so this definition, linked into the same binary, takes that call. It adds
// IORING_SETUP_COOP_TASKRUN: a completion for a thread that is running then no longer
// interrupts it with an inter-processor interrupt to run the kernel's part of the completion;
// the thread runs it at its next system call, and TASKRUN_FLAG tells liburing's peek to make
// one when some is pending. A thread that sleeps in the ring is woken as before. Kernels
// older than 5.19 refuse the flags; the ring is then set up as asio asked.
extern "C" int io_uring_queue_init(unsigned entries, struct io_uring* ring, unsigned flags) {
  io_uring_params params{};
  params.flags = flags | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
  int rc = io_uring_queue_init_params(entries, ring, &params);
  if (rc != -EINVAL) return rc;
  params = io_uring_params{};
  params.flags = flags;
  return io_uring_queue_init_params(entries, ring, &params);
}
