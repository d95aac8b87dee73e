// Model-based test of the socket API (send, recv, close, shutdown, setopts, getopts and the owner's
// mailbox) against a peer the test drives, in every delivery mode.
//
// The socket under test is an essl client from connect() over 127.0.0.1 TCP. The peer is a plain TCP
// socket (one listen socket serves all cases) driven by an in-memory server Engine (RSA key exchange).
// A proxy holding the server's write keys, recovered from the captured ClientKeyExchange, opens every
// record that engine writes and seals it again with its own sequence numbers, so that warning and fatal
// alerts, alerts with an illegal level and records that do not authenticate fit anywhere in the stream.
//
// Random command lists run against a model: send, recv (length 0 or N), close, shutdown(read, write,
// read_write); the peer's data, warnings (bursts that cross the limit of ten in a row), fatal alerts,
// close_notify, the TCP write shutdown and the full TCP close. The model holds the bytes the peer sent
// that recv has not returned, the first event that ends the stream after them (close_notify, end of
// transport, a fatal alert received, or one the socket must send), and what the user closed. It checks:
//   - recv returns those bytes in order (length N: exactly N; 0: a non-empty prefix), then `closed` or
//     {tls_alert, Description} with the right direction, and the same again afterwards; bytes short of
//     N are discarded at the end; with nothing due it returns `timeout` and keeps what it holds;
//   - send succeeds until the socket is closed or shut for writing (`closed`) or has failed (the sticky
//     error); every byte it accepted reaches the peer exactly once and in order before the next command;
//   - close_notify goes out on close, on shutdown(write) and in answer to the peer's; the peer never
//     sees an alert, a close_notify or a transport end that the model does not allow.
// The socket reads only inside recv, so when recv returns data the model cannot know whether the event
// after that data has been taken in too; until an answer shows which, both answers are allowed. Once
// the peer has closed its descriptor and the socket wrote to it, the TCP reset may lose what the peer
// sent before: recv may then answer `closed` early.
//
// SocketFollowsTheModel runs these in {active, false}, {mode, binary}. DeliveryModesFollowTheModel
// starts the socket {active, false | true | once | N} in list or binary mode (connect's socket options,
// then controlling_process to the test's thread) and adds the commands take (the next event of the
// socket from the test thread's mailbox, essl::self()), setopts({active, ...}) with every kind (N from -2
// to 4, added to the counter), setopts({mode, ...}) and getopts. recv returns the same as above while
// the socket is passive. The model adds the socket's active state as of the last event taken; per mode:
//   - {active, false}: no event comes (a take waits its short timeout and gets nothing);
//   - {active, true}: take gets data events whose bytes are the next ones the peer sent (non-empty, in
//     order), then exactly one ssl_closed (close_notify: no transport tag; end of transport: tcp_closed)
//     or {ssl_error, {tls_alert, Description}} with the alert and direction of the stream's end, then
//     nothing more: an end that recv or an event reported is not reported again as an event when
//     setopts makes the socket active; recv returns {error, einval};
//   - {active, once}: at most one data event, after which the socket is passive (getopts: false) and
//     recv reads on from the next byte; setopts({active, once}) delivers the next one;
//   - {active, N}: at most N data events, then {ssl_passive, S} right after the last and the socket is
//     passive; setopts({active, M}) adds M to what is left, and a sum at or below zero turns the socket
//     passive at once with ssl_passive;
//   - every data event and recv carries the mode set last (list or binary) and no header; data events
//     already on their way when the mode changed may carry the earlier one.
// At the end, the concatenation of recv's results and data events is the peer's byte stream, less only
// what the stream's end discarded. An active socket's reader reads the transport in the background: it
// may take in the stream's end (and answer close_notify, the transport end or a shutdown(read) with
// its close_notify and write shutdown) at any time, so these are allowed as soon as the socket is active
// with the end on its way; setopts to passive may leave one read under way, which may still take in
// the end. Events the reader has delivered and the test has not taken are ahead of the model's state:
// getopts may show the state after them, and setopts({active, ...}) (other than true to true) and recv
// on a socket {active, once | N} first take what is due, so that the model knows the state the call
// applies to; after close() (which stops the reader) the events it delivered before are taken in order.
// Every wait is bounded: a short recv or take timeout when the model expects nothing, 5 s when it
// expects an answer, poll deadlines on the peer, connect's timeout.
// Each case makes a full handshake, so the test has its own RC_PARAMS in props/meson.build.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
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
#include "statemachine/engine.hpp"

namespace essl {

void showValue(Active a, std::ostream& os);
void showValue(Mode m, std::ostream& os) { os << (m == Mode::list ? "list" : "binary"); }

namespace {

using codec::ByteView;
using codec::Bytes;
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

// RSA key exchange (the proxy recovers the keys) with AEAD, explicit-IV CBC and TLS 1.0's chained IV.
struct Variant { Version version; const char* suite; };
constexpr Variant variants[] = {
    {Version::tlsv1_2, "rsa_aes_128_gcm_sha256"},
    {Version::tlsv1_2, "rsa_aes_256_cbc_sha256"},
    {Version::tlsv1_1, "rsa_aes_128_cbc_sha"},
    {Version::tlsv1, "rsa_aes_128_cbc_sha"},
};

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

// ---- commands ----

enum class Op {
  send, recv, close, shutdown,                                       // the socket under test
  peer_data, peer_warnings, peer_fatal, peer_bad_level, peer_garbage,  // records from the peer
  peer_close_notify, peer_fin, peer_close,                            // the peer ends
  take, set_active, set_mode, getopts,                                // delivery (active modes)
};

struct Cmd {
  explicit Cmd(Op o = Op::recv, size_t n_ = 0, int timeout = 0, uint8_t d = 0, uint8_t l = 0,
               ShutdownHow h = ShutdownHow::write)
      : op(o), n(n_), timeout_ms(timeout), desc(d), level(l), how(h) {}
  Op op;
  size_t n;         // send/peer_data: bytes; recv: length; garbage: fragment length; warnings: count
  int timeout_ms;   // recv: the timeout when the model expects nothing
  uint8_t desc;     // alert description
  uint8_t level;    // peer_bad_level: the alert's level byte
  ShutdownHow how;
  Active active = Active(false);  // set_active
  Mode mode = Mode::binary;       // set_mode
};

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

rc::Gen<Active> active_value() {
  using namespace rc::gen;
  return weightedOneOf<Active>({
      {1, just(Active(false))},
      {1, just(Active(true))},
      {2, just(Active::once())},
      {2, map(inRange(-2, 5), [](int n) { return Active::count(n); })},
  });
}

// The commands above and delivery's: take the next event, setopts active and mode, getopts.
rc::Gen<Cmd> mode_command() {
  using namespace rc::gen;
  return weightedOneOf<Cmd>({
      {20, command()},
      // More of the peer's data than command() sends, for the events to carry.
      {6, map(inRange<size_t>(1, 3000), [](size_t n) { return Cmd{Op::peer_data, n}; })},
      // Mostly short: most takes expect nothing, and each waits its whole timeout.
      {10, map(weightedElement<int>({{6, 0}, {3, 1}, {1, 10}}), [](int t) { return Cmd{Op::take, 0, t}; })},
      {4, map(active_value(), [](Active a) { Cmd c{Op::set_active}; c.active = a; return c; })},
      {1, map(element(Mode::list, Mode::binary), [](Mode m) { Cmd c{Op::set_mode}; c.mode = m; return c; })},
      {1, just(Cmd{Op::getopts})},
  });
}

// Stream positions numbered into the bytes, so that loss, duplication and reordering show.
uint8_t sut_byte(size_t at) { return uint8_t(at * 31 / 7 + 3); }
uint8_t peer_byte(size_t at) { return uint8_t(at * 13 / 5 + 11); }

}  // namespace

void showValue(Active a, std::ostream& os) { os << "{active, " << active_name(a) << "}"; }

namespace {

// ---- model ----

// The first event after the data that ends what the socket can read.
struct End {
  enum class Kind { close_notify, eof, received, sent };
  End(Kind k, AlertDescription a = AlertDescription::close_notify) : kind(k), alert(a) {}
  Kind kind;
  AlertDescription alert;
  bool is_alert() const { return kind == Kind::received || kind == Kind::sent; }
};
const char* end_name(End::Kind k) {
  static const char* names[] = {"close_notify", "eof", "alert received", "alert sent"};
  return names[int(k)];
}

// Whether the socket has taken the End in: unknown after recv returned data that came before it;
// `never` once an answer showed it did not and cannot any more (no reading after shutdown or close).
enum class Seen { unseen, maybe, reported, never };

struct Model {
  Bytes queue;  // sent by the peer, not yet returned by recv
  std::optional<End> end;
  Seen seen = Seen::unseen;
  bool user_closed = false, shut_read = false, shut_write = false;
  bool read_done = false;  // recv answered `closed` or the alert, or recv(0) took the rest: nothing more to read
  bool end_told = false;   // the end was reported: recv's `closed` or alert, the closed or error event
  int warnings = 0;        // warning alerts in a row on the stream
  bool peer_mute = false;  // the peer sent a fatal alert or ended its transport: it sends nothing more
  bool peer_fin = false, peer_gone = false;
  // The socket wrote after the peer closed its descriptor: the reset that answers may overtake what the
  // peer sent before closing (loopback packets can be processed out of order), and lose it.
  bool reset_possible = false;
  Bytes accepted;                                          // what send() accepted while the peer reads
  bool close_notify_out = false, close_notify_maybe = false;  // the socket sent close_notify
  int timeouts = 0;        // recv answered `timeout` (for the property's statistics)
  bool ambiguous = false;  // the End was once maybe taken in

  // Delivery. `active` is the socket's state as of the last event taken from the mailbox: data events
  // the reader has delivered and the test has not taken yet are ahead of it. Commands that depend on the
  // socket's exact state (setopts active, recv) first take what is due (Harness::settle).
  Active active = Active(false);
  // The modes a data event may carry, oldest first: a setopts(mode) while data events may be on their
  // way leaves them in the earlier mode. The last is the socket's mode.
  std::vector<Mode> modes{Mode::binary};
  // The reader may have answered the peer's end (or the socket's shutdown(read)) in the background:
  // close_notify and the write shutdown.
  bool answer_maybe = false;
  bool draining = false;  // taking what an active socket delivered before close(): anything in order
  // setopts turned the socket passive while its reader may have been waiting for the transport: that
  // read still completes and feeds the engine, which may so take in the end of the stream (as the
  // reference's connection process handles what its already armed {active, once} TCP socket delivers).
  bool stray_read = false;
  Bytes streamed;         // every byte queued, in order
  Bytes returned;         // every byte recv and data events returned, in order
  size_t discarded = 0;   // bytes the model dropped at the stream's end (not readable any more)
  int data_events = 0, passive_events = 0, einvals = 0, mode_changes = 0;

  // How many data events the socket may deliver before turning passive.
  int credit() const {
    switch (active.kind()) {
      case Active::Kind::off: return 0;
      case Active::Kind::on: return 1 << 30;
      case Active::Kind::once: return 1;
      case Active::Kind::count: return active.n();
    }
    return 0;
  }
  // Whether an active socket has an event due: data, or the closed or error event.
  bool deliverable() const { return !user_closed && !end_told && (!queue.empty() || end || shut_read); }
  // The socket's state after k more data events.
  Active after(int k) const {
    if (k == 0) return active;
    if (active.kind() == Active::Kind::once) return Active(false);
    if (active.kind() == Active::Kind::count) return active.n() > k ? Active::count(active.n() - k) : Active(false);
    return active;
  }
  void drop_queue() {
    discarded += queue.size();
    queue.clear();
  }

  bool err_certain() const { return end && end->is_alert() && seen == Seen::reported; }
  bool err_possible() const { return end && end->is_alert() && (seen == Seen::maybe || seen == Seen::reported); }
  Error error() const { return Error::tls_alert(end->alert, end->kind == End::Kind::sent); }
  void stream_end(End e) { if (!end) end = e; }

  std::string describe() const {
    std::ostringstream os;
    os << "[model: " << queue.size() << " bytes due";
    if (end) {
      os << ", then " << end_name(end->kind);
      if (end->is_alert()) os << " " << alert_atom(end->alert);
      static const char* seen_names[] = {"unseen", "maybe taken in", "reported", "never taken in"};
      os << " (" << seen_names[int(seen)] << ")";
    }
    os << (user_closed ? ", closed" : "") << (shut_read ? ", shut read" : "") << (shut_write ? ", shut write" : "")
       << (read_done ? ", read done" : "") << (peer_gone ? ", peer gone" : "") << ", active "
       << active_name(active) << (modes.back() == Mode::list ? ", list" : ", binary") << "]";
    return os.str();
  }
};

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

// ---- the connection: the socket under test and the peer ----

struct Peer {
  int fd = -1;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<crypto::RecordProtection> open, seal;  // both with the server's write keys
  uint64_t open_seq = 1, seal_seq = 1;                   // the Finished took sequence number 0
  uint16_t version = 0;
  Bytes raw;             // the engine's output not yet a whole record
  Bytes user_sent;       // what the peer's user handed to its engine
  Bytes got;             // the socket's data, as the engine decrypted it
  size_t wire = 0;       // bytes written to the socket
  bool close_sent = false, eof = false, write_failed = false;

  ~Peer() { if (fd >= 0) ::close(fd); }
};

// The socket under test, the peer, and the model; each command runs on all three.
struct Harness {
  Peer peer_;
  Socket sut_;
  Model m_;

  bool peer_room(size_t bytes) const { return !m_.peer_mute && peer_.wire + bytes <= peer_budget; }

  explicit Harness(size_t variant, const SocketOptions& sock = passive_binary()) {
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

  void write_peer(ByteView record) {
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
  void forward(uint8_t type, ByteView plain) {
    if (m_.peer_mute || peer_.write_failed) return;
    Bytes rec = {type, uint8_t(peer_.version >> 8), uint8_t(peer_.version), 0, 0};
    peer_.seal->protect(type, peer_.version, peer_.seal_seq++, plain, rec, crypto::system_rng());
    const size_t len = rec.size() - 5;
    rec[3] = uint8_t(len >> 8);
    rec[4] = uint8_t(len);
    write_peer(rec);
  }

  // Takes the peer engine's records, checks them, and forwards them: the model's stream follows them.
  void pull() {
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
  void peer_read() {
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
  void check_peer() {
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

  bool peer_caught_up() const {
    if (peer_.got.size() != m_.accepted.size()) return false;
    if (m_.close_notify_out && !peer_.engine->peer_closed()) return false;
    // An alert the socket reported sending reaches the peer, unless its close_notify went first.
    const bool alert_due = m_.end && m_.end->kind == End::Kind::sent && m_.seen == Seen::reported &&
                           !m_.close_notify_out && !m_.close_notify_maybe;
    return !alert_due || peer_.engine->error().has_value();
  }

  // Reads until the peer has all the socket must have written, within answer_wait.
  void sync() {
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

  void sut_send(size_t n) {
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

  void sut_recv(size_t length, int timeout_ms) {
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

  void sut_close() {
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
  void background() {
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
  void settle() {
    for (int i = 0; i < 2000 && m_.credit() > 0 && m_.deliverable(); ++i) sut_take(0);
    if (m_.credit() > 0 && m_.deliverable()) RC_FAIL("an active socket keeps delivering " + m_.describe());
  }

  // The next event from the owner's mailbox; false when none came.
  bool sut_take(int timeout_ms) {
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
  void sut_getopts() {
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

  void sut_set_active(Active a) {
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

  void sut_set_mode(Mode mode) {
    if (auto r = sut_.setopts({.mode = mode}); !r)
      RC_FAIL("setopts(mode) returned " + format_error(r.error()) + " " + m_.describe());
    if (mode != m_.modes.back()) ++m_.mode_changes;
    if (m_.credit() > 0 && m_.deliverable()) m_.modes.push_back(mode);
    else m_.modes = {mode};
  }

  void sut_shutdown(ShutdownHow how) {
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

  void run(const Cmd& c) {
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
  void finish() {
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
};

RC_GTEST_PROP(ApiModel, SocketFollowsTheModel, ()) {
  const size_t variant = *rc::gen::inRange<size_t>(0, std::size(variants));
  const auto cmds = *rc::gen::container<std::vector<Cmd>>(command());
  Harness h(variant);
  for (const Cmd& c : cmds) h.run(c);
  h.finish();
  const Model& m = h.m_;
  if (m.end) RC_TAG(std::string("ends with ") + end_name(m.end->kind));
  RC_CLASSIFY(m.shut_read, "shut for reading");
  RC_CLASSIFY(m.timeouts > 0, "recv timed out");
  RC_CLASSIFY(m.ambiguous, "the end was maybe taken in");
}

// The same in each delivery mode: the socket starts {active, false | true | once | N} in list or binary
// mode, and the commands switch them mid-stream.
RC_GTEST_PROP(ApiModel, DeliveryModesFollowTheModel, ()) {
  const size_t variant = *rc::gen::inRange<size_t>(0, std::size(variants));
  SocketOptions sock;
  sock.active = *rc::gen::weightedOneOf<Active>({
      {1, rc::gen::just(Active(false))},
      {2, rc::gen::just(Active(true))},
      {2, rc::gen::just(Active::once())},
      {2, rc::gen::map(rc::gen::inRange(1, 5), [](int n) { return Active::count(n); })},
  });
  sock.mode = *rc::gen::element(Mode::list, Mode::binary);
  const auto cmds = *rc::gen::container<std::vector<Cmd>>(mode_command());
  Harness h(variant, sock);
  h.sut_getopts();
  for (const Cmd& c : cmds) h.run(c);
  h.finish();
  const Model& m = h.m_;
  RC_TAG(std::string("starts {active, ") + active_name(*sock.active) + "}");
  RC_TAG(m.data_events == 0 ? "no data event" : m.data_events == 1 ? "one data event" : "data events");
  RC_CLASSIFY(m.passive_events > 0, "ssl_passive");
  RC_CLASSIFY(m.einvals > 0, "recv while active");
  RC_CLASSIFY(m.mode_changes > 0, "mode changed");
}

}  // namespace
}  // namespace essl
