// The harness of the API model's properties: see api_harness.hpp.
#include "props/api_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rapidcheck.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <map>
#include <ostream>
#include <sstream>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/kex.hpp"
#include "crypto_glue/prf.hpp"
#include "crypto_glue/record_protection.hpp"
#include "essl/ssl.hpp"
#include "props/record_keys.hpp"

namespace essl::props {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long an answer the model expects (data, `closed`, an alert) may take to come.
constexpr std::chrono::milliseconds answer_wait = 5000ms;
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

// Stream positions numbered into the bytes, so that loss, duplication and reordering show.
uint8_t sut_byte(size_t at) { return uint8_t(at * 31 / 7 + 3); }
uint8_t peer_byte(size_t at) { return uint8_t(at * 13 / 5 + 11); }


struct Allowed { bool ok = false, closed = false, timeout = false, alert = false; };  // what an answer may be
enum class Answer { ok, closed, timeout, alert };

std::string expected(const Allowed& a, const Model& m) {
  std::string s;
  auto add = [&s](const std::string& x) { s += (s.empty() ? "" : " or ") + x; };
  if (a.ok) add("ok");
  if (a.closed) add("closed");
  if (a.timeout) add("timeout");
  if (a.alert) add(format_error(m.error()));
  return s;
}

template <class R>
Answer judge(const R& r, const Allowed& a, const Model& m, const std::string& what) {
  const std::string want = " (expected " + expected(a, m) + ") " + m.describe();
  if (r.ok()) {
    if (!a.ok) RC_FAIL(what + " returned ok" + want);
    return Answer::ok;
  }
  const Error& e = r.error();
  if (e.kind == Error::Kind::closed && a.closed) return Answer::closed;
  if (e.kind == Error::Kind::timeout && a.timeout) return Answer::timeout;
  if (e.kind == Error::Kind::tls_alert && a.alert) {
    const Error want_e = m.error();
    if (e.alert == want_e.alert && e.alert_sent == want_e.alert_sent) return Answer::alert;
  }
  RC_FAIL(what + " returned " + format_error(e) + want);
}

}  // namespace

// ---- commands ----

std::string active_name(Active a) {
  switch (a.kind()) {
    case Active::Kind::off: return "false";
    case Active::Kind::on: return "true";
    case Active::Kind::once: return "once";
    case Active::Kind::count: return std::to_string(a.n());
  }
  return "?";
}

void showValue(const Cmd& c, std::ostream& os) {
  static const char* names[] = {"send", "recv", "close", "shutdown", "peer_data", "peer_warnings", "peer_fatal",
                                "peer_bad_level", "peer_garbage", "peer_close_notify", "peer_fin", "peer_close",
                                "take", "setopts", "setopts", "getopts"};
  static const char* hows[] = {"read", "write", "read_write"};
  os << names[int(c.op)];
  switch (c.op) {
    case Op::send: case Op::peer_data: case Op::peer_garbage: os << "(" << c.n << ")"; break;
    case Op::recv: os << "(" << c.n << ", " << c.timeout_ms << "ms)"; break;
    case Op::take: os << "(" << c.timeout_ms << "ms)"; break;
    case Op::set_active: os << "({active, " << active_name(c.active) << "})"; break;
    case Op::set_mode: os << "({mode, " << (c.mode == Mode::list ? "list" : "binary") << "})"; break;
    case Op::shutdown: os << "(" << hows[int(c.how)] << ")"; break;
    case Op::peer_warnings: os << "(" << c.n << " x " << int(c.desc) << ")"; break;
    case Op::peer_fatal: os << "(" << int(c.desc) << ")"; break;
    case Op::peer_bad_level: os << "(level " << int(c.level) << ", " << int(c.desc) << ")"; break;
    default: break;
  }
}

rc::Gen<Cmd> command() {
  using namespace rc::gen;
  const auto size = weightedOneOf<size_t>(
      {{6, inRange<size_t>(1, 100)}, {2, inRange<size_t>(100, 5000)}, {1, inRange<size_t>(15000, 20000)}});
  const auto length = weightedOneOf<size_t>(
      {{3, just<size_t>(0)}, {3, inRange<size_t>(1, 100)}, {1, inRange<size_t>(100, 6000)}});
  const auto desc = weightedOneOf<uint8_t>(
      {{3, element<uint8_t>(10, 20, 40, 42, 47, 48, 50, 80, 90, 100)}, {1, inRange<uint8_t>(1, 255)}});
  const auto burst = weightedOneOf<size_t>({{4, inRange<size_t>(1, 4)}, {1, inRange<size_t>(9, 13)}});
  const auto how = element(ShutdownHow::read, ShutdownHow::write, ShutdownHow::read_write);
  return weightedOneOf<Cmd>({
      {5, map(weightedOneOf<size_t>({{1, just<size_t>(0)}, {8, size}}), [](size_t n) { return Cmd{Op::send, n}; })},
      {7, map(pair(length, element(0, 1, 10)), [](const auto& p) { return Cmd{Op::recv, p.first, p.second}; })},
      {1, just(Cmd{Op::close})},
      {2, map(how, [](ShutdownHow h) { return Cmd{Op::shutdown, 0, 0, 0, 0, h}; })},
      {6, map(size, [](size_t n) { return Cmd{Op::peer_data, n}; })},
      {2, map(pair(burst, desc), [](const auto& p) { return Cmd{Op::peer_warnings, p.first, 0, p.second}; })},
      {1, map(weightedOneOf<uint8_t>({{1, just<uint8_t>(0)}, {6, desc}}),
              [](uint8_t d) { return Cmd{Op::peer_fatal, 0, 0, d}; })},
      {1, map(pair(element<uint8_t>(0, 3, 255), desc),
              [](const auto& p) { return Cmd{Op::peer_bad_level, 0, 0, p.second, p.first}; })},
      {1, map(inRange<size_t>(0, 300), [](size_t n) { return Cmd{Op::peer_garbage, n}; })},
      {1, just(Cmd{Op::peer_close_notify})},
      {1, just(Cmd{Op::peer_fin})},
      {1, just(Cmd{Op::peer_close})},
  });
}

// ---- model ----

const char* end_name(End::Kind k) {
  static const char* names[] = {"close_notify", "eof", "alert received", "alert sent"};
  return names[int(k)];
}

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

// ---- the socket under test ----

void Harness::sut_send(size_t n) {
  Bytes data(n);
  for (size_t i = 0; i < n; ++i) data[i] = sut_byte(m_.accepted.size() + i);
  Allowed a;
  a.alert = m_.err_possible();
  if (!m_.err_certain()) {
    a.ok = !m_.user_closed && !m_.shut_write;
    // Taking in the peer's close_notify answers it at once; a reset transport refuses the data.
    a.closed = !a.ok || m_.peer_gone || m_.answer_maybe ||
               (m_.end && m_.end->kind == End::Kind::close_notify && m_.seen == Seen::maybe);
  }
  m_.reset_possible = m_.reset_possible || (m_.peer_gone && n > 0);
  switch (judge(sut_.send(data), a, m_, "send(" + std::to_string(n) + ")")) {
    case Answer::ok:
      if (!m_.peer_gone) m_.accepted.insert(m_.accepted.end(), data.begin(), data.end());
      break;
    case Answer::alert: m_.seen = Seen::reported; break;
    default: break;
  }
}

void Harness::sut_recv(size_t length, int timeout_ms) {
  if (m_.credit() > 0) {
    // Whether the socket is still active once what is due has come.
    if (m_.active.kind() != Active::Kind::on) settle();
    if (m_.credit() > 0) {
      // recv is for passive sockets: {error, einval}, whatever the socket's state.
      auto r = sut_.recv(length, std::chrono::milliseconds(timeout_ms));
      if (r.ok() || r.error().kind != Error::Kind::other || r.error().detail != "einval")
        RC_FAIL("recv on an active socket returned " + (r.ok() ? std::string("data") : format_error(r.error())) +
                " (expected einval) " + m_.describe());
      ++m_.einvals;
      return;
    }
  }
  const size_t q = m_.queue.size();
  const bool enough = q > 0 && (length == 0 || q >= length);
  Allowed a;
  if (m_.user_closed) {
    a.alert = m_.err_possible();
    a.closed = !m_.err_certain();
  } else if (m_.shut_read) {
    // No more reading: what the socket already decrypted, then `closed` (or the alert it took in).
    a.ok = enough && !m_.read_done;
    a.alert = m_.err_possible();
    a.closed = !m_.err_certain();
  } else if (enough) {
    a.ok = true;
  } else if (m_.end) {
    (m_.end->is_alert() ? a.alert : a.closed) = true;
  } else {
    a.timeout = true;
  }
  if (m_.reset_possible && !m_.err_certain()) a.closed = true;
  const bool only_timeout = a.timeout && !a.ok && !a.closed && !a.alert;
  const Timeout t = only_timeout ? Timeout(std::chrono::milliseconds(timeout_ms)) : Timeout(answer_wait);
  auto r = sut_.recv(length, t);
  switch (judge(r, a, m_, "recv(" + std::to_string(length) + ")")) {
    case Answer::ok: {
      const Data& got = r.value();
      if (got.empty() || (length > 0 && got.size() != length) || got.size() > q ||
          !std::equal(got.begin(), got.end(), m_.queue.begin()))
        RC_FAIL("recv(" + std::to_string(length) + ") returned " + std::to_string(got.size()) +
                " bytes that are not the next ones the peer sent " + m_.describe());
      if (got.mode != m_.modes.back() || got.header != 0)
        RC_FAIL(std::string("recv returned data in ") + (got.mode == Mode::list ? "list" : "binary") +
                " mode, header " + std::to_string(got.header) + " " + m_.describe());
      m_.queue.erase(m_.queue.begin(), m_.queue.begin() + ptrdiff_t(got.size()));
      m_.returned.insert(m_.returned.end(), got.begin(), got.end());
      m_.stray_read = false;  // a read has completed since the socket turned passive
      if (m_.shut_read) {
        if (length == 0) m_.read_done = true;  // recv(0) took all the socket held
      } else if (m_.end && m_.seen == Seen::unseen) {
        m_.seen = Seen::maybe;
        m_.ambiguous = true;
        if (m_.end->kind == End::Kind::close_notify && !m_.shut_write) m_.close_notify_maybe = true;
      }
      break;
    }
    case Answer::closed:
      if (m_.end && m_.end->is_alert() && m_.seen != Seen::reported) m_.seen = Seen::never;
      if (m_.user_closed) break;
      if (!m_.shut_read && !m_.end->is_alert()) m_.seen = Seen::reported;
      m_.read_done = m_.end_told = true;
      m_.drop_queue();
      if (!m_.shut_write) m_.close_notify_out = m_.shut_write = true;  // the socket answers the close
      break;
    case Answer::alert: m_.seen = Seen::reported, m_.read_done = m_.end_told = true, m_.drop_queue(); break;
    case Answer::timeout: ++m_.timeouts; break;
  }
}

void Harness::sut_close() {
  // An active socket may have delivered events until close() stopped its reader: they are all in the
  // mailbox when close() returns.
  const bool pending = m_.credit() > 0 && m_.deliverable();
  judge(sut_.close(), Allowed{true}, m_, "close()");
  if (!m_.user_closed && !m_.shut_write) {
    if (!m_.err_possible()) m_.close_notify_out = true;
    else if (!m_.err_certain()) m_.close_notify_maybe = true;
  }
  m_.user_closed = true;
  if (pending) {
    m_.draining = true;
    for (int i = 0; i < 1000 && sut_take(0); ++i) {}
    m_.draining = false;
  }
}

// ---- delivery ----

// What an active socket does in the background: its reader reads the transport, so it may take in the
// end of the stream at any time, and answer it (or a shutdown(read)) with close_notify and the write
// shutdown.
void Harness::background() {
  if (m_.queue.empty() || m_.credit() == 0) m_.modes = {m_.modes.back()};
  if (m_.stray_read && m_.end && !m_.user_closed && !m_.shut_read) {
    if (m_.seen == Seen::unseen) {
      m_.seen = Seen::maybe;
      m_.ambiguous = true;
      if (m_.end->kind == End::Kind::close_notify && !m_.shut_write) m_.close_notify_maybe = true;
    }
    m_.stray_read = false;
  }
  if (m_.credit() == 0 || m_.user_closed || m_.end_told) return;
  if (m_.end && m_.seen == Seen::unseen) {
    m_.seen = Seen::maybe;
    m_.ambiguous = true;
  }
  if ((m_.shut_read || (m_.end && !m_.end->is_alert())) && !m_.shut_write)
    m_.close_notify_maybe = m_.answer_maybe = true;
}

// Takes what an active socket has due until its state is known: it is passive, or has nothing due.
void Harness::settle() {
  for (int i = 0; i < 2000 && m_.credit() > 0 && m_.deliverable(); ++i) sut_take(0);
  if (m_.credit() > 0 && m_.deliverable()) RC_FAIL("an active socket keeps delivering " + m_.describe());
}

// The next event from the owner's mailbox; false when none came.
bool Harness::sut_take(int timeout_ms) {
  const size_t q = m_.queue.size();
  const bool active = m_.credit() > 0;
  bool data = false, closed = false, alert = false, nothing = false;
  if (m_.draining) {
    // close() stopped the reader: some of what was due, in order, or nothing more.
    nothing = true;
    if (active && !m_.end_told) {
      data = q > 0 && !m_.read_done;
      alert = m_.err_possible();
      closed = !m_.err_certain();
    }
  } else if (!active || m_.user_closed || m_.end_told) {
    nothing = true;  // passive, closed, or the stream's end event taken: nothing comes
  } else if (m_.shut_read) {
    // What the socket had decrypted, then `closed` (or the alert it took in).
    data = q > 0 && !m_.read_done;
    alert = m_.err_possible();
    closed = !m_.err_certain();
  } else if (q > 0) {
    data = true;
  } else if (m_.end) {
    (m_.end->is_alert() ? alert : closed) = true;
  } else {
    nothing = true;
  }
  if (active && !m_.end_told && !m_.user_closed && m_.reset_possible && !m_.err_certain()) closed = true;
  const auto wait = nothing ? std::chrono::milliseconds(m_.draining ? 0 : timeout_ms) : answer_wait;
  const auto ev = self()->receive(sut_.id(), wait);
  std::string want = std::string(data ? " data" : "") + (closed ? " ssl_closed" : "") +
                     (alert ? " {ssl_error, " + format_error(m_.error()) + "}" : "") + (nothing ? " nothing" : "");
  want = " (expected" + want + ") " + m_.describe();
  if (!ev) {
    if (!nothing) RC_FAIL("no event came in 5 s" + want);
    ++m_.timeouts;
    return false;
  }
  switch (ev->kind) {
    case Event::Kind::data: {
      if (!data) RC_FAIL("a data event of " + std::to_string(ev->data.size()) + " bytes" + want);
      const Data& got = ev->data;
      if (got.empty() || got.size() > q || !std::equal(got.begin(), got.end(), m_.queue.begin()))
        RC_FAIL("a data event of " + std::to_string(got.size()) + " bytes that are not the next ones the peer sent" +
                want);
      auto mode = std::find(m_.modes.begin(), m_.modes.end(), got.mode);
      if (mode == m_.modes.end() || got.header != 0)
        RC_FAIL(std::string("a data event in ") + (got.mode == Mode::list ? "list" : "binary") + " mode, header " +
                std::to_string(got.header) + want);
      m_.modes.erase(m_.modes.begin(), mode);
      m_.queue.erase(m_.queue.begin(), m_.queue.begin() + ptrdiff_t(got.size()));
      m_.returned.insert(m_.returned.end(), got.begin(), got.end());
      ++m_.data_events;
      const Active before = m_.active;
      m_.active = m_.after(1);
      if (before.kind() == Active::Kind::count && m_.active.kind() == Active::Kind::off) {
        // {active, N} ran out: {ssl_passive, S} right after the data.
        const auto p = self()->receive(sut_.id(), answer_wait);
        if (!p || p->kind != Event::Kind::passive)
          RC_FAIL("the last data event of {active, " + active_name(before) + "} was followed by " +
                  (p ? p->to_string() : std::string("nothing")) + " instead of ssl_passive " + m_.describe());
        ++m_.passive_events;
      }
      if (m_.credit() == 0) {
        m_.modes = {m_.modes.back()};
        sut_getopts();  // passive now: {active, false}
      }
      return true;
    }
    case Event::Kind::closed: {
      if (!closed) RC_FAIL("ssl_closed" + want);
      // The transport's tag when the transport ended it, none after close_notify.
      if (m_.end && !m_.shut_read && !m_.reset_possible && !m_.user_closed && !m_.draining) {
        const std::string tag = m_.end->kind == End::Kind::eof ? "tcp_closed" : "";
        if (ev->transport_tag != tag) RC_FAIL("ssl_closed with the tag '" + ev->transport_tag + "'" + want);
      }
      if (m_.end && m_.end->is_alert() && m_.seen != Seen::reported) m_.seen = Seen::never;
      if (!m_.shut_read && m_.end && !m_.end->is_alert()) m_.seen = Seen::reported;
      m_.read_done = m_.end_told = true;
      m_.drop_queue();
      if (!m_.shut_write && !m_.user_closed) m_.close_notify_out = m_.shut_write = true;  // it answers
      return true;
    }
    case Event::Kind::error: {
      if (!alert || ev->error.kind != Error::Kind::tls_alert || ev->error.alert != m_.error().alert ||
          ev->error.alert_sent != m_.error().alert_sent)
        RC_FAIL("{ssl_error, " + format_error(ev->error) + "}" + want);
      m_.seen = Seen::reported;
      m_.read_done = m_.end_told = true;
      m_.drop_queue();
      return true;
    }
    case Event::Kind::passive: RC_FAIL("ssl_passive" + want);
  }
  return true;
}

// The options the socket reports: its active state as of the last event taken, or a later one when data
// events are on their way; its mode.
void Harness::sut_getopts() {
  auto o = sut_.getopts();
  if (!o) RC_FAIL("getopts returned " + format_error(o.error()) + " " + m_.describe());
  const Active got = *o->active;
  const int ahead =
      m_.active.kind() == Active::Kind::on || !m_.deliverable() ? 0 : std::min<int>(m_.credit(), int(m_.queue.size()));
  bool ok = false;
  for (int k = 0; k <= ahead && !ok; ++k) ok = got == m_.after(k);
  if (!ok) RC_FAIL("getopts shows {active, " + active_name(got) + "} " + m_.describe());
  if (*o->mode != m_.modes.back()) RC_FAIL("getopts shows the other mode " + m_.describe());
  RC_ASSERT(*o->packet == Packet::raw);
  RC_ASSERT(*o->header == 0u);
}

void Harness::sut_set_active(Active a) {
  // The socket's state must be known: what it delivered under the old setting is taken first.
  if (!(m_.active.kind() == Active::Kind::on && a.kind() == Active::Kind::on)) settle();
  if (auto r = sut_.setopts({.active = a}); !r)
    RC_FAIL("setopts({active, " + active_name(a) + "}) returned " + format_error(r.error()) + " " + m_.describe());
  Active next = a;
  if (a.kind() == Active::Kind::count) {
    // {active, N} adds to the counter; at 0 or below the socket turns passive and says so.
    const int n = (m_.active.kind() == Active::Kind::count ? m_.active.n() : 0) + a.n();
    next = n > 0 ? Active::count(n) : Active(false);
  }
  if (m_.credit() > 0 && next.kind() == Active::Kind::off) m_.stray_read = true;
  m_.active = next;
  if (a.kind() == Active::Kind::count && next.kind() == Active::Kind::off) {
    const auto p = self()->receive(sut_.id(), answer_wait);
    if (!p || p->kind != Event::Kind::passive)
      RC_FAIL("setopts({active, " + active_name(a) + "}) was followed by " +
              (p ? p->to_string() : std::string("nothing")) + " instead of ssl_passive " + m_.describe());
    ++m_.passive_events;
  }
  sut_getopts();
}

void Harness::sut_set_mode(Mode mode) {
  if (auto r = sut_.setopts({.mode = mode}); !r)
    RC_FAIL("setopts(mode) returned " + format_error(r.error()) + " " + m_.describe());
  if (mode != m_.modes.back()) ++m_.mode_changes;
  if (m_.credit() > 0 && m_.deliverable()) m_.modes.push_back(mode);
  else m_.modes = {mode};
}

void Harness::sut_shutdown(ShutdownHow how) {
  const bool write = how != ShutdownHow::read;
  Allowed a;
  a.alert = m_.err_possible();
  if (!m_.err_certain()) {
    a.ok = !m_.user_closed;
    a.closed = !a.ok || (write && !m_.shut_write && m_.peer_gone);  // close_notify into a reset transport
  }
  m_.reset_possible = m_.reset_possible || (m_.peer_gone && write);
  static const char* names[] = {"read", "write", "read_write"};
  switch (judge(sut_.shutdown(how), a, m_, std::string("shutdown(") + names[int(how)] + ")")) {
    case Answer::ok:
      if (write && !m_.shut_write) m_.shut_write = m_.close_notify_out = true;
      if (how != ShutdownHow::write) m_.shut_read = true;
      break;
    case Answer::alert: m_.seen = Seen::reported; break;
    case Answer::closed:
      if (m_.user_closed && m_.end && m_.end->is_alert() && m_.seen == Seen::maybe) m_.seen = Seen::never;
      break;
    default: break;
  }
}

void Harness::run(const Cmd& c) {
  switch (c.op) {
    case Op::send: sut_send(c.n); break;
    case Op::recv: sut_recv(c.n, c.timeout_ms); break;
    case Op::close: sut_close(); break;
    case Op::shutdown: sut_shutdown(c.how); break;
    case Op::take: sut_take(c.timeout_ms); break;
    case Op::set_active: sut_set_active(c.active); break;
    case Op::set_mode: sut_set_mode(c.mode); break;
    case Op::getopts: sut_getopts(); break;
    case Op::peer_data: {
      if (peer_.close_sent || peer_.engine->error() || !peer_room(c.n + (c.n / 16384 + 1) * 128)) break;
      Bytes data(c.n);
      for (size_t i = 0; i < c.n; ++i) data[i] = peer_byte(peer_.user_sent.size() + i);
      peer_.user_sent.insert(peer_.user_sent.end(), data.begin(), data.end());
      RC_ASSERT(peer_.engine->send(data).ok());
      pull();
      break;
    }
    case Op::peer_warnings:
      for (size_t i = 0; i < c.n && peer_room(64); ++i) {
        forward(21, std::array<uint8_t, 2>{1, c.desc});
        // RFC 5246 leaves warnings to the receiver; essl passes over ten in a row, not eleven.
        if (!m_.end && ++m_.warnings > 10) m_.stream_end(End(End::Kind::sent, AlertDescription::decode_error));
      }
      break;
    case Op::peer_fatal: {
      if (m_.peer_mute) break;
      forward(21, std::array<uint8_t, 2>{2, c.desc});
      m_.stream_end(End(End::Kind::received, AlertDescription(c.desc)));
      m_.peer_mute = true;
      break;
    }
    case Op::peer_bad_level: {
      if (!peer_room(64)) break;
      forward(21, std::array<uint8_t, 2>{c.level, c.desc});
      m_.stream_end(End(End::Kind::sent, AlertDescription::decode_error));
      break;
    }
    case Op::peer_garbage: {
      // Application data that does not authenticate.
      if (!peer_room(c.n + 5) || peer_.write_failed) break;
      Bytes rec = {23, uint8_t(peer_.version >> 8), uint8_t(peer_.version), uint8_t(c.n >> 8), uint8_t(c.n)};
      for (size_t i = 0; i < c.n; ++i) rec.push_back(uint8_t(i * 131 + 7));
      write_peer(rec);
      m_.stream_end(End(End::Kind::sent, AlertDescription::bad_record_mac));
      break;
    }
    case Op::peer_close_notify:
      if (m_.peer_mute || peer_.close_sent || peer_.engine->error()) break;
      peer_.engine->close();
      pull();
      break;
    case Op::peer_fin:
      if (m_.peer_fin || m_.peer_gone) break;
      ::shutdown(peer_.fd, SHUT_WR);
      m_.peer_fin = m_.peer_mute = true;
      m_.stream_end(End(End::Kind::eof));
      break;
    case Op::peer_close:
      if (m_.peer_gone) break;
      peer_read();  // nothing left unread: the close is a FIN, not a reset
      check_peer();
      ::close(peer_.fd);
      peer_.fd = -1;
      m_.peer_gone = m_.peer_mute = true;
      m_.stream_end(End(End::Kind::eof));
      break;
  }
  background();
  sync();
  if (m_.user_closed || m_.err_certain()) RC_ASSERT(!sut_.is_open());
  else if (!m_.err_possible()) RC_ASSERT(sut_.is_open());
}

// Ends the stream if nothing has, reads to its end (all the data, then `closed` or the alert), closes.
// An active socket delivers it all as events: data, then exactly one ssl_closed or ssl_error; one whose
// {active, once | N} runs out is read on with recv.
void Harness::finish() {
  const bool active_due = m_.credit() > 0 && m_.deliverable();
  if (active_due || (!m_.user_closed && !m_.shut_read && !m_.read_done && !m_.err_certain())) {
    if (!m_.end && !m_.shut_read) run(Cmd{Op::peer_close_notify});
    if (!m_.end && !m_.shut_read) run(Cmd{Op::peer_fin});
    for (int i = 0; i < 1000; ++i) {
      if (m_.credit() > 0 ? !m_.deliverable() : m_.read_done || m_.err_certain() || m_.shut_read) break;
      run(Cmd{m_.credit() > 0 ? Op::take : Op::recv});
    }
    RC_ASSERT(m_.end_told || (m_.credit() == 0 && (m_.err_certain() || m_.shut_read)));
    if (m_.read_done || !m_.shut_read) RC_ASSERT(m_.queue.empty());
  }
  run(Cmd{Op::close});
  // Nothing after the stream's end: the mailbox holds no more events of this socket.
  if (auto ev = self()->receive(sut_.id(), 0ms)) RC_FAIL("after the end, " + ev->to_string() + " " + m_.describe());
  // What recv and the data events returned is what the peer sent, in order, unless the end discarded some.
  RC_ASSERT(m_.streamed.size() == m_.returned.size() + m_.discarded + m_.queue.size());
  RC_ASSERT(std::equal(m_.returned.begin(), m_.returned.end(), m_.streamed.begin()));
  RC_ASSERT(std::equal(m_.streamed.begin(), m_.streamed.end(), peer_.user_sent.begin()));
}

}  // namespace essl::props
