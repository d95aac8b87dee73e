// Blocking TCP over POSIX sockets, IPv4 and IPv6, with poll() for every wait that has a deadline.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "api/deadline.hpp"
#include "essl/error.hpp"
#include "essl/ssl.hpp"

namespace essl::tcp {

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset();

 private:
  int fd_ = -1;
};

// errno as a transport error ("connect: Connection refused").
Error errno_error(const char* what, int err);

Res<Fd> listen(const SocketOptions& sock, uint16_t port);
Res<Fd> accept(int listen_fd, const detail::Deadline& deadline);
// Resolves `host` and connects to the first address that answers; TCP_NODELAY set.
Res<Fd> connect(const std::string& host, uint16_t port, const SocketOptions& sock, const detail::Deadline& deadline);

// Unix-domain stream sockets; sockname/peername report the path (port 0).
Res<Fd> unix_listen(const std::string& path, int backlog);
Res<Fd> unix_connect(const std::string& path, const detail::Deadline& deadline);

// Writes everything (one send() call unless the kernel takes less). EPIPE/ECONNRESET are `closed`.
Result<void, Error> send_all(int fd, std::span<const uint8_t> data);
// Waits until readable (or the deadline: `timeout`), then reads; 0 bytes = the peer closed.
Res<size_t> read_some(int fd, std::span<uint8_t> buf, const detail::Deadline& deadline);

// shutdown(2) halves; errors are ignored (the socket may already be gone at the peer).
void shutdown_write(int fd);
void set_nodelay(int fd, bool on);
void shutdown_read(int fd);

Res<Address> peername(int fd);
Res<Address> sockname(int fd);

}  // namespace essl::tcp
