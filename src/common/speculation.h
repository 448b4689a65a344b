#pragma once

namespace chainfs {

// Whether to try a non-blocking read before waiting for readiness. A read that finds
// something saves the wait's system calls; one that finds nothing costs a system call of its
// own. After one finds nothing, the next kSkip reads go straight to the wait: on a
// request-response connection, where the peer sends nothing until it is answered, almost
// every try would find nothing, while on a busy one they keep finding something.
class Speculation {
 public:
  static constexpr int kSkip = 8;

  // Whether this read should be tried first.
  bool ShouldTry() {
    if (skip_ == 0) return true;
    --skip_;
    return false;
  }
  // A tried read found nothing.
  void Missed() { skip_ = kSkip; }

 private:
  int skip_ = 0;
};

}  // namespace chainfs
