// `essl client`: one line about the connection, then stdin to the peer and the peer to stdout.
#include <poll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <iostream>

#include "tools/commands.hpp"

namespace essl::cli {
namespace {

bool write_stdout(const std::vector<uint8_t>& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// Until the peer closes: stdin goes to the peer, the peer's data to stdout. TLS 1.2 has no half-close (a
// close_notify ends both directions, RFC 5246 7.2.1), so at the end of stdin the client keeps reading
// until the peer has been quiet for `linger` (answers still in flight arrive), then closes.
int copy_loop(Socket& s, std::chrono::milliseconds linger) {
  bool stdin_open = true;
  std::array<uint8_t, 16384> buf;
  for (;;) {
    // Drain what is already decrypted before sleeping in poll().
    for (;;) {
      auto data = s.recv(0, std::chrono::milliseconds(0));
      if (data) {
        if (!write_stdout(*data)) return 1;
        continue;
      }
      if (data.error().kind == Error::Kind::timeout) break;
      if (data.error().kind == Error::Kind::closed) return 0;
      std::cerr << format_error(data.error()) << "\n";
      return 1;
    }
    std::array<pollfd, 2> fds{pollfd{s.native_handle(), POLLIN, 0}, pollfd{STDIN_FILENO, POLLIN, 0}};
    int n = ::poll(fds.data(), stdin_open ? 2 : 1, stdin_open ? -1 : static_cast<int>(linger.count()));
    if (n < 0 && errno != EINTR) return 1;
    if (n == 0) return 0;  // stdin ended and the peer stayed quiet
    if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t got = ::read(STDIN_FILENO, buf.data(), buf.size());
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        stdin_open = false;
      } else if (auto r = s.send(std::span<const uint8_t>(buf.data(), static_cast<size_t>(got))); !r) {
        std::cerr << format_error(r.error()) << "\n";
        return 1;
      }
    }
  }
}

}  // namespace

std::string describe(const ConnectionInfo& info, bool report_resumed) {
  std::string line = "protocol=";
  line += info.protocol ? version_atom(*info.protocol) : "unknown";
  line += " cipher_suite=" + info.cipher_suite_name;
  if (info.sni_hostname) line += " sni=" + *info.sni_hostname;
  if (info.resumed || report_resumed) line += info.resumed ? " resumed=true" : " resumed=false";
  if (info.extended_master_secret) line += " ems=true";
  if (info.encrypt_then_mac) line += " etm=true";
  return line;
}

int run_client(const Args& a) {
  if (a.host.empty()) {
    std::cerr << format_error(Error::options("host", "missing")) << "\n";
    return 2;
  }
  auto s = connect(a.host, a.port, a.tls, a.timeout, a.sock);
  if (s && a.reconnect) {
    (void)s->close();
    s = connect(a.host, a.port, a.tls, a.timeout, a.sock);
  }
  if (!s) {
    std::cerr << format_error(s.error()) << "\n";
    return s.error().kind == Error::Kind::options ? 2 : 1;
  }
  // --renegotiate: a second handshake on the connection; the line describes the connection after it.
  std::string renegotiated;
  if (a.renegotiate) {
    if (auto r = s->renegotiate(a.timeout); r) {
      renegotiated = " renegotiated=true";
    } else if (r.error().kind == Error::Kind::other && r.error().detail == "renegotiation_rejected") {
      renegotiated = " renegotiated=rejected";
    } else {
      std::cerr << format_error(r.error()) << "\n";
      return 1;
    }
  }
  auto info = s->connection_information();
  if (!info) {
    std::cerr << format_error(info.error()) << "\n";
    return 1;
  }
  // With --reconnect the line says whether the second connection resumed the first one's session.
  std::string line = describe(*info, a.reconnect);
  // Which extension agreed the protocol: NPN only when the client did not also offer ALPN.
  if (auto p = s->negotiated_protocol())
    line += (a.tls.alpn_advertised_protocols ? " alpn=" : " npn=") + *p;
  line += renegotiated;
  std::cout << line << std::endl;
  int rc = copy_loop(*s, a.linger);
  (void)s->close();
  return rc;
}

}  // namespace essl::cli
