// The hibernation timer: a queue of (deadline, socket) served by one thread, started on first use and
// stopped when the library is unloaded.
#include "api/hibernate.hpp"

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "api/socket_impl.hpp"

namespace essl::detail {
namespace {

class Hibernator {
 public:
  ~Hibernator() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void schedule(std::weak_ptr<Socket::Impl> socket, HibernateClock::time_point when) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      due_.emplace(when, std::move(socket));
      if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
    }
    cv_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (!stop_) {
      if (due_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = due_.begin();
      if (HibernateClock::now() < first->first) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      std::weak_ptr<Socket::Impl> socket = std::move(first->second);
      due_.erase(first);
      // The socket's own lock is taken in check(): never while holding ours (schedule() is called with
      // the socket's lock held).
      lock.unlock();
      if (auto s = socket.lock()) s->check_hibernation();
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<HibernateClock::time_point, std::weak_ptr<Socket::Impl>> due_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

void schedule_hibernation(std::weak_ptr<Socket::Impl> socket, HibernateClock::time_point when) {
  static Hibernator hibernator;
  hibernator.schedule(std::move(socket), when);
}

}  // namespace essl::detail
