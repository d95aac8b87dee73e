// essl::asio::stream (essl/asio.hpp): asynchronous and blocking handshakes, reads, writes and shutdown
// over loopback TCP, against itself and against the blocking essl API; a full-duplex transfer (a read
// and a write outstanding at once); verification failures as alerts on both sides; a truncated stream.
#include <gtest/gtest.h>

#include <array>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include "essl/asio.hpp"
#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

using tcp = ::asio::ip::tcp;
using Stream = essl::asio::stream<tcp::socket>;

TlsConfig client_config(const Options& o = client_options()) {
  auto c = TlsConfig::client(o);
  EXPECT_TRUE(c) << format_error(c.error());
  return std::move(c).value();
}
TlsConfig server_config(const Options& o = server_options()) {
  auto c = TlsConfig::server(o);
  EXPECT_TRUE(c) << format_error(c.error());
  return std::move(c).value();
}

std::error_code alert_code(tls_errc side, AlertDescription d) {
  return {static_cast<int>(side) + static_cast<int>(d), tls_category()};
}

// A connected pair of TCP sockets on one io_context, wrapped as streams.
struct Pair {
  ::asio::io_context io;
  std::optional<Stream> client, server;

  Pair(const TlsConfig& ccfg, const TlsConfig& scfg) {
    tcp::acceptor acceptor(io, tcp::endpoint(::asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket c(io), s(io);
    c.connect(acceptor.local_endpoint());
    acceptor.accept(s);
    client.emplace(std::move(c), ccfg, "localhost", acceptor.local_endpoint().port());
    server.emplace(std::move(s), scfg);
  }
  // Runs the loop until it has nothing left to do (at most 20 s).
  void run() {
    io.run_for(std::chrono::seconds(20));
    EXPECT_TRUE(io.stopped()) << "the operations did not finish";
  }
};

struct Handshakes {
  std::optional<std::error_code> client, server;
};

Handshakes handshake_both(Pair& p) {
  Handshakes h;
  p.client->async_handshake(Stream::client, [&](std::error_code ec) { h.client = ec; });
  p.server->async_handshake(Stream::server, [&](std::error_code ec) { h.server = ec; });
  p.run();
  p.io.restart();
  return h;
}

TEST(AsioStream, HandshakeEchoAndShutdown) {
  Pair p(client_config(), server_config());
  auto h = handshake_both(p);
  ASSERT_TRUE(h.client && h.server);
  ASSERT_FALSE(*h.client) << h.client->message();
  ASSERT_FALSE(*h.server) << h.server->message();
  auto info = p.client->native_handle().connection_information();
  ASSERT_TRUE(info);
  EXPECT_EQ(info->protocol, Version::tlsv1_2);

  // The server echoes one read; the client writes, reads the echo, then both shut down.
  std::array<char, 64> sbuf{}, cbuf{};
  std::string echoed;
  std::optional<std::error_code> client_shutdown, server_shutdown, server_read_after;
  const std::string msg = "hello over asio";
  p.server->async_read_some(::asio::buffer(sbuf), [&](std::error_code ec, size_t n) {
    ASSERT_FALSE(ec) << ec.message();
    ::asio::async_write(*p.server, ::asio::buffer(sbuf.data(), n), [&](std::error_code ec2, size_t) {
      ASSERT_FALSE(ec2) << ec2.message();
      // The client's close_notify ends the next read with eof; the server then shuts down too.
      p.server->async_read_some(::asio::buffer(sbuf), [&](std::error_code ec3, size_t) {
        server_read_after = ec3;
        p.server->async_shutdown([&](std::error_code ec4) { server_shutdown = ec4; });
      });
    });
  });
  ::asio::async_write(*p.client, ::asio::buffer(msg), [&](std::error_code ec, size_t n) {
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(n, msg.size());
    ::asio::async_read(*p.client, ::asio::buffer(cbuf.data(), msg.size()), [&](std::error_code ec2, size_t n2) {
      ASSERT_FALSE(ec2) << ec2.message();
      echoed.assign(cbuf.data(), n2);
      p.client->async_shutdown([&](std::error_code ec3) { client_shutdown = ec3; });
    });
  });
  p.run();
  EXPECT_EQ(echoed, msg);
  ASSERT_TRUE(server_read_after && client_shutdown && server_shutdown);
  EXPECT_EQ(*server_read_after, ::asio::error::eof);
  EXPECT_FALSE(*client_shutdown) << client_shutdown->message();
  EXPECT_FALSE(*server_shutdown) << server_shutdown->message();
}

// 4 MiB each way at once: each side has a write and a read outstanding together, so both operations
// produce records (the reads' answers none here, but the writes' many) through the one write gate.
TEST(AsioStream, FullDuplexTransfer) {
  Pair p(client_config(), server_config());
  auto h = handshake_both(p);
  ASSERT_TRUE(h.client && !*h.client && h.server && !*h.server);

  constexpr size_t total = 4 << 20;
  std::vector<uint8_t> out_c(total), out_s(total);
  for (size_t i = 0; i < total; ++i) {
    out_c[i] = uint8_t(i * 7 + 1);
    out_s[i] = uint8_t(i * 13 + 5);
  }
  std::vector<uint8_t> in_c(total), in_s(total);
  std::error_code e1, e2, e3, e4;
  size_t n1 = 0, n2 = 0, n3 = 0, n4 = 0;
  ::asio::async_write(*p.client, ::asio::buffer(out_c), [&](std::error_code ec, size_t n) { e1 = ec, n1 = n; });
  ::asio::async_write(*p.server, ::asio::buffer(out_s), [&](std::error_code ec, size_t n) { e2 = ec, n2 = n; });
  ::asio::async_read(*p.client, ::asio::buffer(in_c), [&](std::error_code ec, size_t n) { e3 = ec, n3 = n; });
  ::asio::async_read(*p.server, ::asio::buffer(in_s), [&](std::error_code ec, size_t n) { e4 = ec, n4 = n; });
  p.run();
  EXPECT_FALSE(e1 || e2 || e3 || e4) << e1.message() << e2.message() << e3.message() << e4.message();
  EXPECT_EQ(n1, total);
  EXPECT_EQ(n2, total);
  EXPECT_EQ(n3, total);
  EXPECT_EQ(n4, total);
  EXPECT_TRUE(in_c == out_s);
  EXPECT_TRUE(in_s == out_c);
}

TEST(AsioStream, UnknownCaFailsBothHandshakesWithTheAlert) {
  Pair p(client_config(client_options("other-ca.pem")), server_config());
  auto h = handshake_both(p);
  ASSERT_TRUE(h.client && h.server);
  EXPECT_EQ(*h.client, alert_code(tls_errc::alert_sent, AlertDescription::unknown_ca)) << h.client->message();
  EXPECT_EQ(*h.server, alert_code(tls_errc::alert_received, AlertDescription::unknown_ca)) << h.server->message();
  ASSERT_TRUE(p.client->tls_error());
  EXPECT_TRUE(p.client->tls_error()->is_alert(AlertDescription::unknown_ca));
  EXPECT_EQ(h.client->message(), "TLS alert sent: unknown ca");
}

TEST(AsioStream, ATransportEndWithoutCloseNotifyIsATruncation) {
  Pair p(client_config(), server_config());
  auto h = handshake_both(p);
  ASSERT_TRUE(h.client && !*h.client && h.server && !*h.server);
  std::optional<std::error_code> read;
  std::array<char, 16> buf{};
  p.client->async_read_some(::asio::buffer(buf), [&](std::error_code ec, size_t) { read = ec; });
  p.server->next_layer().close();
  p.run();
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, make_error_code(tls_errc::stream_truncated)) << read->message();
}

TEST(AsioStream, AHandshakeOfTheWrongRoleIsInvalid) {
  Pair p(client_config(), server_config());
  std::optional<std::error_code> ec;
  p.client->async_handshake(Stream::server, [&](std::error_code e) { ec = e; });
  p.run();
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, ::asio::error::invalid_argument);
}

TEST(AsioStream, AWriteBeforeTheHandshakeIsRefused) {
  Pair p(client_config(), server_config());
  std::optional<std::error_code> ec;
  const std::string msg = "early";
  p.client->async_write_some(::asio::buffer(msg), [&](std::error_code e, size_t) { ec = e; });
  p.run();
  ASSERT_TRUE(ec);
  EXPECT_EQ(*ec, ::asio::error::not_connected);
}

// The blocking calls against essl's blocking API, each side on its own thread.
TEST(AsioStream, BlockingClientAgainstTheSocketApi) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_options(), sock);
  ASSERT_TRUE(ls) << format_error(ls.error());
  auto pending = std::async(std::launch::async, [&] {
    Accepted a;
    a.socket = ls->transport_accept(10s);
    if (a.socket) a.handshake_result = handshake(*a.socket, 10s);
    if (a.socket && a.handshake_result) {
      auto got = a.socket->recv(5, 10s);
      if (got) (void)a.socket->send(std::string("re:") + text(*got));
      (void)a.socket->close();
    }
    return a;
  });
  ::asio::io_context io;
  Stream s(io, client_config(), "localhost", ls->port());
  s.next_layer().connect(tcp::endpoint(::asio::ip::make_address("127.0.0.1"), ls->port()));
  s.handshake(Stream::client);
  EXPECT_EQ(s.write_some(::asio::buffer(std::string("hello"))), 5u);
  std::array<char, 16> buf{};
  std::error_code ec;
  size_t n = ::asio::read(s, ::asio::buffer(buf), ec);
  EXPECT_EQ(std::string(buf.data(), n), "re:hello");
  EXPECT_EQ(ec, ::asio::error::eof);  // the server closed after its reply
  auto a = pending.get();
  EXPECT_TRUE(a.handshake_result);
}

// An asynchronous server against essl's blocking connect.
TEST(AsioStream, AsyncServerAgainstTheSocketApi) {
  ::asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(::asio::ip::make_address("127.0.0.1"), 0));
  const uint16_t port = acceptor.local_endpoint().port();
  auto cfg = server_config();
  std::optional<Stream> server;
  std::array<char, 64> buf{};
  std::optional<std::error_code> handshake_ec;
  acceptor.async_accept([&](std::error_code ec, tcp::socket s) {
    ASSERT_FALSE(ec);
    server.emplace(std::move(s), cfg);
    server->async_handshake(Stream::server, [&](std::error_code hec) {
      handshake_ec = hec;
      if (hec) return;
      server->async_read_some(::asio::buffer(buf), [&](std::error_code rec, size_t n) {
        ASSERT_FALSE(rec) << rec.message();
        ::asio::async_write(*server, ::asio::buffer(buf.data(), n), [&](std::error_code, size_t) {});
      });
    });
  });
  auto client = std::async(std::launch::async, [&] {
    auto s = connect("127.0.0.1", port, client_options(), 10s, passive_binary());
    if (!s) return std::string("connect: ") + format_error(s.error());
    if (auto r = s->send(std::string("ping")); !r) return format_error(r.error());
    auto got = s->recv(4, 10s);
    (void)s->close();
    return got ? text(*got) : format_error(got.error());
  });
  io.run_for(std::chrono::seconds(20));
  EXPECT_EQ(client.get(), "ping");
  ASSERT_TRUE(handshake_ec);
  EXPECT_FALSE(*handshake_ec) << handshake_ec->message();
}

}  // namespace
}  // namespace essl::test
