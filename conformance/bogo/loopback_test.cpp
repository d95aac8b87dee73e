// The BoGo shim against a small stand-in for the runner built on essl itself: the test listens, starts
// the shim with `-port`, and plays the runner's side of the shim protocol (32 bytes of 0x42 out, the same
// bytes XOR 0xff back, then close) in both roles, with a resumption.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "essl/ssl.hpp"
#include "statemachine/config.hpp"
#include "statemachine/engine.hpp"

extern char** environ;

namespace essl {
namespace {

std::string shim_path() {
  const char* p = std::getenv("ESSL_BOGO_SHIM");
  return p ? p : "";
}

std::string data_file(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

// A started shim; its exit status, waiting at most 20 s.
class Shim {
 public:
  explicit Shim(std::vector<std::string> args) {
    args.insert(args.begin(), shim_path());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    redirect_stdout(fa);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Shim() {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Shim(const Shim&) = delete;
  Shim& operator=(const Shim&) = delete;

  std::optional<int> exit_code() {
    if (status_) return status_;
    for (int i = 0; i < 2000 && pid_ > 0; ++i) {
      int st = 0;
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return std::nullopt;
  }
  std::string out() const { return read_all(out_[0]); }

 private:
  // The child's stdout goes to a pipe so that a test can read what the shim printed.
  void redirect_stdout(posix_spawn_file_actions_t& fa) {
    if (::pipe(out_.data()) != 0) return;
    posix_spawn_file_actions_adddup2(&fa, out_[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, out_[0]);
  }
  static std::string read_all(int fd) {
    std::string s;
    std::array<char, 256> buf;
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
      ssize_t n = ::read(fd, buf.data(), buf.size());
      if (n <= 0) break;
      s.append(buf.data(), static_cast<size_t>(n));
    }
    return s;
  }

  pid_t pid_ = -1;
  std::array<int, 2> out_{-1, -1};
  std::optional<int> status_;
};

const std::vector<uint8_t> message(32, 0x42);

std::vector<uint8_t> flipped(const std::vector<uint8_t>& m) {
  std::vector<uint8_t> out(m);
  for (uint8_t& b : out) b ^= 0xff;
  return out;
}

TEST(BogoShim, UnknownFlagIsUnimplemented) {
  Shim s({"-port", "1", "-no-such-flag"});
  EXPECT_EQ(s.exit_code(), 89);
  Shim alpn({"-port", "1", "-advertise-alpn", "\x03foo"});
  EXPECT_EQ(alpn.exit_code(), 89);
  Shim tls13({"-port", "1", "-min-version", "772"});
  EXPECT_EQ(tls13.exit_code(), 89);
}

TEST(BogoShim, SaysNoSplitHandshake) {
  Shim s({"-is-handshaker-supported"});
  ASSERT_EQ(s.exit_code(), 0);
  EXPECT_EQ(s.out(), "No\n");
}

// The shim as the TLS client; the test is the server through the public API.
TEST(BogoShim, ClientRoleWithResumption) {
  Options o;
  o.certfile = data_file("server-rsa.pem");
  o.keyfile = data_file("server-rsa-key.pem");
  SocketOptions so = passive_binary();
  so.ip = "127.0.0.1";  // the shim tries ::1 first and must fall back
  auto ls = listen(0, o, so);
  ASSERT_TRUE(ls) << format_error(ls.error());
  Shim shim({"-port", std::to_string(ls->port()), "-test-name", "loopback", "-handshaker-path", "/nonexistent",
             "-resume-count", "1", "-shim-writes-first", "-expect-version", "771", "-check-close-notify"});
  for (int i = 0; i < 2; ++i) {
    auto s = ls->transport_accept(std::chrono::seconds(10));
    ASSERT_TRUE(s) << format_error(s.error());
    ASSERT_TRUE(handshake(*s, std::chrono::seconds(10)));
    auto info = s->connection_information();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->resumed, i == 1);
    auto hello = s->recv(5, std::chrono::seconds(10));
    ASSERT_TRUE(hello) << format_error(hello.error());
    EXPECT_EQ(std::string(hello->begin(), hello->end()), "hello");
    ASSERT_TRUE(s->send(message));
    auto back = s->recv(message.size(), std::chrono::seconds(10));
    ASSERT_TRUE(back) << format_error(back.error());
    EXPECT_EQ(*back, flipped(message));
    (void)s->close();
  }
  EXPECT_EQ(shim.exit_code(), 0);
}

// A TCP listener on 127.0.0.1 with a free port.
struct Listener {
  int fd = -1;
  uint16_t port = 0;
  Listener() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 4) != 0) return;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
  }
  ~Listener() { ::close(fd); }
  int accept() const {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return -1;
    return ::accept(fd, nullptr, nullptr);
  }
};

// The runner's side as a client over an accepted descriptor: handshake, 32 bytes out, 32 back, close.
// Returns whether the session was resumed, or nullopt on any failure.
std::optional<bool> client_exchange(int fd, std::shared_ptr<const Config> cfg) {
  Engine e(cfg, PeerId{"shim", 1});
  auto flush = [&] {
    auto out = e.pending_output();
    if (!out.empty() && ::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != ssize_t(out.size())) return false;
    e.consume_output(out.size());
    return true;
  };
  auto pump = [&] {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) return false;
    std::array<uint8_t, 20000> buf;
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) return false;
    e.feed(codec::ByteView(buf.data(), size_t(n)));
    return flush();
  };
  e.start();
  if (!flush()) return std::nullopt;
  while (!e.handshake_done())
    if (e.error() || !pump()) return std::nullopt;
  if (!e.send(message) || !flush()) return std::nullopt;
  while (e.app_data().size() < message.size())
    if (e.error() || !pump()) return std::nullopt;
  auto got = e.app_data();
  if (std::vector<uint8_t>(got.begin(), got.end()) != flipped(message)) return std::nullopt;
  e.close();
  flush();
  bool resumed = e.info().resumed;
  ::close(fd);
  return resumed;
}

// The shim as the TLS server; the test is the client over the engine (the public API dials out only).
TEST(BogoShim, ServerRoleWithResumption) {
  Listener l;
  ASSERT_NE(l.port, 0);
  Options o;
  o.versions = {Version::tlsv1_2, Version::tlsv1_1};
  auto cfg = Config::make(Role::client, o, SessionStore::memory(Role::client));
  ASSERT_TRUE(cfg);
  Shim shim({"-port", std::to_string(l.port), "-server", "-key-file", data_file("server-rsa-key.pem"),
             "-cert-file", data_file("server-rsa.pem"), "-resume-count", "1", "-max-version", "770",
             "-expect-version", "770"});
  for (int i = 0; i < 2; ++i) {
    int fd = l.accept();
    ASSERT_GE(fd, 0);
    auto resumed = client_exchange(fd, *cfg);
    ASSERT_TRUE(resumed.has_value()) << "connection " << i;
    EXPECT_EQ(*resumed, i == 1);
  }
  EXPECT_EQ(shim.exit_code(), 0);
}

// An expectation that does not hold fails the shim (exit 1), as the runner's negative tests need.
TEST(BogoShim, FailedExpectationFails) {
  Listener l;
  auto cfg = Config::make(Role::client, Options{}, nullptr);
  ASSERT_TRUE(cfg);
  Shim shim({"-port", std::to_string(l.port), "-server", "-key-file", data_file("server-rsa-key.pem"),
             "-cert-file", data_file("server-rsa.pem"), "-max-version", "769", "-expect-version", "771"});
  int fd = l.accept();
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(client_exchange(fd, *cfg).has_value());
  EXPECT_EQ(shim.exit_code(), 1);
}

}  // namespace
}  // namespace essl
