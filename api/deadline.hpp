// A point in time derived from a Timeout, turned into poll() milliseconds.
#pragma once
#include <algorithm>
#include <chrono>
#include <optional>

#include "essl/ssl.hpp"

namespace essl::detail {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;
  Deadline() = default;  // never expires
  explicit Deadline(Timeout t) {
    if (t) at_ = Clock::now() + std::max(*t, std::chrono::milliseconds(0));
  }
  static Deadline in(std::chrono::milliseconds ms) { return Deadline(Timeout(ms)); }

  bool infinite() const { return !at_; }
  // -1 for ever, else the milliseconds left rounded up (0 once passed).
  int poll_ms() const {
    if (!at_) return -1;
    auto left = std::chrono::ceil<std::chrono::milliseconds>(*at_ - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1 << 30));
  }
  bool expired() const { return at_ && Clock::now() >= *at_; }

 private:
  std::optional<Clock::time_point> at_;
};

}  // namespace essl::detail
