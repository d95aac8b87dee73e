// A loopback HTTP server for the CRL fetching tests: 127.0.0.1 on a free port, one thread per
// connection, handlers per path, a hit counter per path. Every wait is bounded and the destructor stops
// and joins every thread.
#pragma once
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace essl::test {

class HttpServer {
 public:
  // Writes the answer to `fd`; `stop` turns true when the server is being destroyed.
  using Handler = std::function<void(int fd, const std::atomic<bool>& stop)>;

  HttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 64) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ::close(fd_);
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~HttpServer() {
    stop_ = true;
    acceptor_.join();
    std::vector<std::thread> conns;
    {
      std::lock_guard lock(mu_);
      conns.swap(conns_);
    }
    for (auto& t : conns) t.join();
    ::close(fd_);
  }

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  uint16_t port() const { return port_; }

  void route(const std::string& path, Handler h) {
    std::lock_guard lock(mu_);
    routes_[path] = std::move(h);
  }
  int hits(const std::string& path) const {
    std::lock_guard lock(mu_);
    auto it = hits_.find(path);
    return it == hits_.end() ? 0 : it->second;
  }

  // Small helpers for handlers.
  static void send_text(int fd, const std::string& s) {
    size_t at = 0;
    while (at < s.size()) {
      const ssize_t n = ::send(fd, s.data() + at, s.size() - at, MSG_NOSIGNAL);
      if (n <= 0) return;
      at += static_cast<size_t>(n);
    }
  }
  static void respond(int fd, int status, const std::string& body, const std::string& headers = {}) {
    send_text(fd, "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) +
                      "\r\nConnection: close\r\n" + headers + "\r\n" + body);
  }
  // Sleeps up to `d`, waking early when the server stops.
  static void sleep_unless_stopped(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
    const auto end = std::chrono::steady_clock::now() + d;
    while (!stop && std::chrono::steady_clock::now() < end) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

 private:
  static constexpr size_t kMaxConnections = 256;

  void accept_loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::lock_guard lock(mu_);
      if (conns_.size() >= kMaxConnections) {
        ::close(c);
        continue;
      }
      conns_.emplace_back([this, c] { serve(c); });
    }
  }

  // Reads the request head (at most 16 KiB, at most 2 s), then runs the path's handler.
  void serve(int c) {
    std::string head;
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384 && !stop_ &&
           std::chrono::steady_clock::now() < end) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      head.append(buf, static_cast<size_t>(n));
    }
    // "GET /path HTTP/1.1"
    std::string path;
    const size_t sp1 = head.find(' ');
    const size_t sp2 = sp1 == std::string::npos ? sp1 : head.find(' ', sp1 + 1);
    if (sp2 != std::string::npos) path = head.substr(sp1 + 1, sp2 - sp1 - 1);
    Handler h;
    {
      std::lock_guard lock(mu_);
      ++hits_[path];
      auto it = routes_.find(path);
      if (it != routes_.end()) h = it->second;
    }
    if (h) {
      h(c, stop_);
    } else {
      respond(c, 404, "not found");
    }
    ::shutdown(c, SHUT_WR);
    ::close(c);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread acceptor_;
  mutable std::mutex mu_;
  std::vector<std::thread> conns_;
  std::map<std::string, Handler> routes_;
  std::map<std::string, int> hits_;
};

}  // namespace essl::test
