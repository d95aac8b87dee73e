// essl_bogo_shim: essl under BoringSSL's BoGo test runner (ssl/test/runner).
//
// The runner listens on localhost and starts the shim with `-port P` and the test's flags; the shim
// connects back (IPv6 loopback first, then IPv4) for each connection of the test, always as the TCP
// client, and plays the TLS role the flags ask for (`-server` or client). After each handshake it checks
// the `-expect-*` flags, writes "hello" first if asked, then echoes every byte it reads XORed with 0xff
// until the runner closes, and ends the connection the way the flags say (close_notify or not).
//
// Exit codes: 0 success, 1 failure (one line on stderr ending in an error token, see errors.hpp),
// 89 a flag or feature essl does not implement.
//
// The shim drives the sans-IO Engine over a blocking TCP socket directly, because the public API makes
// server sockets only from accepted connections, while the runner's shim protocol dials out in both roles.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "conformance/bogo/errors.hpp"
#include "conformance/bogo/flags.hpp"
#include "crypto_glue/certs.hpp"
#include "statemachine/config.hpp"
#include "statemachine/engine.hpp"

namespace essl::bogo {
namespace {

constexpr int exit_unimplemented = 89;
// The runner gives up on an idle connection after 15 s; wait a little longer so that it decides.
constexpr int idle_timeout_ms = 20000;
// After sending a fatal alert, how long to let the runner read it and close.
constexpr int drain_timeout_ms = 2000;
// The reference shim reads 512 bytes at a time so that one record may take several reads.
constexpr size_t default_read_size = 512;

constexpr uint16_t tls10 = 0x0301, tls12 = 0x0303;

// A failure: the stderr line, or "unimplemented" for exit 89.
struct Failure {
  std::string message;
  bool unimplemented = false;
};

Failure failure(const Error& e, const std::string& context = {}) {
  std::string m = "essl: ";
  if (!context.empty()) m += context + ": ";
  return Failure{m + format_error(e) + " " + error_token(e), false};
}

Failure failure(const std::string& text) { return Failure{"essl: " + text, false}; }

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Connects to the runner on ::1, or 127.0.0.1 where the runner could not listen on IPv6.
std::unique_ptr<Fd> dial(uint16_t port, std::string& host) {
  sockaddr_in6 a6{};
  a6.sin6_family = AF_INET6;
  a6.sin6_port = htons(port);
  a6.sin6_addr = in6addr_loopback;
  sockaddr_in a4{};
  a4.sin_family = AF_INET;
  a4.sin_port = htons(port);
  a4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::array<std::pair<const sockaddr*, socklen_t>, 2> addrs{{
      {reinterpret_cast<const sockaddr*>(&a6), sizeof a6},
      {reinterpret_cast<const sockaddr*>(&a4), sizeof a4},
  }};
  const char* names[] = {"::1", "127.0.0.1"};
  for (size_t i = 0; i < addrs.size(); ++i) {
    int fd = ::socket(addrs[i].first->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    auto owned = std::make_unique<Fd>(fd);
    if (::connect(fd, addrs[i].first, addrs[i].second) == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      host = names[i];
      return owned;
    }
  }
  return nullptr;
}

// One TLS connection to the runner: the socket and the engine, and the moves between them.
class Link {
 public:
  Link(std::unique_ptr<Fd> fd, std::unique_ptr<Engine> engine) : fd_(std::move(fd)), e_(std::move(engine)) {}

  Engine& engine() { return *e_; }
  bool eof() const { return eof_; }

  // Writes whatever the engine has queued.
  bool flush() {
    auto out = e_->pending_output();
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = ::send(fd_->get(), out.data() + off, out.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        e_->consume_output(out.size());
        return false;
      }
      off += static_cast<size_t>(n);
    }
    e_->consume_output(out.size());
    return true;
  }

  // One read from the runner into the engine, then the engine's answers out. False on timeout or a
  // transport error; the end of the stream is fed to the engine (eof() becomes true).
  bool pump(int timeout_ms = idle_timeout_ms) {
    pollfd p{fd_->get(), POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r <= 0) return false;
    std::array<uint8_t, 16384 + 2048 + 5> buf;
    ssize_t n;
    do n = ::recv(fd_->get(), buf.data(), buf.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return false;
    if (n == 0) {
      eof_ = true;
      e_->end_of_input();
    } else {
      e_->feed(codec::ByteView(buf.data(), static_cast<size_t>(n)));
    }
    (void)flush();
    return true;
  }

  // After a fatal error: the alert out, our write side closed, and the runner given a moment to read
  // it and close (a close with unread input would reset the connection and could lose the alert).
  void drain() {
    (void)flush();
    ::shutdown(fd_->get(), SHUT_WR);
    std::array<uint8_t, 4096> buf;
    for (int i = 0; i < 64; ++i) {
      pollfd p{fd_->get(), POLLIN, 0};
      if (::poll(&p, 1, drain_timeout_ms) <= 0) return;
      if (::recv(fd_->get(), buf.data(), buf.size(), 0) <= 0) return;
    }
  }

 private:
  std::unique_ptr<Fd> fd_;
  std::unique_ptr<Engine> e_;
  bool eof_ = false;
};

Result<std::vector<Version>, Failure> versions_for(const Settings& s) {
  if (s.min_version > tls12) return fail(Failure{"essl: TLS 1.3 only: not implemented", true});
  std::vector<Version> out;
  for (Version v : {Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1}) {
    int n = int(v);
    if ((s.min_version && n < s.min_version) || (s.max_version && n > s.max_version)) continue;
    if ((v == Version::tlsv1 && s.no_tls1) || (v == Version::tlsv1_1 && s.no_tls11) ||
        (v == Version::tlsv1_2 && s.no_tls12))
      continue;
    out.push_back(v);
  }
  if (s.max_version && s.max_version < tls10) return fail(Failure{"essl: SSL 3.0: not implemented", true});
  // An empty list would mean "the default" to essl; no version left is a configuration failure here.
  if (out.empty()) return fail(failure("no protocol versions enabled :NO_SUPPORTED_VERSIONS_ENABLED:"));
  return out;
}

Result<std::shared_ptr<const Config>, Failure> make_config(const Settings& s,
                                                           std::shared_ptr<SessionStore> cache) {
  Options o;
  auto vs = versions_for(s);
  if (!vs) return fail(vs.error());
  o.versions = *vs;
  if (!s.cipher.empty()) o.ciphers = s.cipher;
  o.certfile = s.cert_file;
  o.keyfile = s.key_file;
  o.fallback = s.fallback_scsv;
  if (!s.host_name.empty()) o.server_name_indication = s.host_name;
  else o.server_name_indication = DisableSni{};
  o.reuse_sessions = true;
  o.alert_timeout = drain_timeout_ms;
  auto cfg = Config::make(s.server ? Role::server : Role::client, o, std::move(cache));
  if (!cfg) {
    const Error& e = cfg.error();
    // Keys and certificates the runner uses that essl cannot load (Ed25519, P-224 ...), or cipher
    // strings in a syntax essl does not parse, are features essl lacks.
    bool unsupported = e.kind == Error::Kind::options &&
                       (e.option == "certfile" || e.option == "keyfile" || e.option == "ciphers");
    return fail(Failure{"essl: " + format_error(e), unsupported});
  }
  return *cfg;
}

Result<void, Failure> check_peer_cert_file(const Engine& e, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(failure("cannot read " + path));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto certs = crypto::parse_certificates(bytes);
  if (!certs) return fail(failure(path + ": " + certs.error()));
  const auto& got = e.peer_certificates();
  bool same = got.size() == certs->size();
  for (size_t i = 0; same && i < got.size(); ++i) {
    auto der = (*certs)[i].der();
    same = std::equal(got[i].begin(), got[i].end(), der.begin(), der.end());
  }
  if (!same) return fail(failure("the peer's certificate chain is not the one in " + path));
  return {};
}

// The checks the reference shim makes once a handshake is done.
Result<void, Failure> check_handshake(const Settings& s, bool is_resume, const Engine& e) {
  ConnectionInfo info = e.info();
  if (s.expect_version && (!info.protocol || int(*info.protocol) != s.expect_version)) {
    std::ostringstream m;
    m << "version mismatch: got " << (info.protocol ? int(*info.protocol) : 0) << ", wanted " << s.expect_version;
    return fail(failure(m.str()));
  }
  bool expect_resume = is_resume && !s.expect_session_miss;
  if (info.resumed != expect_resume)
    return fail(failure(std::string("session unexpectedly was") + (info.resumed ? "" : " not") + " reused"));
  if (s.expect_session_id && info.session_id.empty()) return fail(failure("no session id"));
  if ((s.expect_no_session_id || s.expect_no_session) && !info.session_id.empty())
    return fail(failure("unexpected session id"));
  if (!s.expect_server_name.empty() && info.sni_hostname.value_or("") != s.expect_server_name)
    return fail(failure("server name mismatch: got '" + info.sni_hostname.value_or("") + "'"));
  if (!s.expect_peer_cert_file.empty()) return check_peer_cert_file(e, s.expect_peer_cert_file);
  return {};
}

// Handshake, checks, the echo exchange and the shutdown of one connection.
Result<void, Failure> run_connection(const Settings& s, bool is_resume, std::shared_ptr<SessionStore> cache) {
  auto cfg = make_config(s, cache);
  if (!cfg) return fail(cfg.error());
  std::string host;
  auto fd = dial(static_cast<uint16_t>(s.port), host);
  if (!fd) return fail(failure("cannot connect to the runner on port " + std::to_string(s.port)));
  Link link(std::move(fd), std::make_unique<Engine>(*cfg, PeerId{host, static_cast<uint16_t>(s.port)}));
  Engine& e = link.engine();

  auto fatal = [&](const Error& err, const std::string& context = {}) {
    link.drain();
    return fail(failure(err, context));
  };
  auto stalled = [&]() { return fail(failure("no answer from the runner :TIMEOUT:")); };

  e.start();
  (void)link.flush();
  while (!e.handshake_done()) {
    if (e.error()) return fatal(*e.error());
    if (link.eof() || e.peer_closed()) return fatal(Error::closed(), "handshake");
    if (!link.pump()) return stalled();
  }
  if (auto ok = check_handshake(s, is_resume, e); !ok) {
    link.drain();
    return ok;
  }

  if (s.shim_writes_first) {
    static constexpr std::string_view hello = "hello";
    if (auto r = e.send(codec::ByteView(reinterpret_cast<const uint8_t*>(hello.data()), hello.size())); !r)
      return fatal(r.error());
    (void)link.flush();
  }

  bool got_close_notify = false;
  if (!s.shim_shuts_down) {
    size_t chunk = s.read_size > 0 ? static_cast<size_t>(s.read_size) : default_read_size;
    std::vector<uint8_t> echo;
    for (;;) {
      while (!e.app_data().empty()) {
        auto data = e.app_data();
        size_t n = std::min(chunk, data.size());
        echo.assign(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
        e.consume_app_data(n);
        for (uint8_t& b : echo) b ^= 0xff;
        if (auto r = e.send(echo); !r) return fatal(r.error());
        (void)link.flush();
      }
      if (e.error()) return fatal(*e.error());
      if (e.peer_closed()) {
        got_close_notify = !link.eof();
        break;
      }
      if (!link.pump()) return stalled();
    }
  }

  if (s.check_close_notify) {
    if (s.shim_shuts_down) {
      // Our close_notify, then the runner's, with nothing else in between.
      e.close();
      (void)link.flush();
      for (;;) {
        // Data that arrived with or before the runner's close_notify is as wrong as data alone.
        if (!e.app_data().empty()) return fatal(Error::other("application_data_on_shutdown"), "shutdown");
        if (e.error() || e.peer_closed()) break;
        if (!link.pump()) return stalled();
      }
      if (e.error()) return fatal(*e.error(), "shutdown");
      if (link.eof()) return fail(failure("the runner closed without close_notify :TRUNCATED:"));
    } else if (!got_close_notify) {
      return fail(failure("the runner closed without close_notify :TRUNCATED:"));
    }
  }
  // Without -check-close-notify the reference shim shuts down quietly; essl has already answered a
  // close_notify it received, and otherwise the TCP close ends the connection.
  (void)link.flush();
  return {};
}

// With ESSL_BOGO_UNIMPLEMENTED_LOG set, each exit 89 appends "test name<TAB>reason" to that file: the
// runner itself only counts them.
void note_unimplemented(const std::vector<std::string>& args, const std::string& why) {
  std::cerr << "essl: unimplemented: " << why << "\n";
  const char* path = std::getenv("ESSL_BOGO_UNIMPLEMENTED_LOG");
  if (!path || !*path) return;
  std::string test;
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "-test-name") test = args[i + 1];
  std::ofstream(path, std::ios::app) << test << "\t" << why << "\n";
}

int run(const std::vector<std::string>& args) {
  Parsed p = parse_flags(args);
  if (p.unimplemented) {
    note_unimplemented(args, *p.unimplemented);
    return exit_unimplemented;
  }
  if (p.bad) {
    std::cerr << "essl: bad command line: " << *p.bad << "\n";
    return 1;
  }
  if (p.initial.is_handshaker_supported) {
    std::cout << "No\n";
    return 0;
  }
  if (p.initial.port <= 0 || p.initial.port > 65535) {
    std::cerr << "essl: -port missing\n";
    return 1;
  }
  auto cache = SessionStore::memory(p.initial.server ? Role::server : Role::client);
  for (int i = 0; i <= p.initial.resume_count; ++i) {
    const Settings& s = i == 0 ? p.initial : p.resume;
    if (auto r = run_connection(s, i > 0, cache); !r) {
      if (r.error().unimplemented) {
        note_unimplemented(args, r.error().message);
        return exit_unimplemented;
      }
      std::cerr << r.error().message << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace
}  // namespace essl::bogo

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  return essl::bogo::run(std::vector<std::string>(argv + 1, argv + argc));
}
