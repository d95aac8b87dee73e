// SNI, ALPN and NPN through the public API, essl against essl over loopback: negotiated_protocol,
// sni_hostname in connection_information, sni_hosts choosing the certificate, and the options errors.
#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

using Strings = std::vector<std::string>;

// The leaf a server with `cert` as its only certificate presents (to a client that does not check it).
std::vector<uint8_t> leaf_der(const std::string& cert) {
  Options unchecked;
  unchecked.verify = Verify::verify_none;
  auto p = connect_pair(server_options(cert), unchecked);
  auto der = p.client.peercert();
  if (!der) ADD_FAILURE() << "no certificate from a " << cert << " server";
  return der ? *der : std::vector<uint8_t>{};
}

// A client connecting by host name (IPv4 only, so that "localhost" reaches the 127.0.0.1 listener).
Attempt connect_named(const Options& server_opts, const Options& client_opts, const std::string& host) {
  return attempt_pair(server_opts, client_opts, "127.0.0.1", host);
}

// Both sides report PROTOCOL as negotiated.
void expect_negotiated(Pair& p, const std::string& protocol) {
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  auto c = p.client.negotiated_protocol(), s = p.server.negotiated_protocol();
  ASSERT_TRUE(c && s);
  EXPECT_EQ(*c, protocol);
  EXPECT_EQ(*s, protocol);
}

void exchange(Socket& a, Socket& b) {
  ASSERT_TRUE(a.send("ping"));
  auto got = b.recv(4, 5s);
  ASSERT_TRUE(got) << format_error(got.error());
  EXPECT_EQ(text(*got), "ping");
}

TEST(Alpn, NegotiatedProtocolOnBothSockets) {
  Options so = server_options();
  so.alpn_preferred_protocols = Strings{"h2", "http/1.1"};
  Options co = client_options();
  co.alpn_advertised_protocols = Strings{"http/1.1", "spdy/3"};
  auto p = connect_pair(so, co);
  expect_negotiated(p, "http/1.1");
  exchange(p.client, p.server);
}

TEST(Alpn, NotNegotiatedIsAnError) {
  auto p = connect_pair(server_options(), client_options());
  ASSERT_TRUE(p.client.is_open());
  auto r = p.client.negotiated_protocol();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::other);
  EXPECT_EQ(r.error().detail, "protocol_not_negotiated");
  Socket never;
  EXPECT_FALSE(never.negotiated_protocol());
}

TEST(Alpn, NoOverlapFailsBothHandshakes) {
  Options so = server_options();
  so.alpn_preferred_protocols = Strings{"h2"};
  Options co = client_options();
  co.alpn_advertised_protocols = Strings{"http/1.1"};
  auto p = attempt_pair(so, co);
  const auto& c = p.connected;
  const auto& a = p.accepted;
  ASSERT_FALSE(c);
  EXPECT_TRUE(c.error().is_alert(AlertDescription::no_application_protocol)) << format_error(c.error());
  EXPECT_FALSE(c.error().alert_sent);
  ASSERT_TRUE(a.socket);
  ASSERT_FALSE(a.handshake_result);
  EXPECT_TRUE(a.handshake_result.error().is_alert(AlertDescription::no_application_protocol));
  EXPECT_TRUE(a.handshake_result.error().alert_sent);
}

TEST(Npn, ClientChoiceReachesTheServer) {
  Options so = server_options();
  so.next_protocols_advertised = Strings{"h2", "http/1.1"};
  Options co = client_options();
  NextProtocolPreference pref;
  pref.precedence = NextProtocolPreference::Precedence::client;
  pref.protocols = {"http/1.1", "h2"};
  co.client_preferred_next_protocols = pref;
  auto p = connect_pair(so, co);
  expect_negotiated(p, "http/1.1");
  exchange(p.server, p.client);
}

TEST(Sni, ServerSeesTheNameTheClientConnectedTo) {
  auto p = connect_named(server_options(), client_options(), "localhost");
  ASSERT_TRUE(p.client.is_open() && p.server.is_open());
  auto si = p.server.connection_information();
  auto ci = p.client.connection_information();
  ASSERT_TRUE(si && ci);
  EXPECT_EQ(si->sni_hostname, "localhost");
  EXPECT_EQ(ci->sni_hostname, "localhost");

  auto by_ip = connect_named(server_options(), client_options(), "127.0.0.1");
  ASSERT_TRUE(by_ip.server.is_open());
  EXPECT_FALSE(by_ip.server.connection_information()->sni_hostname);
}

// server-sni names ecdsa.test, so the client's host name check passes on the host's certificate.
TEST(Sni, HostsChooseTheCertificate) {
  SniOptions ecdsa;
  ecdsa.certfile = data_file("server-sni.pem");
  ecdsa.keyfile = data_file("server-sni-key.pem");
  Options so = server_options();
  so.sni_hosts = {{"ecdsa.test", ecdsa}};

  Options named = client_options();
  named.server_name_indication = std::string("ecdsa.test");
  auto p = connect_named(so, named, "127.0.0.1");
  ASSERT_TRUE(p.client.is_open()) << format_error(p.connected.error());
  EXPECT_EQ(*p.client.peercert(), leaf_der("server-sni"));
  EXPECT_EQ(p.server.connection_information()->sni_hostname, "ecdsa.test");
  exchange(p.client, p.server);

  auto base = connect_named(so, client_options(), "localhost");
  ASSERT_TRUE(base.client.is_open()) << format_error(base.connected.error());
  EXPECT_EQ(*base.client.peercert(), leaf_der("server-rsa"));
}

TEST(Sni, FunChoosesPerHandshake) {
  Options so = server_options();
  so.sni_fun = [](std::string_view host) -> std::optional<SniOptions> {
    if (host != "ecdsa.test") return std::nullopt;
    SniOptions h;
    h.certfile = data_file("server-sni.pem");
    h.keyfile = data_file("server-sni-key.pem");
    h.alpn_preferred_protocols = Strings{"h2"};
    return h;
  };
  Options co = client_options();
  co.server_name_indication = std::string("ecdsa.test");
  co.alpn_advertised_protocols = Strings{"h2"};
  auto p = connect_named(so, co, "127.0.0.1");
  ASSERT_TRUE(p.client.is_open()) << format_error(p.connected.error());
  EXPECT_EQ(*p.client.peercert(), leaf_der("server-sni"));
  EXPECT_EQ(*p.client.negotiated_protocol(), "h2");  // the host's ALPN list
}

TEST(Options, HelloExtensionErrorsNameTheOption) {
  auto listen_error = [](const Options& o) {
    auto ls = listen(0, o, passive_binary());
    EXPECT_FALSE(ls);
    return ls ? Error{} : ls.error();
  };
  auto connect_error = [](const Options& o) {
    auto s = connect("127.0.0.1", 1, o, 1s, passive_binary());
    EXPECT_FALSE(s);
    return s ? Error{} : s.error();
  };
  Options empty_alpn = server_options();
  empty_alpn.alpn_preferred_protocols = Strings{};
  EXPECT_EQ(listen_error(empty_alpn).option, "alpn_preferred_protocols");
  Options blank = client_options();
  blank.alpn_advertised_protocols = Strings{"h2", ""};
  Error e = connect_error(blank);
  EXPECT_EQ(e.kind, Error::Kind::options);
  EXPECT_EQ(e.option, "alpn_advertised_protocols");
  EXPECT_NE(format_error(e).find("alpn_advertised_protocols"), std::string::npos);
  Options npn = server_options();
  npn.next_protocols_advertised = Strings{""};
  EXPECT_EQ(listen_error(npn).option, "next_protocols_advertised");
  Options pref = client_options();
  pref.client_preferred_next_protocols = NextProtocolPreference{};
  EXPECT_EQ(connect_error(pref).option, "client_preferred_next_protocols");
  Options both = server_options();
  both.sni_hosts = {{"a.test", SniOptions{}}};
  both.sni_fun = [](std::string_view) { return std::optional<SniOptions>(); };
  Error ex = listen_error(both);
  EXPECT_EQ(ex.option, "sni_fun");
  EXPECT_NE(ex.detail.find("sni_hosts"), std::string::npos);
  Options bad_host = server_options();
  SniOptions missing;
  missing.certfile = "/nonexistent.pem";
  bad_host.sni_hosts = {{"a.test", missing}};
  Error eh = listen_error(bad_host);
  EXPECT_EQ(eh.option, "sni_hosts");
  EXPECT_NE(eh.detail.find("certfile"), std::string::npos) << eh.detail;
}

}  // namespace
}  // namespace essl::test
