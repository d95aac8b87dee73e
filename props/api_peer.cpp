// The API harness's connection: the configurations, the listen socket, the handshake, the peer and its proxy.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rapidcheck.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <future>
#include <map>
#include <sstream>
#include <string>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/kex.hpp"
#include "crypto_glue/prf.hpp"
#include "crypto_glue/record_protection.hpp"
#include "essl/ssl.hpp"
#include "props/api_harness.hpp"
#include "props/api_harness_local.hpp"
#include "props/record_keys.hpp"

namespace essl::props {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Bytes the peer writes per case, records included: well below what the kernel buffers between the two
// sockets hold, so that the peer never blocks on a socket that does not read.
constexpr size_t peer_budget = 128 * 1024;

std::string data_path(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}


const SuiteInfo& suite_of(size_t variant) {
  const SuiteInfo* s = find_suite_by_name(variants[variant].suite);
  if (!s) std::abort();
  return *s;
}

// The peer's configuration, built once per variant and never destroyed (Botan's statics may go first).
const std::shared_ptr<const Config>& peer_config(size_t variant) {
  static auto& cache = *new std::map<size_t, std::shared_ptr<const Config>>;
  auto it = cache.find(variant);
  if (it != cache.end()) return it->second;
  Options o;
  o.versions = {variants[variant].version};
  o.ciphers = std::vector<SuiteSpec>{suite_of(variant).spec};
  o.reuse_sessions = false;
  o.certfile = data_path("server-rsa.pem");
  o.keyfile = data_path("server-rsa-key.pem");
  auto c = Config::make(Role::server, o);
  if (!c) std::abort();
  return cache.emplace(variant, c.value()).first->second;
}

Options sut_options(size_t variant) {
  Options o;
  o.versions = {variants[variant].version};
  o.ciphers = std::vector<SuiteSpec>{suite_of(variant).spec};
  o.reuse_sessions = false;  // every case a full handshake, so that the proxy sees a ClientKeyExchange
  o.cacertfile = data_path("ca.pem");
  o.verify = Verify::verify_peer;
  o.alert_timeout = 1000;
  return o;
}

// ---- TCP on the peer's side ----

int ms_until(Clock::time_point t) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count();
  return int(std::clamp<long long>(ms, 0, 1 << 30));
}

bool wait_fd(int fd, short events, Clock::time_point until) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, ms_until(until));
    if (r > 0) return true;
    if (r == 0 || errno != EINTR) return false;
  }
}

// The listen socket every case connects to (never closed: the process ends first).
int listen_fd() {
  static const int fd = [] {
    int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int one = 1;
    if (s < 0 || ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s, 16) != 0)
      return -1;
    return s;
  }();
  return fd;
}

uint16_t listen_port() {
  sockaddr_in a{};
  socklen_t n = sizeof a;
  if (::getsockname(listen_fd(), reinterpret_cast<sockaddr*>(&a), &n) != 0) return 0;
  return ntohs(a.sin_port);
}

// Writes everything within answer_wait; false when the other side is gone (EPIPE, ECONNRESET).
bool write_all(int fd, ByteView b) {
  const auto until = Clock::now() + answer_wait;
  size_t off = 0;
  while (off < b.size()) {
    ssize_t n = ::send(fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
    if (n >= 0) {
      off += size_t(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_fd(fd, POLLOUT, until)) RC_FAIL("the peer could not write for 5 s: the socket does not read");
    } else if (errno == EPIPE || errno == ECONNRESET) {
      return false;
    } else if (errno != EINTR) {
      RC_FAIL(std::string("peer send: ") + std::strerror(errno));
    }
  }
  return true;
}

}  // namespace

// ---- the harness ----

bool Harness::peer_room(size_t bytes) const { return !m_.peer_mute && peer_.wire + bytes <= peer_budget; }

Harness::Harness(size_t variant, const SocketOptions& sock) {
  RC_ASSERT(listen_fd() >= 0);
  const uint16_t port = listen_port();
  m_.active = sock.active.value_or(Active(true));
  m_.modes = {sock.mode.value_or(Mode::list)};
  // The socket's events go to this thread's mailbox: the connecting thread hands it over at once.
  auto pending = std::async(std::launch::async, [port, o = sut_options(variant), sock, me = self()]() -> Res<Socket> {
    auto s = essl::connect("127.0.0.1", port, o, 10s, sock);
    if (s)
      if (auto r = s->controlling_process(me); !r) return fail(r.error());
    return s;
  });
  const auto until = Clock::now() + 10s;
  RC_ASSERT(wait_fd(listen_fd(), POLLIN, until));
  peer_.fd = ::accept4(listen_fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  RC_ASSERT(peer_.fd >= 0);
  const int one = 1, sndbuf = 1 << 20;
  ::setsockopt(peer_.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(peer_.fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);

  // The handshake, capturing both directions for the proxy's keys.
  peer_.engine = std::make_unique<Engine>(peer_config(variant), PeerId{"127.0.0.1", 0});
  peer_.engine->start();
  Bytes to_server, to_client;
  uint8_t buf[16384];
  while (!peer_.engine->handshake_done()) {
    RC_ASSERT(!peer_.engine->error().has_value());
    RC_ASSERT(wait_fd(peer_.fd, POLLIN, until));
    ssize_t n = ::recv(peer_.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    RC_ASSERT(n > 0);
    to_server.insert(to_server.end(), buf, buf + n);
    peer_.engine->feed(ByteView(buf, size_t(n)));
    ByteView out = peer_.engine->pending_output();
    to_client.insert(to_client.end(), out.begin(), out.end());
    RC_ASSERT(write_all(peer_.fd, out));
    peer_.engine->consume_output(out.size());
  }
  auto s = pending.get();
  if (!s) RC_FAIL("connect: " + format_error(s.error()));
  sut_ = std::move(s.value());

  // The server's write keys, as both ends derived them; the server's Finished goes through them.
  const Version v = variants[variant].version;
  RC_ASSERT(peer_config(variant)->key != nullptr);
  auto keys = props::recover_keys(v, suite_of(variant).spec, *peer_config(variant)->key, peer_.engine->info(),
                                  to_server, {Bytes{}, to_client}, crypto::system_rng());
  peer_.open = std::move(keys[1].open);
  peer_.seal = std::move(keys[1].seal);
  peer_.version = uint16_t(v);
}

// ---- the peer ----

void Harness::write_peer(ByteView record) {
  if (!write_all(peer_.fd, record)) {
    // Only a socket that may have closed its descriptor resets the connection, or one shut both ways:
    // data for a TCP socket whose reading is shut and whose FIN went out is answered with a reset (RFC
    // 1122 4.2.2.13, as Linux does).
    if (!m_.user_closed && !m_.err_possible() && !(m_.shut_read && (m_.shut_write || m_.answer_maybe)))
      RC_FAIL("the peer's write failed: the socket reset the connection " + m_.describe());
    peer_.write_failed = true;
  }
  peer_.wire += record.size();
}

// Seals a record with the proxy's sequence numbers and sends it, unless the peer is mute.
void Harness::forward(uint8_t type, ByteView plain) {
  if (m_.peer_mute || peer_.write_failed) return;
  Bytes rec = {type, uint8_t(peer_.version >> 8), uint8_t(peer_.version), 0, 0};
  peer_.seal->protect(type, peer_.version, peer_.seal_seq++, plain, rec, crypto::system_rng());
  const size_t len = rec.size() - 5;
  rec[3] = uint8_t(len >> 8);
  rec[4] = uint8_t(len);
  write_peer(rec);
}

// Takes the peer engine's records, checks them, and forwards them: the model's stream follows them.
void Harness::pull() {
  ByteView out = peer_.engine->pending_output();
  peer_.raw.insert(peer_.raw.end(), out.begin(), out.end());
  peer_.engine->consume_output(out.size());
  size_t at = 0;
  while (peer_.raw.size() - at >= 5) {
    const size_t len = size_t(peer_.raw[at + 3]) << 8 | peer_.raw[at + 4];
    if (peer_.raw.size() - at - 5 < len) break;
    const uint8_t type = peer_.raw[at];
    Bytes frag(peer_.raw.begin() + ptrdiff_t(at + 5), peer_.raw.begin() + ptrdiff_t(at + 5 + len));
    at += 5 + len;
    auto opened = peer_.open->unprotect(type, peer_.version, peer_.open_seq++, frag);
    RC_ASSERT(opened.ok());
    const Bytes p(opened.value().begin(), opened.value().end());
    const bool delivered = !m_.peer_mute && !peer_.write_failed;
    if (type == 23) {
      if (delivered && !m_.end) {
        m_.queue.insert(m_.queue.end(), p.begin(), p.end());
        m_.streamed.insert(m_.streamed.end(), p.begin(), p.end());
        m_.warnings = 0;
      }
    } else if (type == 21 && p.size() == 2 && p[0] == 1 && p[1] == 0) {
      // close_notify: asked for, or the answer to the socket's.
      RC_ASSERT(!peer_.close_sent);
      peer_.close_sent = true;
      if (delivered) m_.stream_end(End(End::Kind::close_notify));
    } else {
      // The peer's engine refused something the socket sent.
      std::ostringstream os;
      os << "the peer's engine sent a record of type " << int(type) << " (" << p.size() << " bytes";
      if (p.size() == 2) os << ": alert " << int(p[0]) << "/" << alert_atom(AlertDescription(p[1]));
      os << ") " << m_.describe();
      RC_FAIL(os.str());
    }
    forward(type, p);
  }
  peer_.raw.erase(peer_.raw.begin(), peer_.raw.begin() + ptrdiff_t(at));
}

// Reads whatever the socket wrote, without waiting.
void Harness::peer_read() {
  uint8_t buf[32768];
  while (!peer_.eof) {
    ssize_t n = ::recv(peer_.fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      peer_.engine->feed(ByteView(buf, size_t(n)));
      ByteView app = peer_.engine->app_data();
      peer_.got.insert(peer_.got.end(), app.begin(), app.end());
      peer_.engine->consume_app_data(app.size());
      pull();
    } else if (n == 0 || errno == ECONNRESET) {
      peer_.eof = true;
      // The socket ends its transport after close, shutdown(write), answering the peer's close or an alert.
      if (!m_.user_closed && !m_.shut_write && !m_.err_possible() && !m_.answer_maybe)
        RC_FAIL("the socket ended its transport unasked " + m_.describe());
    } else if (errno != EINTR) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      RC_FAIL(std::string("peer recv: ") + std::strerror(errno));
    }
  }
}

// What the peer saw so far is allowed.
void Harness::check_peer() {
  const Bytes& got = peer_.got;
  if (got.size() > m_.accepted.size() || !std::equal(got.begin(), got.end(), m_.accepted.begin()))
    RC_FAIL("the peer received " + std::to_string(got.size()) + " bytes that are not a prefix of the " +
            std::to_string(m_.accepted.size()) + " bytes send() accepted " + m_.describe());
  if (peer_.engine->peer_closed() && !m_.close_notify_out && !m_.close_notify_maybe)
    RC_FAIL("the socket sent close_notify unasked " + m_.describe());
  if (const auto& e = peer_.engine->error()) {
    const bool allowed = m_.end && m_.end->kind == End::Kind::sent && m_.err_possible() &&
                         e->kind == Error::Kind::tls_alert && e->alert == m_.end->alert && !e->alert_sent;
    if (!allowed) RC_FAIL("the peer got " + format_error(*e) + " " + m_.describe());
  }
}

bool Harness::peer_caught_up() const {
  if (peer_.got.size() != m_.accepted.size()) return false;
  if (m_.close_notify_out && !peer_.engine->peer_closed()) return false;
  // An alert the socket reported sending reaches the peer, unless its close_notify went first.
  const bool alert_due = m_.end && m_.end->kind == End::Kind::sent && m_.seen == Seen::reported &&
                         !m_.close_notify_out && !m_.close_notify_maybe;
  return !alert_due || peer_.engine->error().has_value();
}

// Reads until the peer has all the socket must have written, within answer_wait.
void Harness::sync() {
  if (m_.peer_gone) return;
  const auto until = Clock::now() + answer_wait;
  for (;;) {
    peer_read();
    check_peer();
    if (peer_caught_up()) return;
    std::ostringstream os;
    os << "the peer has " << peer_.got.size() << " of " << m_.accepted.size() << " bytes accepted by send()"
       << (m_.close_notify_out && !peer_.engine->peer_closed() ? ", no close_notify" : "") << " " << m_.describe();
    if (peer_.eof) RC_FAIL("the socket ended its transport, but " + os.str());
    if (Clock::now() >= until) RC_FAIL("after 5 s " + os.str());
    wait_fd(peer_.fd, POLLIN, std::min(until, Clock::now() + 50ms));
  }
}

}  // namespace essl::props
