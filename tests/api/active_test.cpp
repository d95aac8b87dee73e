// Delivery: active modes and owners, controlling_process, packet framing, mode and header, setopts and
// getopts, options inherited from the listen socket, exit_on_close, a sender thread beside the owner.
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

// A client and a server with the given socket options; the server is handed to the calling thread, as
// the spec's accepting process would with controlling_process.
struct Sockets {
  ListenSocket ls;
  Socket server, client;
};

Sockets open_pair(const SocketOptions& server_sock, const SocketOptions& client_sock) {
  Sockets p;
  SocketOptions sock = server_sock;
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_options(), sock);
  if (!ls) {
    ADD_FAILURE() << "listen: " << format_error(ls.error());
    return p;
  }
  p.ls = std::move(*ls);
  Owner me = self();
  auto pending = std::async(std::launch::async, [&p, me]() -> Res<Socket> {
    auto s = p.ls.transport_accept(10s);
    if (!s) return s;
    // Before the handshake, so that nothing goes to the accepting thread.
    if (auto r = s->controlling_process(me); !r) return fail(r.error());
    if (auto r = handshake(*s, 10s); !r) return fail(r.error());
    return s;
  });
  auto c = connect("127.0.0.1", p.ls.port(), client_options(), 10s, client_sock);
  auto s = pending.get();
  if (!c) ADD_FAILURE() << "connect: " << format_error(c.error());
  if (!s) ADD_FAILURE() << "accept: " << format_error(s.error());
  if (c) p.client = std::move(*c);
  if (s) p.server = std::move(*s);
  return p;
}

SocketOptions with_active(Active a, Mode m = Mode::list) {
  SocketOptions o;
  o.active = a;
  o.mode = m;
  return o;
}

TEST(Active, TheSpecsDefaultsAreActiveListRawNoHeader) {
  auto p = open_pair(SocketOptions{}, SocketOptions{});
  auto o = p.client.getopts();
  ASSERT_TRUE(o) << format_error(o.error());
  EXPECT_EQ(*o->active, Active(true));
  EXPECT_EQ(*o->mode, Mode::list);
  EXPECT_EQ(*o->packet, Packet::raw);
  EXPECT_EQ(*o->header, 0u);
  EXPECT_EQ(*o->exit_on_close, true);
  EXPECT_EQ(p.client.owner(), self());
}

// The User's Guide's minimal example: the server sends "foo"; the client's flush() shows
// {ssl, Socket, "foo"}.
TEST(Active, TrueDeliversDataToTheOwnersMailbox) {
  auto p = open_pair(passive_binary(), SocketOptions{});
  ASSERT_TRUE(p.server.send("foo"));
  auto ev = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->kind, Event::Kind::data);
  EXPECT_EQ(ev->tag(), "ssl");
  EXPECT_EQ(ev->data, std::string_view("foo"));
  EXPECT_EQ(ev->data.mode, Mode::list);
  EXPECT_EQ(ev->to_string(), "{ssl,<socket " + std::to_string(p.client.id()) + ">,\"foo\"}");
  // recv is for passive sockets.
  auto r = p.client.recv(0, 100ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "einval");
}

TEST(Active, PeerCloseIsSslClosed) {
  auto p = open_pair(passive_binary(), SocketOptions{});
  ASSERT_TRUE(p.server.send("bye"));
  ASSERT_TRUE(p.server.close());
  auto data = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(data);
  EXPECT_EQ(data->data, std::string_view("bye"));
  auto closed = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(closed);
  EXPECT_EQ(closed->kind, Event::Kind::closed);
  EXPECT_EQ(closed->tag(), "ssl_closed");
  EXPECT_TRUE(closed->transport_tag.empty());  // close_notify, not the transport's end
  EXPECT_FALSE(self()->receive(p.client.id(), 100ms));
}

// A transport that ends without close_notify: ssl_closed names the transport's closed tag.
TEST(Active, TransportEndIsSslClosedWithItsTag) {
  auto ls = tcp_listen(0, [] {
    SocketOptions o;
    o.ip = "127.0.0.1";
    return o;
  }());
  ASSERT_TRUE(ls);
  Owner me = self();
  auto pending = std::async(std::launch::async, [&ls, me]() -> Res<Socket> {
    auto plain = (*ls)->accept(10s);
    if (!plain) return fail(plain.error());
    auto s = handshake(std::move(*plain), server_options(), 10s, SocketOpts{.active = true});
    if (s)
      if (auto r = s->controlling_process(me); !r) return fail(r.error());
    return s;
  });
  auto plain = tcp_connect("127.0.0.1", (*ls)->port(), 10s);
  ASSERT_TRUE(plain);
  const int fd = (*plain)->native_handle();
  auto c = connect(std::move(*plain), client_options(), 10s);
  ASSERT_TRUE(c) << format_error(c.error());
  auto s = pending.get();
  ASSERT_TRUE(s) << format_error(s.error());
  ASSERT_EQ(::shutdown(fd, SHUT_WR), 0);  // the client's TCP FIN, no close_notify
  auto ev = self()->receive(s->id(), 10s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->kind, Event::Kind::closed);
  EXPECT_EQ(ev->transport_tag, "tcp_closed");
}

// The end is reported once: after recv returned `closed`, turning active delivers no ssl_closed.
TEST(Active, AnEndRecvReturnedIsNotDeliveredAgain) {
  auto p = open_pair(passive_binary(), passive_binary());
  ASSERT_TRUE(p.server.send("last"));
  ASSERT_TRUE(p.server.close());
  auto last = p.client.recv(0, 10s);
  ASSERT_TRUE(last) << format_error(last.error());
  EXPECT_EQ(*last, std::string_view("last"));
  auto end = p.client.recv(0, 10s);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
  ASSERT_TRUE(p.client.setopts({.active = true}));
  EXPECT_FALSE(self()->receive(p.client.id(), 200ms));
}

// The upgrade example's ending: a socket that was active (its reader thread waiting on the transport)
// is made passive, then downgraded while the peer downgrades too. Stopping the reader must not leave
// the downgrade's own reads interrupted.
TEST(Active, DowngradeAfterActiveDelivery) {
  auto p = open_pair(passive_binary(), SocketOptions{});
  ASSERT_TRUE(p.server.send("foo"));
  auto ev = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->data, std::string_view("foo"));
  SocketOpts stop;
  stop.active = false;
  ASSERT_TRUE(p.client.setopts(stop));
  std::this_thread::sleep_for(50ms);  // the reader is back on the transport
  auto peer = std::async(std::launch::async, [&p] { return p.server.close(self(), 10s); });
  auto mine = p.client.close(self(), 10s);
  auto theirs = peer.get();
  ASSERT_TRUE(mine) << format_error(mine.error());
  ASSERT_TRUE(theirs) << format_error(theirs.error());
  const std::string plain = "plain again";
  ASSERT_TRUE((*theirs)->send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(plain.data()), plain.size())));
  auto got = (*mine)->recv(plain.size(), 5s);
  ASSERT_TRUE(got) << format_error(got.error());
  EXPECT_EQ(text(*got), plain);
}

TEST(Active, OnceDeliversOneMessageThenThePassiveSocketReceives) {
  auto p = open_pair(passive_binary(), with_active(Active::once(), Mode::binary));
  ASSERT_TRUE(p.server.send("one"));
  auto ev = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->data, std::string_view("one"));
  EXPECT_EQ(*p.client.getopts()->active, Active(false));
  ASSERT_TRUE(p.server.send("two"));
  auto r = p.client.recv(3, 10s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(*r, std::string_view("two"));
  EXPECT_FALSE(self()->receive(p.client.id(), 50ms));
  // Once more: what is received meanwhile is delivered when the socket turns active.
  ASSERT_TRUE(p.server.send("three"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(p.client.setopts({.active = Active::once()}));
  auto again = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->data, std::string_view("three"));
}

TEST(Active, CountDeliversNMessagesThenSslPassive) {
  SocketOptions server = passive_binary();
  server.packet = Packet::two;
  SocketOptions client = with_active(Active::count(2), Mode::binary);
  client.packet = Packet::two;
  auto p = open_pair(server, client);
  for (auto m : {"a", "bb", "ccc"}) ASSERT_TRUE(p.server.send(m));
  auto a = self()->receive(p.client.id(), 10s), b = self()->receive(p.client.id(), 10s),
       passive = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(a && b && passive);
  EXPECT_EQ(a->data, std::string_view("a"));
  EXPECT_EQ(b->data, std::string_view("bb"));
  EXPECT_EQ(passive->kind, Event::Kind::passive);
  EXPECT_EQ(passive->tag(), "ssl_passive");
  auto c = p.client.recv(0, 10s);
  ASSERT_TRUE(c);
  EXPECT_EQ(*c, std::string_view("ccc"));
  // {active, N} adds to the counter; a sum at or below zero is passive at once.
  ASSERT_TRUE(p.client.setopts({.active = Active::count(3)}));
  ASSERT_TRUE(p.client.setopts({.active = Active::count(-1)}));
  EXPECT_EQ(*p.client.getopts()->active, Active::count(2));
  ASSERT_TRUE(p.client.setopts({.active = Active::count(-5)}));
  EXPECT_EQ(*p.client.getopts()->active, Active(false));
  auto off = self()->receive(p.client.id(), 10s);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->kind, Event::Kind::passive);
  EXPECT_FALSE(p.client.setopts({.active = Active::count(40000)}));
}

TEST(Owner, OnlyTheOwnerHandsTheSocketOn) {
  auto p = open_pair(passive_binary(), SocketOptions{});
  auto other = std::make_shared<Mailbox>();
  std::thread([&] {
    auto r = p.client.controlling_process(other);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().detail, "not_owner");
  }).join();
  ASSERT_TRUE(p.client.controlling_process(other));
  ASSERT_TRUE(p.server.send("moved"));
  auto ev = other->receive(10s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->data, std::string_view("moved"));
  EXPECT_FALSE(self()->receive(p.client.id(), 50ms));
  // `other` was made on this thread: this thread may take the socket back.
  ASSERT_TRUE(p.client.controlling_process(self()));
}

TEST(Owner, AHandlerIsCalledWithEachEvent) {
  auto p = open_pair(passive_binary(), SocketOptions{});
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Event> got;
  ASSERT_TRUE(p.client.controlling_process(make_owner([&](Event e) {
    std::lock_guard lock(mu);
    got.push_back(std::move(e));
    cv.notify_all();
  })));
  ASSERT_TRUE(p.server.send("x"));
  ASSERT_TRUE(p.server.close());
  std::unique_lock lock(mu);
  ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return got.size() >= 2; }));
  EXPECT_EQ(got[0].data, std::string_view("x"));
  EXPECT_EQ(got[1].kind, Event::Kind::closed);
}

TEST(Packet, LengthHeadersFrameEachSend) {
  for (Packet packet : {Packet::one, Packet::two, Packet::four}) {
    SocketOptions o = passive_binary();
    o.packet = packet;
    auto p = open_pair(o, o);
    ASSERT_TRUE(p.client.send("hello"));
    ASSERT_TRUE(p.client.send(""));
    ASSERT_TRUE(p.client.send("world!"));
    for (std::string_view want : {"hello", "", "world!"}) {
      auto r = p.server.recv(0, 10s);
      ASSERT_TRUE(r) << format_error(r.error());
      EXPECT_EQ(*r, want);
    }
    // The header is on the wire: a raw reader sees it.
    ASSERT_TRUE(p.server.setopts({.packet = Packet::raw}));
    ASSERT_TRUE(p.client.send("ab"));
    const size_t h = packet == Packet::one ? 1 : packet == Packet::two ? 2 : 4;
    auto raw = p.server.recv(h + 2, 10s);
    ASSERT_TRUE(raw);
    EXPECT_EQ((*raw)[h - 1], 2);
    EXPECT_EQ(std::string(raw->begin() + std::ptrdiff_t(h), raw->end()), "ab");
  }
}

TEST(Packet, TooLongIsEmsgsize) {
  SocketOptions o = passive_binary();
  o.packet = Packet::one;
  auto p = open_pair(o, o);
  auto r = p.client.send(std::string(256, 'x'));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().detail, "emsgsize");
  ASSERT_TRUE(p.client.send(std::string(255, 'x')));
  // packet_size bounds what the receiver takes.
  ASSERT_TRUE(p.server.setopts({.packet_size = 100}));
  auto big = p.server.recv(0, 10s);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().detail, "emsgsize");
}

TEST(Packet, LineDeliversWholeLines) {
  SocketOptions o = passive_binary();
  o.packet = Packet::line;
  auto p = open_pair(o, passive_binary());
  ASSERT_TRUE(p.client.send("first\nsec"));
  ASSERT_TRUE(p.client.send("ond\n"));
  auto a = p.server.recv(0, 10s);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, std::string_view("first\n"));
  auto b = p.server.recv(0, 10s);
  ASSERT_TRUE(b);
  EXPECT_EQ(*b, std::string_view("second\n"));
}

TEST(Mode, BinaryWithHeaderSplitsTheFirstBytes) {
  SocketOptions o = passive_binary();
  o.header = 2;
  auto p = open_pair(o, passive_binary());
  ASSERT_TRUE(p.client.send("abcdef"));
  auto r = p.server.recv(6, 10s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mode, Mode::binary);
  EXPECT_EQ(r->header, 2u);
  EXPECT_EQ(r->header_bytes(), (std::vector<uint8_t>{'a', 'b'}));
  EXPECT_EQ(r->body(), (std::vector<uint8_t>{'c', 'd', 'e', 'f'}));
  ASSERT_TRUE(p.server.setopts({.mode = Mode::list}));
  ASSERT_TRUE(p.client.send("gh"));
  auto l = p.server.recv(2, 10s);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->mode, Mode::list);
  EXPECT_EQ(l->header, 0u);
  EXPECT_EQ(l->text(), "gh");
}

TEST(Inherit, AcceptedSocketsHaveTheListenSocketsOptions) {
  SocketOptions o = with_active(Active::once(), Mode::binary);
  o.packet = Packet::four;
  o.header = 1;
  auto p = open_pair(o, passive_binary());
  auto got = p.server.getopts();
  ASSERT_TRUE(got);
  EXPECT_EQ(*got->active, Active::once());
  EXPECT_EQ(*got->mode, Mode::binary);
  EXPECT_EQ(*got->packet, Packet::four);
  EXPECT_EQ(*got->header, 1u);
  ASSERT_TRUE(p.client.send(std::string("\0\0\0\3xyz", 7)));
  auto ev = self()->receive(p.server.id(), 10s);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->data, std::string_view("xyz"));
  EXPECT_EQ(ev->data.header, 1u);
}

// {exit_on_close, false}: after the peer's shutdown(write) this end still sends.
TEST(ExitOnClose, FalseKeepsSendingAfterThePeerShutsItsWriting) {
  SocketOptions server = passive_binary();
  server.exit_on_close = false;
  auto p = open_pair(server, passive_binary());
  ASSERT_TRUE(p.client.send("request"));
  ASSERT_TRUE(p.client.shutdown(ShutdownHow::write));
  auto req = p.server.recv(7, 10s);
  ASSERT_TRUE(req);
  auto end = p.server.recv(0, 10s);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
  ASSERT_TRUE(p.server.send("response")) << "the reply after the peer's half close";
  ASSERT_TRUE(p.server.close());
  auto reply = p.client.recv(8, 10s);
  ASSERT_TRUE(reply) << format_error(reply.error());
  EXPECT_EQ(*reply, std::string_view("response"));
}

TEST(ExitOnClose, TrueAnswersTheCloseAtOnce) {
  auto p = open_pair(passive_binary(), passive_binary());
  ASSERT_TRUE(p.client.shutdown(ShutdownHow::write));
  auto end = p.server.recv(0, 10s);
  ASSERT_FALSE(end);
  auto r = p.server.send("late");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::closed);
}

// One socket used by its owner (receiving) and a sender thread at once, and many sockets on many threads.
TEST(Threads, OwnerReceivesWhileAnotherThreadSends) {
  auto p = open_pair(passive_binary(), passive_binary());
  constexpr int n = 200;
  std::thread sender([&] {
    for (int i = 0; i < n; ++i) ASSERT_TRUE(p.client.send("m"));
  });
  // The server echoes; the client's owner reads the echoes while the sender thread writes.
  std::thread echo([&] {
    size_t seen = 0;
    while (seen < n) {
      auto r = p.server.recv(0, 10s);
      ASSERT_TRUE(r);
      seen += r->size();
      ASSERT_TRUE(p.server.send(*r));
    }
  });
  size_t got = 0;
  while (got < n) {
    auto r = p.client.recv(0, 10s);
    ASSERT_TRUE(r) << format_error(r.error());
    got += r->size();
  }
  sender.join();
  echo.join();
  EXPECT_EQ(got, size_t(n));
}

TEST(Threads, CloseFromAnotherThreadEndsARecv) {
  auto p = open_pair(passive_binary(), passive_binary());
  std::thread closer([&] {
    std::this_thread::sleep_for(100ms);
    (void)p.client.close();
  });
  auto r = p.client.recv(0, 10s);
  closer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::closed);
}

TEST(Threads, ManySocketsOnManyThreads) {
  constexpr int threads = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&ok, t] {
      auto p = open_pair(passive_binary(), SocketOptions{});
      const std::string msg = "thread " + std::to_string(t);
      if (!p.server.send(msg)) return;
      auto ev = self()->receive(p.client.id(), 10s);
      if (ev && ev->data == std::string_view(msg)) ++ok;
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), threads);
}

}  // namespace
}  // namespace essl::test

namespace essl {
namespace {

// Events print as the spec's shell prints the messages: lists as strings, binaries as <<"...">>, and
// {header, N} in binary mode as the header bytes consed onto the binary.
TEST(EventText, ListBinaryAndHeader) {
  Event e;
  e.socket = 7;
  e.data = Data({'f', 'o', 'o'}, Mode::list);
  EXPECT_EQ(e.to_string(), "{ssl,<socket 7>,\"foo\"}");
  e.data = Data({'f', 'o', 'o'}, Mode::binary);
  EXPECT_EQ(e.to_string(), "{ssl,<socket 7>,<<\"foo\">>}");
  e.data = Data({'f', 'o', 'o'}, Mode::binary, 2);
  EXPECT_EQ(e.to_string(), "{ssl,<socket 7>,[102,111|<<\"o\">>]}");
  Event closed;
  closed.kind = Event::Kind::closed;
  closed.socket = 7;
  EXPECT_EQ(closed.to_string(), "{ssl_closed,<socket 7>}");
}

}  // namespace
}  // namespace essl
