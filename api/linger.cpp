// The lingering closer: one thread, one poll() over every descriptor it holds.
#include "api/linger.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <mutex>
#include <thread>
#include <vector>

namespace essl::detail {
namespace {

using Clock = std::chrono::steady_clock;

class Closer {
 public:
  Closer() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) { std::thread([this] { run(); }).detach(); }

  void add(tcp::Fd fd, Clock::time_point until) {
    {
      std::lock_guard lock(mu_);
      held_.push_back({std::move(fd), until});
    }
    uint64_t one = 1;
    (void)!::write(wake_, &one, sizeof one);
  }

 private:
  struct Held {
    tcp::Fd fd;
    Clock::time_point until;
  };

  void run() {
    std::array<uint8_t, 4096> sink;
    for (;;) {
      std::vector<pollfd> fds{{wake_, POLLIN, 0}};
      int timeout = -1;
      {
        std::lock_guard lock(mu_);
        auto now = Clock::now();
        // Drop what is finished: past its deadline.
        std::erase_if(held_, [&](const Held& h) { return h.until <= now; });
        for (const auto& h : held_) {
          fds.push_back({h.fd.get(), POLLIN, 0});
          auto left = std::chrono::ceil<std::chrono::milliseconds>(h.until - now).count();
          timeout = timeout < 0 ? static_cast<int>(left) : std::min(timeout, static_cast<int>(left));
        }
      }
      ::poll(fds.data(), fds.size(), timeout);
      if (fds[0].revents) {
        uint64_t n;
        (void)!::read(wake_, &n, sizeof n);
      }
      std::vector<int> done;
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        ssize_t n = ::recv(fds[i].fd, sink.data(), sink.size(), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) done.push_back(fds[i].fd);
      }
      if (!done.empty()) {
        std::lock_guard lock(mu_);
        std::erase_if(held_, [&](const Held& h) { return std::find(done.begin(), done.end(), h.fd.get()) != done.end(); });
      }
    }
  }

  int wake_;
  std::mutex mu_;
  std::vector<Held> held_;
};

}  // namespace

void linger_close(tcp::Fd fd, std::chrono::milliseconds max_wait) {
  if (!fd.valid()) return;
  if (max_wait.count() <= 0) return;  // fd closes here
  // Never destroyed: the thread may outlive static destruction at exit.
  static Closer* closer = new Closer();
  closer->add(std::move(fd), Clock::now() + max_wait);
}

}  // namespace essl::detail
