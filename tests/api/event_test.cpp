// EventServer and EventClient (essl/event.hpp): blocking essl clients against an event-loop server, data
// both ways, closes, resumption across connections, a client sending garbage (a fatal alert, the server
// serving others meanwhile), handshake timeouts, max_connections, backpressure on a large send, options
// errors, hibernate_after on both, and an EventClient against the EventServer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

// What the server's handlers saw, read by the test thread.
struct Seen {
  std::mutex mu;
  int opened = 0;
  int resumed = 0;
  int closed_ok = 0;
  std::vector<Error> errors;

  int closed() {
    std::lock_guard l(mu);
    return closed_ok + int(errors.size());
  }
  // Waits (at most 10 s) until `n` connections have been reported closed.
  bool wait_closed(int n) {
    for (int i = 0; i < 1000; ++i) {
      if (closed() >= n) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }
};

// An echo EventServer on 127.0.0.1, run by its own thread.
struct Server {
  explicit Server(const Options& tls = server_options(), EventOptions ev = {}, EventHandlers extra = {}) {
    ev.ip = "127.0.0.1";
    EventHandlers h;
    h.on_open = [this, extra](Connection& c) {
      {
        std::lock_guard l(seen.mu);
        ++seen.opened;
        if (auto info = c.connection_information(); info && info->resumed) ++seen.resumed;
      }
      if (extra.on_open) extra.on_open(c);
    };
    h.on_data = [extra](Connection& c, std::span<const uint8_t> d) {
      if (extra.on_data) extra.on_data(c, d);
      EXPECT_TRUE(c.send(d));
    };
    h.on_closed = [this](Connection&, const std::optional<Error>& e) {
      std::lock_guard l(seen.mu);
      if (e) seen.errors.push_back(*e);
      else ++seen.closed_ok;
    };
    auto s = EventServer::listen(0, tls, std::move(h), ev);
    if (!s) {
      ADD_FAILURE() << "listen: " << format_error(s.error());
      return;
    }
    server.emplace(std::move(*s));
    thread = std::thread([this] { EXPECT_TRUE(server->run()); });
  }
  ~Server() {
    if (!server) return;
    server->stop();
    thread.join();
  }
  uint16_t port() const { return server ? server->port() : 0; }

  Seen seen;
  std::optional<EventServer> server;
  std::thread thread;
};

// A plain TCP connection to the server, for what a TLS client would not send.
int raw_connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Everything the peer sends until it closes (at most `limit` of waiting).
std::vector<uint8_t> read_to_end(int fd, std::chrono::milliseconds limit, bool* ended = nullptr) {
  std::vector<uint8_t> all;
  const auto until = std::chrono::steady_clock::now() + limit;
  if (ended) *ended = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return all;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(left.count())) <= 0) return all;
    uint8_t buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      if (ended) *ended = true;
      return all;
    }
    all.insert(all.end(), buf, buf + n);
  }
}

// Runs the client's loop until a handler stops it, or stops it after `limit`.
void run_bounded(EventClient& cl, std::chrono::seconds limit) {
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
    if (!done) cl.stop();
  });
  EXPECT_TRUE(cl.run());
  done = true;
  watchdog.join();
}

Res<Socket> client(uint16_t port, const Options& o = client_options()) {
  return connect("127.0.0.1", port, o, 10s, passive_binary());
}

TEST(EventServer, EchoesForSeveralBlockingClients) {
  Server srv;
  ASSERT_TRUE(srv.server);
  std::vector<Socket> clients;
  for (int i = 0; i < 5; ++i) {
    auto c = client(srv.port());
    ASSERT_TRUE(c) << format_error(c.error());
    clients.push_back(std::move(*c));
  }
  // All five are open at once; each gets its own data back.
  for (size_t i = 0; i < clients.size(); ++i) {
    const std::string msg = "hello " + std::to_string(i);
    ASSERT_TRUE(clients[i].send(msg));
    auto r = clients[i].recv(msg.size(), 10s);
    ASSERT_TRUE(r) << format_error(r.error());
    EXPECT_EQ(text(*r), msg);
  }
  for (auto& c : clients) EXPECT_TRUE(c.close());
  ASSERT_TRUE(srv.seen.wait_closed(5));
  std::lock_guard l(srv.seen.mu);
  EXPECT_EQ(srv.seen.opened, 5);
  EXPECT_EQ(srv.seen.closed_ok, 5);
  for (const auto& e : srv.seen.errors) ADD_FAILURE() << format_error(e);
}

TEST(EventServer, ResumesASessionAcrossConnections) {
  Server srv(server_options("server-ecdsa"));
  ASSERT_TRUE(srv.server);
  Options o = client_options();
  for (int i = 0; i < 2; ++i) {
    auto c = client(srv.port(), o);
    ASSERT_TRUE(c) << format_error(c.error());
    auto info = c->connection_information();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->resumed, i == 1) << "connection " << i;
    ASSERT_TRUE(c->send("x"));
    auto r = c->recv(1, 10s);
    ASSERT_TRUE(r) << format_error(r.error());
    EXPECT_TRUE(c->close());
  }
  ASSERT_TRUE(srv.seen.wait_closed(2));
  std::lock_guard l(srv.seen.mu);
  EXPECT_EQ(srv.seen.opened, 2);
  EXPECT_EQ(srv.seen.resumed, 1);
}

TEST(EventServer, GarbageGetsAFatalAlertAndOthersAreStillServed) {
  Server srv;
  ASSERT_TRUE(srv.server);
  // A connection that stays open across the attack.
  auto before = client(srv.port());
  ASSERT_TRUE(before) << format_error(before.error());

  int fd = raw_connect(srv.port());
  ASSERT_GE(fd, 0);
  const std::string garbage = "GET / HTTP/1.0\r\n\r\n\x16\x03\x01\xff\xff garbage";
  ASSERT_EQ(::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL), ssize_t(garbage.size()));
  bool ended = false;
  const auto got = read_to_end(fd, 10s, &ended);
  ::close(fd);
  // One alert record: type 21, a version, length 2, level fatal (2); then the server closes.
  ASSERT_EQ(got.size(), 7u);
  EXPECT_EQ(got[0], 21);
  EXPECT_EQ(got[3], 0);
  EXPECT_EQ(got[4], 2);
  EXPECT_EQ(got[5], 2);
  EXPECT_TRUE(ended);

  ASSERT_TRUE(before->send("still here"));
  auto r = before->recv(10, 10s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "still here");
  auto after = client(srv.port());
  ASSERT_TRUE(after) << format_error(after.error());
  ASSERT_TRUE(after->send("and new"));
  r = after->recv(7, 10s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "and new");

  ASSERT_TRUE(srv.seen.wait_closed(1));
  std::lock_guard l(srv.seen.mu);
  ASSERT_EQ(srv.seen.errors.size(), 1u);
  EXPECT_EQ(srv.seen.errors[0].kind, Error::Kind::tls_alert);
  EXPECT_TRUE(srv.seen.errors[0].alert_sent);
  EXPECT_EQ(uint8_t(srv.seen.errors[0].alert), got[6]);
}

TEST(EventServer, ClosesAHandshakeThatTakesTooLong) {
  EventOptions ev;
  ev.handshake_timeout = 200ms;
  Server srv(server_options(), ev);
  ASSERT_TRUE(srv.server);
  int fd = raw_connect(srv.port());
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  bool ended = false;
  const auto got = read_to_end(fd, 10s, &ended);
  ::close(fd);
  EXPECT_TRUE(ended);
  EXPECT_TRUE(got.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ASSERT_TRUE(srv.seen.wait_closed(1));
  std::lock_guard l(srv.seen.mu);
  ASSERT_EQ(srv.seen.errors.size(), 1u);
  EXPECT_EQ(srv.seen.errors[0].kind, Error::Kind::timeout);
}

TEST(EventServer, StopsAcceptingAtMaxConnections) {
  EventOptions ev;
  ev.max_connections = 1;
  Server srv(server_options(), ev);
  ASSERT_TRUE(srv.server);
  int idle = raw_connect(srv.port());
  ASSERT_GE(idle, 0);
  for (int i = 0; i < 500 && srv.server->connections() < 1; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(srv.server->connections(), 1u);
  // The next one waits in the backlog: its handshake gets no answer.
  auto refused = connect("127.0.0.1", srv.port(), client_options(), 500ms, passive_binary());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, Error::Kind::timeout) << format_error(refused.error());
  EXPECT_EQ(srv.server->connections(), 1u);
  ::close(idle);
  auto c = client(srv.port());
  ASSERT_TRUE(c) << format_error(c.error());
  ASSERT_TRUE(c->send("ok"));
  auto r = c->recv(2, 10s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "ok");
}

// Waits (at most 10 s) until the process's open descriptors have stayed the same for one second: the
// sockets earlier tests closed through the blocking API linger in a background thread, and one of them
// closing later would give the loop a second descriptor below the limit set here.
void wait_for_settled_descriptors() {
  auto count = [] {
    size_t n = 0;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec)) ++n;
    return n;
  };
  size_t last = count(), same = 0;
  for (int i = 0; i < 200 && same < 20; ++i) {
    std::this_thread::sleep_for(50ms);
    const size_t now = count();
    same = now == last ? same + 1 : 0;
    last = now;
  }
}

TEST(EventServer, WaitsWithoutSpinningWhenOutOfDescriptors) {
  Server srv;
  ASSERT_TRUE(srv.server);
  wait_for_settled_descriptors();
  int raw[4];
  for (int& fd : raw) fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // The process may open one more descriptor: the server accepts one connection, then gets EMFILE.
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  const int next = ::dup(0);
  ASSERT_GE(next, 0);
  ::close(next);
  rlimit low = old;
  low.rlim_cur = rlim_t(next) + 1;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(srv.port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int fd : raw) EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  for (int i = 0; i < 200 && srv.server->connections() < 1; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(srv.server->connections(), 1u);
  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  std::this_thread::sleep_for(500ms);
  ::getrusage(RUSAGE_SELF, &after);
  auto cpu_us = [](const rusage& r) {
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1000000L + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
  };
  EXPECT_LT(cpu_us(after) - cpu_us(before), 150000) << "the loop spun on EMFILE";
  EXPECT_EQ(srv.server->connections(), 1u);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  // Descriptors again: the waiting connections are accepted.
  for (int i = 0; i < 300 && srv.server->connections() < 4; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(srv.server->connections(), 4u);
  for (int fd : raw) ::close(fd);
  EXPECT_TRUE(srv.seen.wait_closed(4));
}

TEST(EventServer, WritesALargeSendCompletelyBeforeClosing) {
  const size_t size = 8 << 20;  // far more than the socket buffers hold
  EventHandlers extra;
  extra.on_open = [size](Connection& c) {
    std::vector<uint8_t> big(size);
    for (size_t i = 0; i < size; ++i) big[i] = uint8_t(i * 7);
    EXPECT_TRUE(c.send(big));
    EXPECT_GT(c.queued(), 0u);
    c.close();
    EXPECT_FALSE(c.send("late"));
  };
  Server srv(server_options(), {}, extra);
  ASSERT_TRUE(srv.server);
  auto c = client(srv.port());
  ASSERT_TRUE(c) << format_error(c.error());
  std::this_thread::sleep_for(200ms);  // the server fills the socket buffers and waits for EPOLLOUT
  std::vector<uint8_t> got;
  for (;;) {
    auto r = c->recv(0, 10s);
    if (!r) {
      EXPECT_EQ(r.error().kind, Error::Kind::closed) << format_error(r.error());
      break;
    }
    got.insert(got.end(), r->begin(), r->end());
  }
  ASSERT_EQ(got.size(), size);
  for (size_t i = 0; i < size; ++i)
    if (got[i] != uint8_t(i * 7)) FAIL() << "byte " << i;
  ASSERT_TRUE(srv.seen.wait_closed(1));
  std::lock_guard l(srv.seen.mu);
  EXPECT_EQ(srv.seen.closed_ok, 1);
}

TEST(EventServer, EchoesEverythingToAPeerThatSendsFasterThanItReads) {
  EventOptions ev;
  ev.read_pause_bytes = 64 << 10;  // paused often: the echo comes back only as fast as it is read
  Server srv(server_options(), ev);
  ASSERT_TRUE(srv.server);
  auto c = client(srv.port());
  ASSERT_TRUE(c) << format_error(c.error());
  const size_t size = 4 << 20;
  std::vector<uint8_t> sent(size);
  for (size_t i = 0; i < size; ++i) sent[i] = uint8_t(i * 13 + (i >> 12));
  std::thread sender([&] {
    for (size_t off = 0; off < size; off += 256 << 10)
      ASSERT_TRUE(c->send(std::span<const uint8_t>(sent).subspan(off, std::min<size_t>(256 << 10, size - off))));
  });
  std::this_thread::sleep_for(300ms);  // the sender fills every buffer on the way before reading starts
  std::vector<uint8_t> got;
  while (got.size() < size) {
    auto r = c->recv(0, 10s);
    if (!r) {
      ADD_FAILURE() << format_error(r.error());
      break;
    }
    got.insert(got.end(), r->begin(), r->end());
  }
  sender.join();
  EXPECT_TRUE(got == sent) << got.size() << " bytes back";
  EXPECT_TRUE(c->close());
  ASSERT_TRUE(srv.seen.wait_closed(1));
  std::lock_guard l(srv.seen.mu);
  EXPECT_EQ(srv.seen.closed_ok, 1);
}

TEST(EventServer, ReadsAgainOnceWhatIsQueuedIsWritten) {
  // The server queues far more than read_pause_bytes at once: the connection is not read until the
  // peer has taken enough of it; then the peer's message is read and answered, after the rest.
  const size_t size = 8 << 20;
  EventOptions ev;
  ev.read_pause_bytes = 64 << 10;
  EventHandlers extra;
  extra.on_open = [size](Connection& c) {
    EXPECT_TRUE(c.send(std::vector<uint8_t>(size, 'a')));
    EXPECT_GT(c.queued(), size_t(64 << 10));
  };
  Server srv(server_options(), ev, extra);
  ASSERT_TRUE(srv.server);
  std::string got;
  std::optional<Error> error;
  std::optional<EventClient> cl;
  EventHandlers h;
  h.on_open = [&](Connection& c) { EXPECT_TRUE(c.send("b")); };
  h.on_data = [&](Connection& c, std::span<const uint8_t> d) {
    got.append(d.begin(), d.end());
    if (got.size() == size + 1) c.close();
  };
  h.on_closed = [&](Connection&, const std::optional<Error>& e) {
    error = e;
    cl->stop();
  };
  auto made = EventClient::make(client_options(), h);
  ASSERT_TRUE(made) << format_error(made.error());
  cl.emplace(std::move(*made));
  ASSERT_TRUE(cl->connect("127.0.0.1", srv.port()));
  run_bounded(*cl, 30s);
  EXPECT_FALSE(error) << format_error(*error);
  EXPECT_EQ(got.size(), size + 1);
  EXPECT_EQ(got.find('b'), size);
}

TEST(EventServer, ABlockingClientGetsWhatCameRightAfterTheServersFinished) {
  // on_open sends in the same flush as the server's Finished: the client's read that completes its
  // handshake ends inside an application data record.
  const size_t size = 8 << 20;
  EventHandlers extra;
  extra.on_open = [size](Connection& c) { EXPECT_TRUE(c.send(std::vector<uint8_t>(size, 'a'))); };
  Server srv(server_options(), {}, extra);
  ASSERT_TRUE(srv.server);
  auto c = client(srv.port());
  ASSERT_TRUE(c) << format_error(c.error());
  ASSERT_TRUE(c->send("b"));
  std::string got;
  while (got.size() < size + 1) {
    auto r = c->recv(0, 10s);
    if (!r) {
      ADD_FAILURE() << format_error(r.error()) << " after " << got.size() << " bytes";
      break;
    }
    got.append(r->begin(), r->end());
  }
  EXPECT_EQ(got.size(), size + 1);
  EXPECT_EQ(got.find('b'), size);
}

TEST(EventServer, OptionsErrorsNameTheOption) {
  Options bad = server_options();
  bad.certfile = data_file("no-such-file.pem");
  auto s = EventServer::listen(0, bad, {});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().kind, Error::Kind::options);
  EXPECT_EQ(s.error().option, "certfile");

  Options ciphers = server_options();
  ciphers.ciphers = std::string("NO-SUCH-CIPHER");
  s = EventServer::listen(0, ciphers, {});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().option, "ciphers");

  EventOptions ev;
  ev.handshake_timeout = 0ms;
  s = EventServer::listen(0, server_options(), {}, ev);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().option, "handshake_timeout");
  ev = {};
  ev.max_connections = 0;
  s = EventServer::listen(0, server_options(), {}, ev);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().option, "max_connections");
}

// Waits (at most 10 s) until `f()` holds.
template <class F>
bool eventually(F f) {
  for (int i = 0; i < 1000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return f();
}

TEST(EventServer, IdleConnectionsHibernateAndWakeWithTheirData) {
  Options tls = server_options();
  tls.hibernate_after = 20;
  // What hibernated() said when each connection's data arrived: the connection itself has woken by then.
  std::mutex mu;
  std::vector<size_t> asleep_at_data;
  std::optional<EventServer>* server = nullptr;
  EventHandlers extra;
  extra.on_data = [&](Connection&, std::span<const uint8_t>) {
    std::lock_guard l(mu);
    asleep_at_data.push_back((*server)->hibernated());
  };
  Server srv(tls, {}, extra);
  ASSERT_TRUE(srv.server);
  server = &srv.server;
  constexpr size_t n = 4;
  std::vector<Socket> clients;
  for (size_t i = 0; i < n; ++i) {
    auto c = client(srv.port());
    ASSERT_TRUE(c) << format_error(c.error());
    clients.push_back(std::move(*c));
  }
  // The handshakes' last flights: each connection has been active; then all go to sleep.
  ASSERT_TRUE(eventually([&] { return srv.server->hibernated() == n; })) << srv.server->hibernated();
  {
    std::lock_guard l(mu);
    asleep_at_data.clear();
  }
  for (size_t i = 0; i < n; ++i) {
    // One at a time, each while all are asleep: its data wakes it alone, and comes back whole.
    ASSERT_TRUE(eventually([&] { return srv.server->hibernated() == n; })) << i;
    const std::string msg = "wake up " + std::to_string(i) + std::string(3000, 'z');
    ASSERT_TRUE(clients[i].send(msg));
    std::string got;
    while (got.size() < msg.size()) {
      auto d = clients[i].recv(0, 10s);
      ASSERT_TRUE(d) << format_error(d.error());
      got.append(d->begin(), d->end());
    }
    EXPECT_EQ(got, msg);
  }
  {
    std::lock_guard l(mu);
    ASSERT_FALSE(asleep_at_data.empty());
    for (size_t v : asleep_at_data) EXPECT_EQ(v, n - 1);
  }
  // A hibernated connection closes as any other.
  ASSERT_TRUE(eventually([&] { return srv.server->hibernated() == n; }));
  for (auto& c : clients) EXPECT_TRUE(c.close());
  EXPECT_TRUE(srv.seen.wait_closed(int(n)));
  EXPECT_TRUE(eventually([&] { return srv.server->hibernated() == 0; })) << srv.server->hibernated();
  std::lock_guard l(srv.seen.mu);
  EXPECT_EQ(srv.seen.closed_ok, int(n));
  for (const auto& e : srv.seen.errors) ADD_FAILURE() << format_error(e);
}

TEST(EventServer, WithoutHibernateAfterNothingHibernates) {
  Server srv;
  ASSERT_TRUE(srv.server);
  std::vector<Socket> clients;
  for (int i = 0; i < 3; ++i) {
    auto c = client(srv.port());
    ASSERT_TRUE(c) << format_error(c.error());
    ASSERT_TRUE(c->send("hello"));
    auto d = c->recv(5, 10s);
    ASSERT_TRUE(d) << format_error(d.error());
    EXPECT_EQ(text(*d), "hello");
    clients.push_back(std::move(*c));
  }
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(srv.server->hibernated(), 0u);
  EXPECT_EQ(srv.server->connections(), 3u);
}

TEST(EventClient, IdleConnectionsHibernateAndWakeWithTheirData) {
  auto ls = listen(0, server_options(), passive_binary());
  ASSERT_TRUE(ls) << format_error(ls.error());
  Options tls = client_options();
  tls.hibernate_after = 20;
  constexpr size_t n = 3;
  std::optional<EventClient> cl;
  std::mutex mu;
  std::vector<size_t> asleep_at_data;
  EventHandlers h;
  h.on_data = [&](Connection& c, std::span<const uint8_t> d) {
    {
      std::lock_guard l(mu);
      asleep_at_data.push_back(cl->hibernated());
    }
    EXPECT_TRUE(c.send(d));  // echo
  };
  auto made = EventClient::make(tls, h);
  ASSERT_TRUE(made) << format_error(made.error());
  cl.emplace(std::move(*made));
  for (size_t i = 0; i < n; ++i) ASSERT_TRUE(cl->connect("127.0.0.1", ls->port()));
  std::thread loop([&] { run_bounded(*cl, 60s); });
  struct Join {
    std::optional<EventClient>& cl;
    std::thread& t;
    ~Join() {
      cl->stop();
      t.join();
    }
  } join{cl, loop};
  std::vector<Socket> servers;
  for (size_t i = 0; i < n; ++i) {
    auto s = ls->transport_accept(10s);
    ASSERT_TRUE(s) << format_error(s.error());
    ASSERT_TRUE(handshake(*s, 10s));
    servers.push_back(std::move(*s));
  }
  for (size_t i = 0; i < n; ++i) {
    ASSERT_TRUE(eventually([&] { return cl->hibernated() == n; })) << i << ": " << cl->hibernated();
    const std::string msg = "wake up " + std::to_string(i);
    ASSERT_TRUE(servers[i].send(msg));
    std::string got;
    while (got.size() < msg.size()) {
      auto d = servers[i].recv(0, 10s);
      ASSERT_TRUE(d) << format_error(d.error());
      got.append(d->begin(), d->end());
    }
    EXPECT_EQ(got, msg);
  }
  std::lock_guard l(mu);
  ASSERT_FALSE(asleep_at_data.empty());
  for (size_t v : asleep_at_data) EXPECT_EQ(v, n - 1);
}

TEST(EventClient, ManyConnectionsToAnEventServerExchangeDataAndClose) {
  Server srv(server_options("server-ecdsa"));
  ASSERT_TRUE(srv.server);
  constexpr int n = 20;
  int expect = n;
  int opened = 0, echoed = 0, closed_ok = 0, resumed = 0;
  std::vector<Error> errors;
  std::optional<EventClient> cl;
  EventHandlers h;
  h.on_open = [&](Connection& c) {
    ++opened;
    if (auto info = c.connection_information(); info && info->resumed) ++resumed;
    EXPECT_TRUE(c.send("ping " + std::to_string(c.id())));
  };
  std::map<uint64_t, std::string> got;
  h.on_data = [&](Connection& c, std::span<const uint8_t> d) {
    auto& s = got[c.id()];
    s.append(d.begin(), d.end());
    if (s == "ping " + std::to_string(c.id())) {
      ++echoed;
      c.close();
    }
  };
  h.on_closed = [&](Connection&, const std::optional<Error>& e) {
    if (e) errors.push_back(*e);
    else ++closed_ok;
    if (closed_ok + int(errors.size()) == expect) cl->stop();
  };
  auto made = EventClient::make(client_options(), h);
  ASSERT_TRUE(made) << format_error(made.error());
  cl.emplace(std::move(*made));
  for (int i = 0; i < n; ++i) ASSERT_TRUE(cl->connect("127.0.0.1", srv.port()));
  run_bounded(*cl, 30s);
  EXPECT_EQ(opened, n);
  EXPECT_EQ(echoed, n);
  EXPECT_EQ(closed_ok, n);
  for (const auto& e : errors) ADD_FAILURE() << format_error(e);

  // A second round resumes the session the first ones made.
  ASSERT_TRUE(cl->connect("127.0.0.1", srv.port()));
  opened = echoed = closed_ok = resumed = 0;
  expect = 1;
  errors.clear();
  run_bounded(*cl, 30s);
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(resumed, 1);
  EXPECT_EQ(echoed, 1);
  for (const auto& e : errors) ADD_FAILURE() << format_error(e);
}

TEST(EventClient, ReportsARefusedConnect) {
  // A port nobody listens on: a listener closed at once.
  uint16_t port = 0;
  {
    auto ls = listen(0, server_options(), passive_binary());
    ASSERT_TRUE(ls);
    port = ls->port();
  }
  std::optional<Error> seen;
  bool opened = false;
  std::optional<EventClient> cl;
  EventHandlers h;
  h.on_open = [&](Connection&) { opened = true; };
  h.on_closed = [&](Connection&, const std::optional<Error>& e) {
    seen = e.value_or(Error::other("none"));
    cl->stop();
  };
  auto made = EventClient::make(client_options(), h);
  ASSERT_TRUE(made);
  cl.emplace(std::move(*made));
  // Loopback may refuse at once (connect's error) or report it on the loop (on_closed).
  if (auto id = cl->connect("127.0.0.1", port); !id) {
    seen = id.error();
  } else {
    run_bounded(*cl, 10s);
  }
  EXPECT_FALSE(opened);
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->kind, Error::Kind::transport) << format_error(*seen);
}

}  // namespace
}  // namespace essl::test
