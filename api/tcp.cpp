// TCP transport: the only file in api/ that calls the socket API.
#include "api/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace essl::tcp {
namespace {

void set_nodelay(int fd) {
  // Each flight goes out in one send(); Nagle would hold the last segment for the peer's delayed ACK.
  tcp::set_nodelay(fd, true);
}

Res<Address> to_address(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  Address a;
  if (ss.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(ss);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    a.port = ntohs(v4.sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(ss);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      // An IPv4 peer of a dual-stack socket: report it as the IPv4 address it is.
      ::inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof text);
    } else {
      ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    }
    a.port = ntohs(v6.sin6_port);
  } else if (ss.ss_family == AF_UNIX) {
    const auto& un = reinterpret_cast<const sockaddr_un&>(ss);
    a.ip = std::string(un.sun_path, ::strnlen(un.sun_path, sizeof un.sun_path));
    return a;
  } else {
    return fail(Error::transport("unknown address family"));
  }
  a.ip = text;
  return a;
}

// Waits for `events` on fd; timeout() when the deadline passes first.
Result<void, Error> wait_for(int fd, short events, const detail::Deadline& deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, deadline.poll_ms());
    if (n > 0) return {};
    if (n == 0) return fail(Error::timeout());
    if (errno != EINTR) return fail(errno_error("poll", errno));
  }
}

int family_of(SocketOptions::Family f) {
  switch (f) {
    case SocketOptions::Family::inet: return AF_INET;
    case SocketOptions::Family::inet6: return AF_INET6;
    case SocketOptions::Family::unspec: break;
  }
  return AF_UNSPEC;
}

// A numeric address (IPv4 or IPv6 literal) with a port, for bind().
bool numeric_address(const std::string& ip, int family, uint16_t port, sockaddr_storage& ss, socklen_t& len) {
  addrinfo hints{};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  if (::getaddrinfo(ip.empty() ? nullptr : ip.c_str(), service.c_str(), &hints, &res) != 0 || !res) return false;
  std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  ::freeaddrinfo(res);
  return true;
}

}  // namespace

void set_nodelay(int fd, bool on) {
  int v = on ? 1 : 0;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
}

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Error errno_error(const char* what, int err) {
  if (err == EPIPE || err == ECONNRESET) return Error::closed();
  return Error::transport(std::string(what) + ": " + std::strerror(err));
}

Res<Fd> listen(const SocketOptions& sock, uint16_t port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = family_of(sock.family);
  std::string ip = sock.ip;
  if (ip.empty()) ip = family == AF_INET6 ? "::" : "0.0.0.0";
  if (!numeric_address(ip, family, port, ss, len)) return fail(Error::options("ip", "not an address: " + ip));

  Fd fd(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fail(errno_error("socket", errno));
  int one = 1;
  if (sock.reuseaddr) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (sock.reuseport && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
    return fail(errno_error("setsockopt SO_REUSEPORT", errno));
  if (ss.ss_family == AF_INET6) {
    // "::" serves IPv4 peers too; a specific IPv6 address only itself.
    int v6only = 0;
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
  }
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return fail(errno_error("bind", errno));
  if (::listen(fd.get(), sock.backlog > 0 ? sock.backlog : 5) != 0) return fail(errno_error("listen", errno));
  return fd;
}

Res<Fd> accept(int listen_fd, const detail::Deadline& deadline) {
  for (;;) {
    if (auto w = wait_for(listen_fd, POLLIN, deadline); !w) return fail(w.error());
    int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c >= 0) {
      set_nodelay(c);
      return Fd(c);
    }
    // A connection that vanished between poll() and accept(): wait for the next one.
    if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    return fail(errno_error("accept", errno));
  }
}

namespace {

Res<Fd> connect_one(const addrinfo& ai, const SocketOptions& sock, const detail::Deadline& deadline) {
  Fd fd(::socket(ai.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return fail(errno_error("socket", errno));
  if (!sock.ip.empty()) {
    sockaddr_storage local{};
    socklen_t len = 0;
    if (!numeric_address(sock.ip, ai.ai_family, 0, local, len))
      return fail(Error::options("ip", "not a local address of this family: " + sock.ip));
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), len) != 0) return fail(errno_error("bind", errno));
  }
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return fail(errno_error("connect", errno));
    if (auto w = wait_for(fd.get(), POLLOUT, deadline); !w) return fail(w.error());
    int err = 0;
    socklen_t elen = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) return fail(errno_error("connect", err));
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  set_nodelay(fd.get());
  return fd;
}

}  // namespace

Res<Fd> connect(const std::string& host, uint16_t port, const SocketOptions& sock, const detail::Deadline& deadline) {
  addrinfo hints{};
  hints.ai_family = family_of(sock.family);
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  std::string service = std::to_string(port);
  // Literal "[::1]" is accepted as well as "::1".
  std::string name = host;
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  if (int rc = ::getaddrinfo(name.c_str(), service.c_str(), &hints, &res); rc != 0 || !res) {
    return fail(Error::transport("getaddrinfo " + host + ": " + ::gai_strerror(rc)));
  }
  Error last = Error::transport("no address for " + host);
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    auto c = connect_one(*ai, sock, deadline);
    if (c) {
      ::freeaddrinfo(res);
      return std::move(c).value();
    }
    last = c.error();
    if (last.kind == Error::Kind::timeout) break;
  }
  ::freeaddrinfo(res);
  return fail(last);
}

Result<void, Error> send_all(int fd, std::span<const uint8_t> data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail(errno_error("send", errno));
    }
    off += static_cast<size_t>(n);
  }
  return {};
}

Res<size_t> read_some(int fd, std::span<uint8_t> buf, const detail::Deadline& deadline) {
  for (;;) {
    if (auto w = wait_for(fd, POLLIN, deadline); !w) return fail(w.error());
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n >= 0) return static_cast<size_t>(n);
    if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
    if (errno == ECONNRESET) return size_t{0};
    return fail(errno_error("recv", errno));
  }
}

void shutdown_write(int fd) { ::shutdown(fd, SHUT_WR); }
void shutdown_read(int fd) { ::shutdown(fd, SHUT_RD); }

Res<Address> peername(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return fail(errno_error("getpeername", errno));
  return to_address(ss);
}

Res<Address> sockname(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return fail(errno_error("getsockname", errno));
  return to_address(ss);
}

namespace {

bool unix_address(const std::string& path, sockaddr_un& un) {
  un = sockaddr_un{};
  un.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof un.sun_path) return false;
  std::memcpy(un.sun_path, path.data(), path.size());
  return true;
}

}  // namespace

Res<Fd> unix_listen(const std::string& path, int backlog) {
  sockaddr_un un;
  if (!unix_address(path, un)) return fail(Error::options("path", "not a Unix-domain socket path: " + path));
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return fail(errno_error("socket", errno));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&un), sizeof un) != 0) return fail(errno_error("bind", errno));
  if (::listen(fd.get(), backlog > 0 ? backlog : 5) != 0) return fail(errno_error("listen", errno));
  return fd;
}

Res<Fd> unix_connect(const std::string& path, const detail::Deadline& deadline) {
  sockaddr_un un;
  if (!unix_address(path, un)) return fail(Error::options("path", "not a Unix-domain socket path: " + path));
  Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return fail(errno_error("socket", errno));
  for (;;) {
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&un), sizeof un) == 0) break;
    if (errno == EINTR) continue;
    // A full backlog: wait for room.
    if (errno != EAGAIN && errno != EINPROGRESS) return fail(errno_error("connect", errno));
    if (auto w = wait_for(fd.get(), POLLOUT, deadline); !w) return fail(w.error());
    int err = 0;
    socklen_t elen = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
    if (err != 0) return fail(errno_error("connect", err));
    break;
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

}  // namespace essl::tcp
