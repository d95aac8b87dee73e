// 10,000 TLS connections open at the same time against `essl server --concurrent` in a child process
// (each side needs a descriptor per connection), driven by one EventClient in this process: all are
// established (at most `window` handshakes under way at once, so that the listen backlog never
// overflows), then each exchanges a message, then all close. ECDHE-ECDSA; the first connection makes a
// session that the others resume unless ESSL_EVENT_FULL_HANDSHAKES=1.
// ESSL_EVENT_CONNECTIONS overrides the count (default 10000).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/api/loopback.hpp"

extern char** environ;

namespace essl::test {
namespace {

using Clock = std::chrono::steady_clock;

size_t env_count(const char* name, size_t dflt) {
  const char* v = std::getenv(name);
  return v && *v ? size_t(std::strtoul(v, nullptr, 10)) : dflt;
}

// A port free a moment ago.
uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool tcp_probe(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// The child's user + system CPU time, from /proc/PID/stat.
std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos) return std::chrono::milliseconds(0);
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // Fields 3..13, then utime (14) and stime (15).
  for (int i = 3; i <= 13 && in >> field; ++i) {}
  in >> utime >> stime;
  return std::chrono::milliseconds((utime + stime) * 1000 / static_cast<unsigned long long>(::sysconf(_SC_CLK_TCK)));
}

// The child's resident memory in KB, from /proc/PID/status.
long rss_kb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

// The server process, killed when the test ends however it ends.
struct Child {
  pid_t pid = -1;
  std::string err_path;
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      int status = 0;
      ::waitpid(pid, &status, 0);
    }
    if (!err_path.empty()) ::unlink(err_path.c_str());
  }
  std::string stderr_text() const {
    std::ifstream f(err_path);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
};

bool spawn(Child& child, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  char tmpl[] = "/tmp/essl-event-scale-XXXXXX";
  const int fd = ::mkstemp(tmpl);
  if (fd < 0) return false;
  ::close(fd);
  child.err_path = tmpl;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, child.err_path.c_str(), O_WRONLY | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  const int rc = posix_spawn(&child.pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) child.pid = -1;
  return rc == 0;
}

// `essl server --concurrent` refuses bad options before serving, naming them, with exit status 2.
TEST(EventScale, ConcurrentServerNamesABadOption) {
  const char* exe = std::getenv("ESSL_BIN");
  ASSERT_NE(exe, nullptr) << "ESSL_BIN (the essl command) is not set";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--certfile", data_file("no-such-file.pem")}, "certfile"},
      {{"--certfile", data_file("server-ecdsa.pem"), "--keyfile", data_file("server-ecdsa-key.pem"), "--http"}, "http"},
      {{"--certfile", data_file("server-ecdsa.pem"), "--keyfile", data_file("server-ecdsa-key.pem"), "--max-connections",
        "0"},
       "max_connections"},
  };
  for (const auto& [extra, name] : cases) {
    std::vector<std::string> args = {exe, "server", "--concurrent", "--ip", "127.0.0.1", "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    Child child;
    ASSERT_TRUE(spawn(child, args));
    int status = 0;
    ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
    child.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << name;
    EXPECT_NE(child.stderr_text().find(name), std::string::npos) << child.stderr_text();
  }
}

// `total` connections open at once against `essl server --concurrent --threads threads`, each echoing a
// message, then all closed; every handshake after the first resumes unless `full`.
void open_all_at_once(size_t total, size_t threads, bool full) {
  constexpr size_t window = 256;  // handshakes under way at once
  const char* exe = std::getenv("ESSL_BIN");
  ASSERT_NE(exe, nullptr) << "ESSL_BIN (the essl command) is not set";

  const uint16_t port = free_port();
  ASSERT_NE(port, 0);
  Child server;
  ASSERT_TRUE(spawn(server, {exe, "server", "--concurrent", "--ip", "127.0.0.1", "--port", std::to_string(port),
                             "--certfile", data_file("server-ecdsa.pem"), "--keyfile", data_file("server-ecdsa-key.pem"),
                             "--max-connections", std::to_string(total + 100), "--timeout", "120000", "--threads",
                             std::to_string(threads)}));
  bool up = false;
  for (int i = 0; i < 200 && !up; ++i) {  // at most 20 s for the server to start
    up = tcp_probe(port);
    if (!up) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(up) << server.stderr_text();

  Options tls;
  tls.cacertfile = data_file("ca.pem");
  tls.verify = Verify::verify_peer;
  tls.reuse_sessions = !full;
  EventOptions ev;
  ev.max_connections = total + 100;
  ev.handshake_timeout = 120s;

  std::optional<EventClient> cl;
  size_t started = 0, opened = 0, resumed = 0, echoed = 0, closed_ok = 0, most_open = 0;
  std::vector<std::string> errors;
  std::vector<Connection*> open;
  open.reserve(total);
  Clock::time_point t0, t_open, t_echoed, t_closed;
  std::chrono::milliseconds cpu_start{0}, cpu_open{0};
  long rss_start = 0, rss_open = 0;

  auto start_one = [&] {
    ++started;
    if (auto id = cl->connect("127.0.0.1", port); !id) {
      errors.push_back("connect: " + format_error(id.error()));
      cl->stop();
    }
  };
  EventHandlers h;
  h.on_open = [&](Connection& c) {
    ++opened;
    open.push_back(&c);
    most_open = std::max(most_open, open.size());
    if (auto info = c.connection_information(); info && info->resumed) ++resumed;
    // The first connection alone (its session serves the others), then `window` at a time.
    const size_t in_flight = started - opened - errors.size();
    for (size_t i = in_flight; i < window && started < total; ++i) start_one();
    if (opened < total) return;
    t_open = Clock::now();
    cpu_open = cpu_time(server.pid);
    rss_open = rss_kb(server.pid);
    // Every connection is open: each sends its message.
    for (Connection* o : open) EXPECT_TRUE(o->send("ping " + std::to_string(o->id())));
  };
  std::unordered_map<uint64_t, std::string> got;
  h.on_data = [&](Connection& c, std::span<const uint8_t> d) {
    auto& s = got[c.id()];
    s.append(d.begin(), d.end());
    if (s != "ping " + std::to_string(c.id())) return;
    if (++echoed < total) return;
    t_echoed = Clock::now();
    // Every message came back: all close.
    for (Connection* o : open) o->close();
  };
  h.on_closed = [&](Connection&, const std::optional<Error>& e) {
    if (e) {
      if (errors.size() < 20) errors.push_back(format_error(*e));
      // A failure before everything is open would leave the rest waiting: stop.
      if (opened < total) cl->stop();
    } else {
      ++closed_ok;
    }
    if (closed_ok == total) {
      t_closed = Clock::now();
      cl->stop();
    }
  };
  auto made = EventClient::make(tls, h, ev);
  ASSERT_TRUE(made) << format_error(made.error());
  cl.emplace(std::move(*made));

  t0 = Clock::now();
  cpu_start = cpu_time(server.pid);
  rss_start = rss_kb(server.pid);
  start_one();
  std::atomic<bool> done{false};
  const auto limit = std::chrono::seconds(env_count("ESSL_EVENT_SECONDS", 180));
  std::thread watchdog([&] {
    const auto until = Clock::now() + limit;
    while (!done && Clock::now() < until) std::this_thread::sleep_for(50ms);
    if (!done) cl->stop();
  });
  EXPECT_TRUE(cl->run());
  done = true;
  watchdog.join();

  for (const auto& e : errors) ADD_FAILURE() << e;
  EXPECT_EQ(opened, total);
  EXPECT_EQ(most_open, total) << "all connections open at the same time";
  EXPECT_EQ(echoed, total);
  EXPECT_EQ(closed_ok, total);
  if (!full) {
    EXPECT_EQ(resumed, total - 1);
  }
  EXPECT_EQ(server.stderr_text(), "");

  if (closed_ok == total) {
    using ms = std::chrono::milliseconds;
    const auto open_ms = std::chrono::duration_cast<ms>(t_open - t0).count();
    const auto cpu_ms = (cpu_open - cpu_start).count();
    std::cout << total << " connections (" << (full ? "full handshakes" : "resumed after the first")
              << "): all open in " << open_ms << " ms, echoed after "
              << std::chrono::duration_cast<ms>(t_echoed - t0).count() << " ms, all closed after "
              << std::chrono::duration_cast<ms>(t_closed - t0).count() << " ms; server CPU for the handshakes "
              << cpu_ms << " ms (" << double(cpu_ms) * 1000.0 / double(total) << " us per handshake); server memory " << rss_start << " KB idle, " << rss_open << " KB with all open ("
              << (rss_open - rss_start) * 1024 / long(total) << " bytes per connection)\n";
    ::testing::Test::RecordProperty("connections_open_ms", int(open_ms));
    ::testing::Test::RecordProperty("server_cpu_ms", int(cpu_ms));
  }
}

TEST(EventScale, TenThousandConcurrentConnections) {
  open_all_at_once(env_count("ESSL_EVENT_CONNECTIONS", 10000), 1, env_count("ESSL_EVENT_FULL_HANDSHAKES", 0) != 0);
}

// Two event loops on one port (SO_REUSEPORT): the kernel spreads 1,000 connections over both, and the
// sessions made on one loop resume on the other (one session cache per port): every handshake after
// the first resumes, which 1,000 connections on one loop only would not show.
TEST(EventScale, TwoLoopsShareThePortAndTheSessions) { open_all_at_once(1000, 2, false); }

TEST(EventScale, ThreadsMustBeOneTo256) {
  const char* exe = std::getenv("ESSL_BIN");
  ASSERT_NE(exe, nullptr) << "ESSL_BIN (the essl command) is not set";
  for (const char* bad : {"0", "257", "two"}) {
    Child child;
    ASSERT_TRUE(spawn(child, {exe, "server", "--concurrent", "--ip", "127.0.0.1", "--port", "0", "--certfile",
                              data_file("server-ecdsa.pem"), "--keyfile", data_file("server-ecdsa-key.pem"), "--threads",
                              bad}));
    int status = 0;
    ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
    child.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << bad;
    EXPECT_NE(child.stderr_text().find("threads"), std::string::npos) << child.stderr_text();
  }
}

}  // namespace
}  // namespace essl::test
