// essl against essl over loopback through the public API.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

TEST(Handshake, NegotiatesTls12AndReportsTheConnection) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  auto info = p.client.connection_information();
  ASSERT_TRUE(info);
  ASSERT_TRUE(info->protocol);
  EXPECT_EQ(*info->protocol, Version::tlsv1_2);
  EXPECT_FALSE(info->cipher_suite_name.empty());
  EXPECT_FALSE(info->resumed);
  auto sinfo = p.server.connection_information();
  ASSERT_TRUE(sinfo);
  EXPECT_EQ(sinfo->cipher_suite_name, info->cipher_suite_name);

  auto cert = p.client.peercert();
  ASSERT_TRUE(cert);
  EXPECT_GT(cert->size(), 100u);
  EXPECT_EQ(cert->front(), 0x30);  // a DER SEQUENCE
  auto none = p.server.peercert();
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().detail, "no_peercert");

  auto peer = p.client.peername();
  auto local = p.server.sockname();
  ASSERT_TRUE(peer && local);
  EXPECT_EQ(peer->ip, "127.0.0.1");
  EXPECT_EQ(peer->port, p.ls.port());
  EXPECT_EQ(local->port, p.ls.port());
  EXPECT_EQ(p.server.peername()->port, p.client.sockname()->port);
}

TEST(Handshake, EachVersionAndAnEcdsaServer) {
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
    auto so = server_options("server-ecdsa");
    auto co = client_options();
    co.versions = {v};
    auto p = connect_pair(so, co);
    auto info = p.client.connection_information();
    ASSERT_TRUE(info) << version_atom(v);
    EXPECT_EQ(*info->protocol, v);
    EXPECT_NE(info->cipher_suite_name.find("ecdsa"), std::string::npos) << info->cipher_suite_name;
  }
}

TEST(Handshake, SecondConnectionResumes) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_options(), sock);
  ASSERT_TRUE(ls);
  for (bool resumed : {false, true}) {
    auto pending = accept_async(*ls);
    auto c = connect("127.0.0.1", ls->port(), client_options(), 10s, passive_binary());
    auto a = pending.get();
    ASSERT_TRUE(c) << format_error(c.error());
    ASSERT_TRUE(a.handshake_result);
    EXPECT_EQ(c->connection_information()->resumed, resumed);
    EXPECT_EQ(a.socket->connection_information()->resumed, resumed);
    // Resumed sessions still know the peer's certificate.
    EXPECT_TRUE(c->peercert());
  }
}

TEST(Recv, ZeroReturnsWhatIsAvailable) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.send("hello"));
  auto r = p.server.recv(0, 5s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_EQ(text(*r), "hello");
}

TEST(Recv, LengthReturnsExactlyThatMany) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.send("abc"));
  ASSERT_TRUE(p.client.send("defgh"));
  ASSERT_TRUE(p.client.send("12345"));
  auto r = p.server.recv(8, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(text(*r), "abcdefgh");
  r = p.server.recv(3, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(text(*r), "123");
  r = p.server.recv(0, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(text(*r), "45");
}

TEST(Recv, TimesOutAndStaysUsable) {
  auto p = connect_pair(server_options(), client_options());
  auto start = std::chrono::steady_clock::now();
  auto r = p.server.recv(0, 150ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 140ms);
  r = p.server.recv(1, 0ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::timeout);
  ASSERT_TRUE(p.client.send("x"));
  r = p.server.recv(1, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(text(*r), "x");
}

TEST(Recv, LargeTransferBothWays) {
  auto p = connect_pair(server_options(), client_options());
  std::vector<uint8_t> big(300000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7 + i / 256);
  std::thread echo([&] {
    auto got = p.server.recv(big.size(), 10s);
    if (got) (void)p.server.send(std::span<const uint8_t>(*got));
  });
  ASSERT_TRUE(p.client.send(std::span<const uint8_t>(big)));
  auto back = p.client.recv(big.size(), 10s);
  echo.join();
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == big);
}

TEST(Close, FlushesDataThenThePeerSeesClosed) {
  auto p = connect_pair(server_options(), client_options());
  std::vector<uint8_t> data(256 * 1024, 0x5a);
  std::thread closer([&] {
    (void)p.client.send(std::span<const uint8_t>(data));
    (void)p.client.close();
  });
  auto r = p.server.recv(data.size(), 10s);
  ASSERT_TRUE(r) << format_error(r.error());
  EXPECT_TRUE(*r == data);
  auto end = p.server.recv(0, 10s);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
  closer.join();
  EXPECT_FALSE(p.client.is_open());
  auto after = p.client.send("late");
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().kind, Error::Kind::closed);
}

TEST(Close, ShortDataBeforeCloseIsDiscardedWithClosed) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.send("abc"));
  std::thread closer([&] { (void)p.client.close(); });
  auto r = p.server.recv(10, 10s);
  closer.join();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::closed);
}

TEST(Shutdown, WriteSendsCloseNotifyAndTheClientStillReadsTheAnswer) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.send("last words"));
  ASSERT_TRUE(p.client.shutdown(ShutdownHow::write));
  EXPECT_FALSE(p.client.send("more"));
  auto r = p.server.recv(0, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(text(*r), "last words");
  auto end = p.server.recv(0, 5s);
  ASSERT_FALSE(end);
  EXPECT_EQ(end.error().kind, Error::Kind::closed);
  // The server answered with its own close_notify, which the client can still read.
  auto client_end = p.client.recv(0, 5s);
  ASSERT_FALSE(client_end);
  EXPECT_EQ(client_end.error().kind, Error::Kind::closed);
}

TEST(Ipv6, LoopbackByLiteral) {
  SocketOptions sock = passive_binary();
  sock.ip = "::1";
  auto probe = listen(0, server_options(), sock);
  ASSERT_TRUE(probe.ok()) << "IPv6 loopback (::1) is needed for this test: " << format_error(probe.error());
  probe->close();
  auto p = connect_pair(server_options(), client_options(), "::1");
  ASSERT_TRUE(p.client.is_open());
  EXPECT_EQ(p.client.peername()->ip, "::1");
  EXPECT_EQ(p.server.peername()->ip, "::1");
  ASSERT_TRUE(p.client.send("v6"));
  auto r = p.server.recv(2, 5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(text(*r), "v6");
}

TEST(Timeouts, TransportAcceptAndHandshake) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_options(), sock);
  ASSERT_TRUE(ls);
  auto a = ls->transport_accept(50ms);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind, Error::Kind::timeout);

  // A TCP client that never says hello: the handshake gives up at its timeout.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(ls->port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto s = ls->transport_accept(5s);
  ASSERT_TRUE(s);
  auto h = handshake(*s, 150ms);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().kind, Error::Kind::timeout);
  EXPECT_FALSE(s->is_open());
  ::close(fd);
}

TEST(Errors, UnknownCaFailsOnBothSides) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, server_options(), sock);
  ASSERT_TRUE(ls);
  auto pending = accept_async(*ls);
  auto c = connect("127.0.0.1", ls->port(), client_options("other-ca.pem"), 10s, passive_binary());
  auto a = pending.get();
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().is_alert(AlertDescription::unknown_ca)) << format_error(c.error());
  EXPECT_TRUE(c.error().alert_sent);
  EXPECT_NE(format_error(c.error()).find("TLS alert: unknown ca"), std::string::npos) << format_error(c.error());
  ASSERT_TRUE(a.socket);
  ASSERT_FALSE(a.handshake_result);
  EXPECT_TRUE(a.handshake_result.error().is_alert(AlertDescription::unknown_ca))
      << format_error(a.handshake_result.error());
  EXPECT_FALSE(a.handshake_result.error().alert_sent);
}

TEST(Errors, MissingClientCertificateWithFailIfNoPeerCert) {
  auto so = server_options();
  so.cacertfile = data_file("ca.pem");
  so.verify = Verify::verify_peer;
  so.fail_if_no_peer_cert = true;
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, so, sock);
  ASSERT_TRUE(ls);
  auto pending = accept_async(*ls);
  auto c = connect("127.0.0.1", ls->port(), client_options(), 10s, passive_binary());
  auto a = pending.get();
  ASSERT_FALSE(a.handshake_result);
  EXPECT_TRUE(a.handshake_result.error().is_alert(AlertDescription::handshake_failure))
      << format_error(a.handshake_result.error());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, Error::Kind::tls_alert) << format_error(c.error());
}

TEST(Errors, MutualAuthenticationSucceedsWithAClientCertificate) {
  auto so = server_options();
  so.cacertfile = data_file("ca.pem");
  so.verify = Verify::verify_peer;
  so.fail_if_no_peer_cert = true;
  auto co = client_options();
  co.certfile = data_file("client-rsa.pem");
  co.keyfile = data_file("client-rsa-key.pem");
  auto p = connect_pair(so, co);
  ASSERT_TRUE(p.server.is_open());
  EXPECT_TRUE(p.server.peercert());
}

TEST(Errors, ConnectionRefusedIsATransportError) {
  uint16_t port = 0;
  {
    SocketOptions sock = passive_binary();
    sock.ip = "127.0.0.1";
    auto ls = listen(0, server_options(), sock);
    ASSERT_TRUE(ls);
    port = ls->port();
  }
  auto c = connect("127.0.0.1", port, client_options(), 2s, passive_binary());
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind, Error::Kind::transport) << format_error(c.error());
}

TEST(Socket, MovesAndClosesOnce) {
  auto p = connect_pair(server_options(), client_options());
  Socket moved = std::move(p.client);
  EXPECT_FALSE(p.client.is_open());
  EXPECT_TRUE(moved.is_open());
  ASSERT_TRUE(moved.send("m"));
  EXPECT_EQ(text(*p.server.recv(1, 5s)), "m");
  EXPECT_TRUE(moved.close());
  EXPECT_TRUE(moved.close());
  EXPECT_FALSE(p.client.send("x"));
}

TEST(Application, VersionsAndSuites) {
  ASSERT_TRUE(start());
  auto v = versions();
  EXPECT_FALSE(v.app_vsn.empty());
  ASSERT_FALSE(v.supported.empty());
  EXPECT_EQ(v.supported.front(), Version::tlsv1_2);
  EXPECT_FALSE(cipher_suites(SuiteListType::erlang).empty());
  EXPECT_GE(cipher_suites(SuiteListType::all).size(), cipher_suites(SuiteListType::erlang).size());
  stop();
}

}  // namespace
}  // namespace essl::test
