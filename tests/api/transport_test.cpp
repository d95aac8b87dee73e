// Transports (cb_info), the upgrade of a plain connection to TLS and the downgrade back to it.
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

using TransportPtr = std::unique_ptr<Transport>;

std::vector<uint8_t> bytes(std::string_view s) { return std::vector<uint8_t>(s.begin(), s.end()); }

struct TlsPair {
  Res<Socket> client = fail(Error::other("not run"));
  Res<Socket> server = fail(Error::other("not run"));
};

// Client options for a transport without a host name (a Unix-domain socket, a pipe): the name to verify.
Options named_client_options() {
  auto o = client_options();
  o.server_name_indication = std::string("localhost");
  return o;
}

// The server handshake on one thread, the client's on this one, each over its own end.
TlsPair tls_over(TransportPtr client_end, TransportPtr server_end, const Options& so = server_options(),
                 const Options& co = named_client_options()) {
  auto pending = std::async(std::launch::async, [&so, t = std::move(server_end)]() mutable {
    return handshake(std::move(t), so, 10s);
  });
  TlsPair p;
  p.client = connect(std::move(client_end), co, 10s);
  p.server = pending.get();
  return p;
}

// Two plain ends of a TCP connection over loopback.
std::pair<TransportPtr, TransportPtr> tcp_pair() {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = tcp_listen(0, sock);
  EXPECT_TRUE(ls) << format_error(ls.error());
  if (!ls) return {};
  auto accepted = std::async(std::launch::async, [&] { return (*ls)->accept(10s); });
  auto c = tcp_connect("127.0.0.1", (*ls)->port(), 10s);
  auto a = accepted.get();
  EXPECT_TRUE(c && a);
  if (!c || !a) return {};
  return {std::move(*c), std::move(*a)};
}

// A fresh path for a Unix-domain socket, removed with its directory at the end.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/essl-transport-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    ::unlink((path + "/sock").c_str());
    ::rmdir(path.c_str());
  }
};

std::pair<TransportPtr, TransportPtr> unix_pair(const std::string& path) {
  auto ls = unix_listen(path);
  EXPECT_TRUE(ls) << format_error(ls.error());
  if (!ls) return {};
  auto accepted = std::async(std::launch::async, [&] { return (*ls)->accept(10s); });
  auto c = unix_connect(path, 10s);
  auto a = accepted.get();
  EXPECT_TRUE(c && a);
  if (!c || !a) return {};
  return {std::move(*c), std::move(*a)};
}

// A full handshake, data both ways, and the close as the other side sees it.
void handshake_data_close(std::pair<TransportPtr, TransportPtr> ends) {
  ASSERT_TRUE(ends.first && ends.second);
  auto p = tls_over(std::move(ends.first), std::move(ends.second));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  EXPECT_EQ(*p.client->connection_information()->protocol, Version::tlsv1_2);
  ASSERT_TRUE(p.client->send("ping from the client"));
  auto r = p.server->recv(20, 5s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "ping from the client");
  std::string big(100000, 'x');
  ASSERT_TRUE(p.server->send(big));
  auto b = p.client->recv(big.size(), 5s);
  ASSERT_TRUE(b) << format_error(b.error());
  EXPECT_EQ(text(*b), big);
  ASSERT_TRUE(p.client->close());
  auto end = p.server->recv(0, 5s);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
}

TEST(Transport, TcpCarriesHandshakeDataAndClose) { handshake_data_close(tcp_pair()); }

TEST(Transport, UnixDomainCarriesHandshakeDataAndClose) {
  TempDir dir;
  handshake_data_close(unix_pair(dir.path + "/sock"));
}

TEST(Transport, PipePairCarriesHandshakeDataAndClose) { handshake_data_close(pipe_pair()); }

TEST(Transport, UnixDomainNamesItsPath) {
  TempDir dir;
  auto path = dir.path + "/sock";
  auto ends = unix_pair(path);
  ASSERT_TRUE(ends.first && ends.second);
  auto p = tls_over(std::move(ends.first), std::move(ends.second));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  EXPECT_EQ(p.client->peername()->ip, path);
  EXPECT_EQ(p.server->sockname()->ip, path);
}

TEST(Transport, PipeRecvTimesOutAndSeesTheOtherEndsShutdown) {
  auto [a, b] = pipe_pair();
  auto r = b->recv(0, 50ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::timeout);
  ASSERT_TRUE(a->send(bytes("abc")));
  std::thread late([&a] {
    std::this_thread::sleep_for(50ms);
    (void)a->send(bytes("def"));
    (void)a->shutdown(ShutdownHow::write);
  });
  auto six = b->recv(6, 5s);  // blocks until the second part arrives
  ASSERT_TRUE(six);
  EXPECT_EQ(text(*six), "abcdef");
  auto end = b->recv(0, 5s);
  late.join();
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
  EXPECT_TRUE(b->send(bytes("still writable")));
  EXPECT_EQ(text(*a->recv(0, 1s)), "still writable");
}

TEST(Transport, DefaultOptionsArePassiveListAndActiveIsNotSupported) {
  auto [a, b] = pipe_pair();
  auto o = a->getopts();
  ASSERT_TRUE(o);
  EXPECT_EQ(o->active, false);
  EXPECT_EQ(o->packet, 0);
  // As gen_tcp's: list unless set; the mode is recorded (a TLS socket made over the transport takes it).
  EXPECT_EQ(o->mode, TransportOptions::Mode::list);
  TransportOptions binary;
  binary.mode = TransportOptions::Mode::binary;
  ASSERT_TRUE(a->setopts(binary));
  EXPECT_EQ(a->getopts()->mode, TransportOptions::Mode::binary);
  TransportOptions active;
  active.active = true;
  auto r = a->setopts(active);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "einval");
  EXPECT_EQ(a->owner(), essl::self());
}

// A callback module of the user's: TCP, counting what it carries.
struct CountingModule : TransportModule {
  struct Counting : Transport {
    TransportPtr inner;
    std::atomic<size_t>* sent;
    Result<void, Error> send(std::span<const uint8_t> d) override {
      *sent += d.size();
      return inner->send(d);
    }
    Res<std::vector<uint8_t>> recv(size_t n, Timeout t) override { return inner->recv(n, t); }
    Result<void, Error> close() override { return inner->close(); }
    Result<void, Error> shutdown(ShutdownHow h) override { return inner->shutdown(h); }
    Res<Address> peername() const override { return inner->peername(); }
    Res<Address> sockname() const override { return inner->sockname(); }
  };
  std::atomic<size_t> sent{0};
  std::atomic<int> connects{0};
  Res<TransportPtr> connect(const std::string& host, uint16_t port, Timeout timeout) override {
    ++connects;
    auto t = tcp_connect(host, port, timeout);
    if (!t) return fail(t.error());
    auto c = std::make_unique<Counting>();
    c->inner = std::move(*t);
    c->sent = &sent;
    return TransportPtr(std::move(c));
  }
};

TEST(Transport, CbInfoModuleMakesTheClientsConnection) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_options(), sock);
  ASSERT_TRUE(ls);
  auto pending = accept_async(*ls);
  auto module = std::make_shared<CountingModule>();
  auto co = client_options();
  co.cb_info.module = module;
  EXPECT_EQ(co.cb_info.data_tag, "tcp");
  EXPECT_EQ(co.cb_info.closed_tag, "tcp_closed");
  EXPECT_EQ(co.cb_info.error_tag, "tcp_error");
  auto c = connect("127.0.0.1", ls->port(), co, 10s, passive_binary());
  auto a = pending.get();
  ASSERT_TRUE(c) << format_error(c.error());
  ASSERT_TRUE(a.handshake_result);
  ASSERT_TRUE(c->send("over the module"));
  EXPECT_EQ(text(*a.socket->recv(15, 5s)), "over the module");
  EXPECT_EQ(module->connects, 1);
  EXPECT_GT(module->sent, 15u);
}

// The User's Guide upgrade example: gen_tcp:listen/accept and gen_tcp:connect, plaintext first, then
// ssl_accept on the server's TCP socket and connect on the client's.
TEST(Upgrade, TcpBothWaysAsInTheUsersGuide) {
  auto [client_tcp, server_tcp] = tcp_pair();
  ASSERT_TRUE(client_tcp && server_tcp);
  // The two sides agree on the upgrade in plaintext (as RFC 2817 would).
  ASSERT_TRUE(client_tcp->send(bytes("STARTTLS\n")));
  EXPECT_EQ(text(*server_tcp->recv(9, 5s)), "STARTTLS\n");
  ASSERT_TRUE(server_tcp->send(bytes("GO\n")));
  EXPECT_EQ(text(*client_tcp->recv(3, 5s)), "GO\n");
  auto client_port = client_tcp->sockname()->port;

  auto p = tls_over(std::move(client_tcp), std::move(server_tcp));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  ASSERT_TRUE(p.client->send("foo"));
  EXPECT_EQ(text(*p.server->recv(3, 5s)), "foo");
  ASSERT_TRUE(p.server->send("bar"));
  EXPECT_EQ(text(*p.client->recv(3, 5s)), "bar");
  // The same TCP connection.
  EXPECT_EQ(p.server->peername()->port, client_port);
}

TEST(Upgrade, ServerUpgradeWithBadOptionsIsAnOptionsError) {
  auto [c, s] = pipe_pair();
  Options bad = server_options();
  bad.certfile = "/nonexistent.pem";
  auto r = handshake(std::move(s), bad, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::options);
}

// A pipe end whose reads wait a little first (so that what the peer sends meanwhile arrives together).
struct SlowReader : Transport {
  TransportPtr inner;
  std::chrono::milliseconds delay{0};
  Result<void, Error> send(std::span<const uint8_t> d) override { return inner->send(d); }
  Res<std::vector<uint8_t>> recv(size_t n, Timeout t) override {
    std::this_thread::sleep_for(delay);
    return inner->recv(n, t);
  }
  Result<void, Error> close() override { return inner->close(); }
  Result<void, Error> shutdown(ShutdownHow h) override { return inner->shutdown(h); }
  Res<Address> peername() const override { return inner->peername(); }
  Res<Address> sockname() const override { return inner->sockname(); }
};

TEST(Downgrade, BothEndsKeepTalkingInPlaintext) {
  for (bool over_tcp : {true, false}) {
    auto ends = over_tcp ? tcp_pair() : pipe_pair();
    ASSERT_TRUE(ends.first && ends.second);
    auto p = tls_over(std::move(ends.first), std::move(ends.second));
    ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
    ASSERT_TRUE(p.client->send("secret"));
    EXPECT_EQ(text(*p.server->recv(6, 5s)), "secret");

    Owner owner = essl::self();
    auto server_side = std::async(std::launch::async, [&] { return p.server->close(owner, 5s); });
    auto client_plain = p.client->close(owner, 5s);
    auto server_plain = server_side.get();
    ASSERT_TRUE(client_plain) << format_error(client_plain.error());
    ASSERT_TRUE(server_plain) << format_error(server_plain.error());
    EXPECT_FALSE(p.client->is_open());
    EXPECT_EQ((*client_plain)->owner(), owner);
    auto o = (*client_plain)->getopts();
    EXPECT_EQ(o->active, false);
    EXPECT_EQ(o->packet, 0);
    EXPECT_EQ(o->mode, TransportOptions::Mode::binary);

    ASSERT_TRUE((*client_plain)->send(bytes("plain from the client")));
    EXPECT_EQ(text(*(*server_plain)->recv(21, 5s)), "plain from the client");
    ASSERT_TRUE((*server_plain)->send(bytes("plain from the server")));
    EXPECT_EQ(text(*(*client_plain)->recv(21, 5s)), "plain from the server");
  }
}

TEST(Downgrade, BytesAfterThePeersCloseNotifyAreKept) {
  auto [c, s] = pipe_pair();
  auto slow = std::make_unique<SlowReader>();
  slow->inner = std::move(c);
  auto* slow_end = slow.get();
  auto p = tls_over(std::move(slow), std::move(s));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  Owner owner = essl::self();
  // The server downgrades as soon as the client's close_notify comes and talks at once; the client reads
  // the server's close_notify and that plaintext in one read.
  auto server_side = std::async(std::launch::async, [&] {
    auto t = p.server->close(owner, 5s);
    if (t) (void)(*t)->send(bytes("hello in plaintext"));
    return t;
  });
  slow_end->delay = 300ms;
  auto client_plain = p.client->close(owner, 5s);
  ASSERT_TRUE(client_plain) << format_error(client_plain.error());
  ASSERT_TRUE(server_side.get());
  slow_end->delay = 0ms;
  auto r = (*client_plain)->recv(18, 5s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "hello in plaintext");
}

TEST(Downgrade, TimesOutWhenThePeerDoesNotAnswer) {
  auto [c, s] = pipe_pair();
  auto q = tls_over(std::move(c), std::move(s));
  ASSERT_TRUE(q.client) << format_error(q.client.error());
  ASSERT_TRUE(q.server) << format_error(q.server.error());
  auto r = q.client->close(essl::self(), 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::timeout);
  EXPECT_FALSE(q.client->is_open());
  // Closed now, the socket keeps answering with its error.
  auto again = q.client->close(essl::self(), 200ms);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, Error::Kind::timeout);
}

TEST(Downgrade, OfAClosedSocketIsClosed) {
  auto [c, s] = pipe_pair();
  auto q = tls_over(std::move(c), std::move(s));
  ASSERT_TRUE(q.client) << format_error(q.client.error());
  ASSERT_TRUE(q.server) << format_error(q.server.error());
  ASSERT_TRUE(q.client->close());
  auto r = q.client->close(essl::self(), 200ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::closed);
}

TEST(Shutdown, WriteThenReadThePeersRemainingData) {
  auto [c, s] = pipe_pair();
  auto p = tls_over(std::move(c), std::move(s));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  ASSERT_TRUE(p.server->send("remaining data"));
  ASSERT_TRUE(p.client->shutdown(ShutdownHow::write));
  auto w = p.client->send("more");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, Error::Kind::closed);
  auto r = p.client->recv(14, 5s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "remaining data");
  // The server saw our close_notify and answered it.
  auto end = p.server->recv(0, 5s);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
  auto after = p.client->recv(0, 5s);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().kind, Error::Kind::closed);
}

TEST(Shutdown, ReadEndsReading) {
  auto [c, s] = pipe_pair();
  auto p = tls_over(std::move(c), std::move(s));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  ASSERT_TRUE(p.client->shutdown(ShutdownHow::read));
  ASSERT_TRUE(p.client->send("still writing"));
  EXPECT_EQ(text(*p.server->recv(13, 5s)), "still writing");
  auto r = p.client->recv(0, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::closed);
  ASSERT_TRUE(p.client->shutdown(ShutdownHow::read_write));
}

// A transport that fails on demand with an error of its own.
struct Breakable : Transport {
  TransportPtr inner;
  std::atomic<bool> send_fails{false}, recv_fails{false};
  Result<void, Error> send(std::span<const uint8_t> d) override {
    if (send_fails) return fail(Error::other("link down"));
    return inner->send(d);
  }
  Res<std::vector<uint8_t>> recv(size_t n, Timeout t) override {
    if (recv_fails) return fail(Error::transport("recv: link down"));
    return inner->recv(n, t);
  }
  Result<void, Error> close() override { return inner->close(); }
  Result<void, Error> shutdown(ShutdownHow h) override { return inner->shutdown(h); }
  Res<Address> peername() const override { return inner->peername(); }
  Res<Address> sockname() const override { return inner->sockname(); }
};

TEST(TransportErrors, FailingSendOrRecvIsATransportError) {
  for (bool in_send : {true, false}) {
    auto [c, s] = pipe_pair();
    auto b = std::make_unique<Breakable>();
    b->inner = std::move(c);
    (in_send ? b->send_fails : b->recv_fails) = true;
    auto server = std::async(std::launch::async, [t = std::move(s)]() mutable {
      return handshake(std::move(t), server_options(), 2s);
    });
    auto r = connect(std::move(b), named_client_options(), 5s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, Error::Kind::transport) << format_error(r.error());
    EXPECT_NE(r.error().detail.find("link down"), std::string::npos) << r.error().detail;
    auto sr = server.get();  // ends (timeout or closed), never hangs
    EXPECT_FALSE(sr);
  }
}

TEST(TransportErrors, OnAnEstablishedConnection) {
  auto [c, s] = pipe_pair();
  auto b = std::make_unique<Breakable>();
  b->inner = std::move(c);
  auto* breakable = b.get();
  auto p = tls_over(std::move(b), std::move(s));
  ASSERT_TRUE(p.client) << format_error(p.client.error());
  ASSERT_TRUE(p.server) << format_error(p.server.error());
  breakable->recv_fails = true;
  auto r = p.client->recv(0, 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::transport);
  breakable->send_fails = true;
  auto w = p.client->send("x");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind, Error::Kind::transport) << format_error(w.error());
}

TEST(TransportErrors, NoTransportIsBadarg) {
  auto r = connect(TransportPtr(), client_options(), 1s);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "badarg");
  auto h = handshake(TransportPtr(), server_options(), 1s);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().detail, "badarg");
}

}  // namespace
}  // namespace essl::test
