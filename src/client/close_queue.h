#pragma once

#include <map>

#include "client/meta_client.h"
#include "runtime/notifier.h"

namespace chainfs::client {

// Write sessions this client is done with, ended on the metadata servers in batches. A close
// with no length left to report (the last close(2) reported it, or nothing was written) need
// not wait for a commit of its own: it joins the queue, and one call ends every session queued
// within `delay` in one transaction. Until then the session only keeps the file's chunks alive
// a little longer. Each close carries the stamp of the last open sent for its file, so one
// that arrives after a newer open of the file leaves that open's session alone. Belongs to the
// thread of `rt`.
class CloseQueue {
 public:
  CloseQueue(Runtime& rt, MetaClient& meta, Nanos delay)
      : rt_(rt), meta_(meta), delay_(delay), changed_(rt.clock()) {}
  CloseQueue(const CloseQueue&) = delete;
  CloseQueue& operator=(const CloseQueue&) = delete;

  void Add(uint64_t session, InodeId id, uint64_t stamp);
  // Sends what is queued and returns when nothing is queued or on its way.
  Task<void> Drain();
  size_t queued() const { return queued_.size(); }

 private:
  using Key = std::pair<uint64_t, InodeId>;  // (session, file)
  static Task<void> Sender(CloseQueue* self);
  Task<void> SendQueued();

  Runtime& rt_;
  MetaClient& meta_;
  Nanos delay_;
  Notifier changed_;                // the sender finished, or Drain wants it to hurry
  std::map<Key, uint64_t> queued_;  // to the open stamp
  bool sender_running_ = false;
  bool hurry_ = false;
};

}  // namespace chainfs::client
