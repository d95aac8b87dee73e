// SNI (RFC 6066), ALPN (RFC 7301) and NPN (draft-agl-tls-nextprotoneg-04) between two engines: what each
// side sends, chooses and reports, the per-host configurations of sni_hosts and sni_fun, the option
// checks, and the alerts for broken or unwanted answers.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "codecs/certificate.hpp"
#include "codecs/extensions.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "crypto_glue/certs.hpp"
#include "engine_test_util.hpp"
#include "statemachine/table.hpp"

namespace essl::test {
namespace {

using codec::ExtensionType;
using Strings = std::vector<std::string>;

// Two engines with a chosen host name on the client side (Pair always uses "localhost").
struct Conn2 {
  Engine client;
  Engine server;
  Conn2(std::shared_ptr<const Config> c, std::shared_ptr<const Config> s, const std::string& host = "localhost")
      : client(std::move(c), PeerId{host, 4433}), server(std::move(s), PeerId{"127.0.0.1", 50000}) {}
  void pump() {
    for (int i = 0; i < 100; ++i) {
      bool moved = false;
      if (!client.pending_output().empty()) {
        server.feed(take_output(client));
        moved = true;
      }
      if (!server.pending_output().empty()) {
        client.feed(take_output(server));
        moved = true;
      }
      if (!moved) return;
    }
  }
  void run() {
    client.start();
    pump();
  }
  bool ok() const { return client.handshake_done() && server.handshake_done(); }
  std::string why() const { return describe(client.error()) + " / " + describe(server.error()); }
};

// The handshake messages in plaintext handshake records, as (type, body).
std::vector<std::pair<codec::HandshakeType, codec::Bytes>> messages(const codec::Bytes& out) {
  std::vector<std::pair<codec::HandshakeType, codec::Bytes>> v;
  codec::Bytes hs;
  for (size_t at = 0; at + 5 <= out.size();) {
    size_t n = size_t(out[at + 3]) << 8 | out[at + 4];
    if (out[at] == 22) hs.insert(hs.end(), out.begin() + long(at + 5), out.begin() + long(at + 5 + n));
    if (out[at] != 22) break;  // ChangeCipherSpec: what follows is encrypted
    at += 5 + n;
  }
  for (size_t at = 0; at + 4 <= hs.size();) {
    size_t n = size_t(hs[at + 1]) << 16 | size_t(hs[at + 2]) << 8 | hs[at + 3];
    auto body = hs.begin() + long(at + 4);
    v.emplace_back(codec::HandshakeType(hs[at]), codec::Bytes(body, body + long(n)));
    at += 4 + n;
  }
  return v;
}

codec::ServerHello server_hello_of(const codec::Bytes& flight) {
  auto ms = messages(flight);
  EXPECT_FALSE(ms.empty());
  EXPECT_EQ(ms.front().first, codec::HandshakeType::server_hello);
  auto sh = codec::decode_server_hello(ms.front().second);
  EXPECT_TRUE(sh.ok());
  return sh.ok() ? sh.value() : codec::ServerHello{};
}

codec::ClientHello client_hello_of(const codec::Bytes& flight) {
  auto ms = messages(flight);
  EXPECT_FALSE(ms.empty());
  auto ch = codec::decode_client_hello(ms.front().second);
  EXPECT_TRUE(ch.ok());
  return ch.ok() ? ch.value() : codec::ClientHello{};
}

// Runs the first round by hand and returns the server's first flight (then finishes the handshake).
codec::Bytes first_server_flight(Conn2& p) {
  p.client.start();
  p.server.feed(take_output(p.client));
  codec::Bytes flight = take_output(p.server);
  p.client.feed(flight);
  p.pump();
  return flight;
}

codec::Bytes leaf_der(const std::string& leaf) {
  std::ifstream f(data_path(leaf + ".pem"), std::ios::binary);
  codec::Bytes pem((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto certs = crypto::parse_certificates(pem);
  EXPECT_TRUE(certs.ok() && !certs->empty());
  return certs.ok() && !certs->empty() ? certs->front().der() : codec::Bytes{};
}

std::shared_ptr<const Config> server_cfg(Options o = server_options()) { return make_config(Role::server, o); }
std::shared_ptr<const Config> client_cfg(Options o = {}) { return make_config(Role::client, o); }

SniOptions ecdsa_host() {
  SniOptions h;
  h.certfile = data_path("server-ecdsa.pem");
  h.keyfile = data_path("server-ecdsa-key.pem");
  return h;
}

Error config_error(Role role, const Options& o) {
  auto c = Config::make(role, o);
  EXPECT_FALSE(c.ok());
  return c.ok() ? Error{} : c.error();
}

// ---------------------------------------------------------------- SNI

TEST(Sni, ClientSendsTheHostItConnectsTo) {
  Conn2 p(client_cfg(), server_cfg(), "www.example.com");
  p.run();
  ASSERT_TRUE(p.ok()) << p.why();
  EXPECT_EQ(p.server.info().sni_hostname, "www.example.com");
  EXPECT_EQ(p.client.info().sni_hostname, "www.example.com");
}

TEST(Sni, NoNameForIpLiterals) {
  for (std::string ip : {"127.0.0.1", "::1", "fe80::1%eth0"}) {
    SCOPED_TRACE(ip);
    Conn2 p(client_cfg(), server_cfg(), ip);
    p.client.start();
    codec::ClientHello ch = client_hello_of(take_output(p.client));
    EXPECT_EQ(codec::find_extension(ch.extensions, ExtensionType::server_name), nullptr);
  }
  Conn2 p(client_cfg(), server_cfg(), "127.0.0.1");
  p.run();
  ASSERT_TRUE(p.ok()) << p.why();
  EXPECT_FALSE(p.server.info().sni_hostname);
  EXPECT_FALSE(p.client.info().sni_hostname);
}

TEST(Sni, OptionSetsOrDisablesTheName) {
  Options set;
  set.server_name_indication = std::string("named.example");
  Conn2 a(client_cfg(set), server_cfg(), "127.0.0.1");
  a.run();
  ASSERT_TRUE(a.ok()) << a.why();
  EXPECT_EQ(a.server.info().sni_hostname, "named.example");

  Options off;
  off.server_name_indication = DisableSni{};
  Conn2 b(client_cfg(off), server_cfg(), "localhost");
  b.client.start();
  codec::ClientHello ch = client_hello_of(take_output(b.client));
  EXPECT_EQ(codec::find_extension(ch.extensions, ExtensionType::server_name), nullptr);
}

TEST(Sni, PlainServerDoesNotAcknowledgeTheName) {
  // The name chose nothing, so the server does not say it used it (RFC 6066 3).
  Conn2 p(client_cfg(), server_cfg());
  codec::ServerHello sh = server_hello_of(first_server_flight(p));
  ASSERT_TRUE(p.ok()) << p.why();
  EXPECT_EQ(codec::find_extension(sh.extensions, ExtensionType::server_name), nullptr);
  EXPECT_EQ(p.server.info().sni_hostname, "localhost");
}

TEST(Sni, HostsSelectTheCertificateAndAcknowledge) {
  Options so = server_options();
  so.sni_hosts = {{"ecdsa.example", ecdsa_host()}};
  auto sc = server_cfg(so);
  {
    Conn2 p(client_cfg(), sc, "ECDSA.example");  // names compare case-insensitively
    codec::ServerHello sh = server_hello_of(first_server_flight(p));
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(p.client.peer_certificates().front(), leaf_der("server-ecdsa"));
    EXPECT_EQ(p.client.info().cipher_suite->key_exchange, KeyExchange::ecdhe_ecdsa);
    const codec::Extension* e = codec::find_extension(sh.extensions, ExtensionType::server_name);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->data.empty());
    EXPECT_EQ(p.server.info().sni_hostname, "ECDSA.example");
  }
  {
    // An unknown name: the base options, no alert, no acknowledgement.
    Conn2 p(client_cfg(), sc, "other.example");
    codec::Bytes flight = first_server_flight(p);
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(flight[0], 22);  // a handshake record first: no warning alert
    EXPECT_EQ(codec::find_extension(server_hello_of(flight).extensions, ExtensionType::server_name), nullptr);
    EXPECT_EQ(p.client.peer_certificates().front(), leaf_der("server-rsa"));
    EXPECT_EQ(p.server.info().sni_hostname, "other.example");
  }
  {
    // No name at all: the base options.
    Conn2 p(client_cfg(), sc, "127.0.0.1");
    p.run();
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(p.client.peer_certificates().front(), leaf_der("server-rsa"));
  }
}

TEST(Sni, HostOptionsOverrideVerification) {
  // The base does not ask for a client certificate; strict.example requires one.
  SniOptions strict;
  strict.verify = Verify::verify_peer;
  strict.fail_if_no_peer_cert = true;
  strict.cacertfile = data_path("ca.pem");
  Options so = server_options();
  so.sni_hosts = {{"strict.example", strict}};
  auto sc = server_cfg(so);
  Conn2 relaxed(client_cfg(), sc, "relaxed.example");
  relaxed.run();
  EXPECT_TRUE(relaxed.ok()) << relaxed.why();

  Conn2 refused(client_cfg(), sc, "strict.example");
  refused.run();
  expect_sent(refused.server, AlertDescription::handshake_failure);

  Options with_cert;
  with_cert.certfile = data_path("client-rsa.pem");
  with_cert.keyfile = data_path("client-rsa-key.pem");
  Conn2 authed(client_cfg(with_cert), sc, "strict.example");
  authed.run();
  ASSERT_TRUE(authed.ok()) << authed.why();
  EXPECT_FALSE(authed.server.peer_certificates().empty());
}

TEST(Sni, FunIsAskedEveryHandshakeAndItsAnswerUsed) {
  std::vector<std::string> asked;
  Options so = server_options();
  so.sni_fun = [&](std::string_view host) -> std::optional<SniOptions> {
    asked.emplace_back(host);
    if (host == "ecdsa.example") return ecdsa_host();
    return std::nullopt;
  };
  so.reuse_sessions = false;
  auto sc = server_cfg(so);
  for (int round = 0; round < 2; ++round) {
    Conn2 p(client_cfg(), sc, "ecdsa.example");
    p.run();
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(p.client.peer_certificates().front(), leaf_der("server-ecdsa"));
  }
  Conn2 other(client_cfg(), sc, "plain.example");
  other.run();
  ASSERT_TRUE(other.ok()) << other.why();
  EXPECT_EQ(other.client.peer_certificates().front(), leaf_der("server-rsa"));
  EXPECT_EQ(asked, (Strings{"ecdsa.example", "ecdsa.example", "plain.example"}));
}

TEST(Sni, FunFailuresEndTheHandshakeWithAnAlert) {
  Options throws = server_options();
  throws.sni_fun = [](std::string_view) -> std::optional<SniOptions> { throw std::runtime_error("boom"); };
  Conn2 a(client_cfg(), server_cfg(throws), "x.example");
  a.run();
  expect_sent(a.server, AlertDescription::internal_error);
  expect_received(a.client, AlertDescription::internal_error);

  Options bad_file = server_options();
  bad_file.sni_fun = [](std::string_view) -> std::optional<SniOptions> {
    SniOptions h;
    h.certfile = "/nonexistent/cert.pem";
    return h;
  };
  Conn2 b(client_cfg(), server_cfg(bad_file), "x.example");
  b.run();
  expect_sent(b.server, AlertDescription::internal_error);
  EXPECT_NE(b.server.error()->detail.find("certfile"), std::string::npos) << describe(b.server.error());
}

TEST(Sni, OptionErrorsNameTheOption) {
  Options both = server_options();
  both.sni_hosts = {{"a.example", ecdsa_host()}};
  both.sni_fun = [](std::string_view) { return std::optional<SniOptions>(); };
  EXPECT_EQ(config_error(Role::server, both).option, "sni_fun");

  Options empty_host = server_options();
  empty_host.sni_hosts = {{"", ecdsa_host()}};
  EXPECT_EQ(config_error(Role::server, empty_host).option, "sni_hosts");

  Options bad_file = server_options();
  SniOptions h;
  h.keyfile = "/nonexistent/key.pem";
  bad_file.sni_hosts = {{"a.example", h}};
  Error e = config_error(Role::server, bad_file);
  EXPECT_EQ(e.option, "sni_hosts");
  EXPECT_NE(e.detail.find("a.example"), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("keyfile"), std::string::npos) << e.detail;

  Options twice = server_options();
  twice.sni_hosts = {{"a.example", ecdsa_host()}, {"A.example", ecdsa_host()}};
  EXPECT_EQ(config_error(Role::server, twice).option, "sni_hosts");
}

TEST(Sni, MergeReplacesOnlyTheSetFields) {
  Options base = server_options();
  base.cert = {1, 2, 3};
  base.depth = 4;
  base.verify = Verify::verify_peer;
  SniOptions h;
  h.certfile = "host.pem";
  h.verify = Verify::verify_none;
  Options m = merge_sni_options(base, h);
  EXPECT_TRUE(m.cert.empty());  // cert and certfile are replaced together
  EXPECT_EQ(m.certfile, "host.pem");
  EXPECT_EQ(m.keyfile, base.keyfile);
  EXPECT_EQ(m.verify, Verify::verify_none);
  EXPECT_EQ(m.depth, 4);
}

TEST(Sni, ResumptionNeedsTheSameName) {
  auto cache = SessionStore::memory(Role::client);
  Options a, b;
  a.server_name_indication = std::string("a.example");
  b.server_name_indication = std::string("b.example");
  auto ca = Config::make(Role::client, a, cache).value();
  auto cb = Config::make(Role::client, b, cache).value();
  Options so = server_options();
  so.sni_hosts = {{"a.example", ecdsa_host()}};
  auto sc = server_cfg(so);
  Conn2 first(ca, sc);
  first.run();
  ASSERT_TRUE(first.ok()) << first.why();
  Conn2 other_name(cb, sc);  // a.example's session was made under other settings: not offered
  other_name.run();
  ASSERT_TRUE(other_name.ok()) << other_name.why();
  EXPECT_FALSE(other_name.server.info().resumed);
  Conn2 again(ca, sc);  // both sessions are cached for this host and port; a.example's fits
  again.run();
  ASSERT_TRUE(again.ok()) << again.why();
  EXPECT_TRUE(again.server.info().resumed);
  EXPECT_EQ(again.client.info().session_id, first.client.info().session_id);
  Conn2 resumed(ca, sc);
  codec::ServerHello sh = server_hello_of(first_server_flight(resumed));
  ASSERT_TRUE(resumed.ok()) << resumed.why();
  EXPECT_TRUE(resumed.server.info().resumed);
  EXPECT_EQ(resumed.server.info().sni_hostname, "a.example");
  // RFC 6066 3: no server_name in a resumed ServerHello.
  EXPECT_EQ(codec::find_extension(sh.extensions, ExtensionType::server_name), nullptr);
}

TEST(Sni, ClientIgnoresWarningUnrecognizedName) {
  Conn2 p(client_cfg(), server_cfg());
  p.client.start();
  p.server.feed(take_output(p.client));
  codec::Bytes flight = {21, 3, 3, 0, 2, 1, uint8_t(AlertDescription::unrecognized_name)};
  codec::Bytes rest = take_output(p.server);
  flight.insert(flight.end(), rest.begin(), rest.end());
  p.client.feed(flight);
  p.pump();
  EXPECT_TRUE(p.ok()) << p.why();
}

// ---------------------------------------------------------------- ALPN

// Client options, or the test server's, with one field set.
template <class T, class V>
Options client_with(T Options::*field, V value) {
  Options o;
  o.*field = std::move(value);
  return o;
}
template <class T, class V>
Options server_with(T Options::*field, V value) {
  Options o = server_options();
  o.*field = std::move(value);
  return o;
}

Options alpn_client(Strings offered) { return client_with(&Options::alpn_advertised_protocols, std::move(offered)); }
Options alpn_server(Strings preferred) { return server_with(&Options::alpn_preferred_protocols, std::move(preferred)); }

TEST(Alpn, ServerPicksItsFirstThatTheClientOffers) {
  Conn2 p(client_cfg(alpn_client({"h2", "spdy/3", "http/1.1"})), server_cfg(alpn_server({"http/1.1", "h2"})));
  codec::ServerHello sh = server_hello_of(first_server_flight(p));
  ASSERT_TRUE(p.ok()) << p.why();
  EXPECT_EQ(p.client.negotiated_protocol(), "http/1.1");
  EXPECT_EQ(p.server.negotiated_protocol(), "http/1.1");
  const codec::Extension* e = codec::find_extension(sh.extensions, ExtensionType::alpn);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(codec::decode_alpn(e->data)->names, Strings{"http/1.1"});
}

TEST(Alpn, NoCommonProtocolIsFatal) {
  Conn2 p(client_cfg(alpn_client({"h2"})), server_cfg(alpn_server({"http/1.1"})));
  p.run();
  expect_sent(p.server, AlertDescription::no_application_protocol);
  expect_received(p.client, AlertDescription::no_application_protocol);
}

TEST(Alpn, OneSideOnlyNegotiatesNothing) {
  Conn2 a(client_cfg(alpn_client({"h2"})), server_cfg());
  codec::ServerHello sh = server_hello_of(first_server_flight(a));
  ASSERT_TRUE(a.ok()) << a.why();
  EXPECT_FALSE(a.client.negotiated_protocol());
  EXPECT_EQ(codec::find_extension(sh.extensions, ExtensionType::alpn), nullptr);
  Conn2 b(client_cfg(), server_cfg(alpn_server({"h2"})));
  b.run();
  ASSERT_TRUE(b.ok()) << b.why();
  EXPECT_FALSE(b.server.negotiated_protocol());
}

TEST(Alpn, NegotiatedAgainOnResumption) {
  auto cc = client_cfg(alpn_client({"h2", "http/1.1"}));
  auto sc = server_cfg(alpn_server({"h2"}));
  for (bool resumed : {false, true}) {
    Conn2 p(cc, sc);
    p.run();
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(p.client.info().resumed, resumed);
    EXPECT_EQ(p.client.negotiated_protocol(), "h2");
    EXPECT_EQ(p.server.negotiated_protocol(), "h2");
  }
}

// A client offering one suite at TLS 1.2, fed a ServerHello carrying `exts`.
void client_gets_server_hello(const Options& extra, std::vector<codec::Extension> exts, AlertDescription want) {
  Options o = extra;
  o.versions = {Version::tlsv1_2};
  o.ciphers = std::vector<SuiteSpec>{find_suite(0xC02F)->spec};
  Engine c(client_cfg(o), PeerId{"localhost", 443});
  c.start();
  take_output(c);
  codec::ServerHello sh;
  sh.server_version = 0x0303;
  sh.random.fill(7);
  sh.cipher_suite = 0xC02F;
  sh.compression_method = 0;
  sh.extensions_present = true;
  sh.extensions = std::move(exts);
  codec::Bytes body, msg;
  codec::Writer wb(body), wm(msg);
  codec::encode_server_hello(sh, wb);
  codec::encode_handshake(codec::HandshakeType::server_hello, body, wm);
  codec::Bytes rec = {22, 3, 3, uint8_t(msg.size() >> 8), uint8_t(msg.size())};
  rec.insert(rec.end(), msg.begin(), msg.end());
  c.feed(rec);
  expect_plain_fatal_alert(c.pending_output(), want);
  expect_sent(c, want);
}

codec::Extension alpn_ext(Strings names) {
  codec::Bytes b;
  codec::Writer w(b);
  codec::encode_alpn(codec::ProtocolNameList{std::move(names)}, w);
  return {uint16_t(ExtensionType::alpn), b};
}
codec::Extension npn_ext(Strings names) {
  codec::Bytes b;
  codec::Writer w(b);
  codec::encode_npn_protocols(codec::ProtocolNameList{std::move(names)}, w);
  return {uint16_t(ExtensionType::next_protocol_negotiation), b};
}

NextProtocolPreference npn_pref(NextProtocolPreference::Precedence p, Strings prefs,
                                std::optional<std::string> dflt = std::nullopt) {
  NextProtocolPreference n;
  n.precedence = p;
  n.protocols = std::move(prefs);
  n.default_protocol = std::move(dflt);
  return n;
}

TEST(Alpn, ClientRefusesBadServerAnswers) {
  client_gets_server_hello({}, {alpn_ext({"h2"})}, AlertDescription::unsupported_extension);
  client_gets_server_hello(alpn_client({"h2"}), {alpn_ext({"http/1.1"})}, AlertDescription::illegal_parameter);
  client_gets_server_hello(alpn_client({"h2", "x"}), {alpn_ext({"h2", "x"})}, AlertDescription::handshake_failure);
  codec::Extension empty{uint16_t(ExtensionType::alpn), {}};
  client_gets_server_hello(alpn_client({"h2"}), {empty}, AlertDescription::decode_error);
  // Both ALPN and NPN in one ServerHello.
  Options both = alpn_client({"h2"});
  both.client_preferred_next_protocols = npn_pref(NextProtocolPreference::Precedence::client, {"h2"});
  client_gets_server_hello(both, {alpn_ext({"h2"}), npn_ext({"h2"})}, AlertDescription::illegal_parameter);
  client_gets_server_hello(both, {npn_ext({"h2"}), alpn_ext({"h2"})}, AlertDescription::illegal_parameter);
  client_gets_server_hello({}, {npn_ext({"h2"})}, AlertDescription::unsupported_extension);
}

TEST(Alpn, OptionErrorsNameTheOption) {
  struct Bad {
    Options o;
    Role role;
    std::string option;
  };
  std::vector<Bad> cases;
  cases.push_back({alpn_client({}), Role::client, "alpn_advertised_protocols"});
  cases.push_back({alpn_client({"h2", ""}), Role::client, "alpn_advertised_protocols"});
  cases.push_back({alpn_client({std::string(256, 'x')}), Role::client, "alpn_advertised_protocols"});
  cases.push_back({alpn_server({}), Role::server, "alpn_preferred_protocols"});
  cases.push_back({alpn_server({""}), Role::server, "alpn_preferred_protocols"});
  Options npn_empty = server_options();
  npn_empty.next_protocols_advertised = Strings{};
  cases.push_back({npn_empty, Role::server, "next_protocols_advertised"});
  Options npn_blank = server_options();
  npn_blank.next_protocols_advertised = Strings{"a", ""};
  cases.push_back({npn_blank, Role::server, "next_protocols_advertised"});
  Options pref_empty;
  pref_empty.client_preferred_next_protocols = npn_pref(NextProtocolPreference::Precedence::server, {});
  cases.push_back({pref_empty, Role::client, "client_preferred_next_protocols"});
  Options pref_blank_default;
  pref_blank_default.client_preferred_next_protocols =
      npn_pref(NextProtocolPreference::Precedence::server, {"a"}, std::string());
  cases.push_back({pref_blank_default, Role::client, "client_preferred_next_protocols"});
  Options host_alpn = server_options();
  SniOptions h;
  h.alpn_preferred_protocols = Strings{""};
  host_alpn.sni_hosts = {{"a.example", h}};
  cases.push_back({host_alpn, Role::server, "sni_hosts"});
  for (const Bad& b : cases) EXPECT_EQ(config_error(b.role, b.o).option, b.option);
}

// ---------------------------------------------------------------- NPN

Options npn_client(NextProtocolPreference p) { return client_with(&Options::client_preferred_next_protocols, std::move(p)); }
Options npn_server(Strings advertised) { return server_with(&Options::next_protocols_advertised, std::move(advertised)); }

using P = NextProtocolPreference::Precedence;

TEST(Npn, PrecedenceDecidesTheChoice) {
  struct Case {
    NextProtocolPreference pref;
    Strings advertised;
    std::string want;
  };
  const Case cases[] = {
      {npn_pref(P::client, {"http/1.1", "h2"}), {"h2", "http/1.1"}, "http/1.1"},
      {npn_pref(P::server, {"http/1.1", "h2"}), {"h2", "http/1.1"}, "h2"},
      {npn_pref(P::client, {"x", "y"}), {"h2"}, "x"},                // nothing in common: the client's first
      {npn_pref(P::server, {"x", "y"}, "dflt"), {"h2"}, "dflt"},     // ... or the default
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.want);
    Conn2 p(client_cfg(npn_client(k.pref)), server_cfg(npn_server(k.advertised)));
    codec::ServerHello sh = server_hello_of(first_server_flight(p));
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(p.client.negotiated_protocol(), k.want);
    EXPECT_EQ(p.server.negotiated_protocol(), k.want);
    const codec::Extension* e = codec::find_extension(sh.extensions, ExtensionType::next_protocol_negotiation);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(codec::decode_npn_protocols(e->data)->names, k.advertised);
  }
}

TEST(Npn, WorksOnResumption) {
  auto cc = client_cfg(npn_client(npn_pref(P::client, {"h2"})));
  auto sc = server_cfg(npn_server({"h2", "http/1.1"}));
  for (bool resumed : {false, true}) {
    Conn2 p(cc, sc);
    p.run();
    ASSERT_TRUE(p.ok()) << p.why();
    EXPECT_EQ(p.server.info().resumed, resumed);
    EXPECT_EQ(p.server.negotiated_protocol(), "h2");
  }
}

TEST(Npn, ServerWithoutNpnEndsTheHandshakeUnlessADefaultIsSet) {
  Conn2 a(client_cfg(npn_client(npn_pref(P::client, {"h2"}))), server_cfg());
  a.run();
  expect_sent(a.client, AlertDescription::handshake_failure);
  Conn2 b(client_cfg(npn_client(npn_pref(P::client, {"h2"}, "http/1.1"))), server_cfg());
  b.run();
  ASSERT_TRUE(b.ok()) << b.why();
  EXPECT_EQ(b.client.negotiated_protocol(), "http/1.1");
  EXPECT_FALSE(b.server.negotiated_protocol());
}

TEST(Npn, AlpnTakesPrecedence) {
  Options co = npn_client(npn_pref(P::client, {"h2"}));
  co.alpn_advertised_protocols = Strings{"http/1.1"};
  Options so = npn_server({"h2"});
  so.alpn_preferred_protocols = Strings{"http/1.1"};
  Conn2 both(client_cfg(co), server_cfg(so));
  codec::ServerHello sh = server_hello_of(first_server_flight(both));
  ASSERT_TRUE(both.ok()) << both.why();
  EXPECT_EQ(both.client.negotiated_protocol(), "http/1.1");
  EXPECT_EQ(both.server.negotiated_protocol(), "http/1.1");
  EXPECT_EQ(codec::find_extension(sh.extensions, ExtensionType::next_protocol_negotiation), nullptr);
  // A server without ALPN answers the NPN half.
  Conn2 npn_only(client_cfg(co), server_cfg(npn_server({"h2"})));
  npn_only.run();
  ASSERT_TRUE(npn_only.ok()) << npn_only.why();
  EXPECT_EQ(npn_only.server.negotiated_protocol(), "h2");
}

TEST(Npn, ServerRefusesNonEmptyClientExtension) {
  Conn2 p(client_cfg(), server_cfg(npn_server({"h2"})));
  p.client.start();
  codec::ClientHello ch = client_hello_of(take_output(p.client));
  ch.extensions.push_back(npn_ext({"h2"}));
  codec::Bytes body, msg;
  codec::Writer wb(body), wm(msg);
  codec::encode_client_hello(ch, wb);
  codec::encode_handshake(codec::HandshakeType::client_hello, body, wm);
  codec::Bytes rec = {22, 3, 1, uint8_t(msg.size() >> 8), uint8_t(msg.size())};
  rec.insert(rec.end(), msg.begin(), msg.end());
  p.server.feed(rec);
  expect_plain_fatal_alert(p.server.pending_output(), AlertDescription::decode_error);
}

TEST(Npn, NextProtocolOnlyWhereTheTableAllowsIt) {
  using namespace table;
  // Only a server, only after the client's ChangeCipherSpec, only when NPN was answered, only once; and
  // then Finished only after it.
  for (State s : {State::s_wait_finished, State::s_abbr_wait_finished}) {
    EXPECT_EQ(find(Role::server, s, Msg::next_protocol, 0), nullptr);
    EXPECT_NE(find(Role::server, s, Msg::next_protocol, f_npn), nullptr);
    EXPECT_EQ(find(Role::server, s, Msg::next_protocol, f_npn | f_npn_received), nullptr);
    EXPECT_EQ(find(Role::server, s, Msg::finished, f_npn), nullptr);
    EXPECT_NE(find(Role::server, s, Msg::finished, f_npn | f_npn_received), nullptr);
    EXPECT_NE(find(Role::server, s, Msg::finished, 0), nullptr);
  }
  for (const Row& r : rows())
    if (r.msg == Msg::next_protocol) {
      EXPECT_EQ(r.role, Role::server);
      EXPECT_TRUE(r.state == State::s_wait_finished || r.state == State::s_abbr_wait_finished);
    }
  // On the wire: a NextProtocol in place of a ClientHello is unexpected_message.
  Engine s(server_cfg(npn_server({"h2"})), PeerId{"127.0.0.1", 1});
  s.feed(codec::Bytes{22, 3, 1, 0, 8, 67, 0, 0, 4, 2, 'h', '2', 0});
  expect_plain_fatal_alert(s.pending_output(), AlertDescription::unexpected_message);
}

// ---------------------------------------------------------------- client authentication

// A server in verify_peer asks for a certificate naming the subjects of its trusted CAs (RFC 5246
// 7.4.4 certificate_authorities), in cacertfile's order.
TEST(ClientAuth, CertificateRequestNamesTheTrustedCas) {
  Options so = server_options();
  so.verify = Verify::verify_peer;
  so.cacertfile = data_path("pkix/int-server-chain.pem");  // int-server, then int-ca
  auto sc = server_cfg(so);
  Conn2 p(client_cfg(), sc);
  const auto ms = messages(first_server_flight(p));
  std::optional<codec::CertificateRequest> cr;
  for (const auto& [type, body] : ms)
    if (type == codec::HandshakeType::certificate_request) {
      auto m = codec::decode_certificate_request(body, true);
      ASSERT_TRUE(m.ok());
      cr = m.value();
    }
  ASSERT_TRUE(cr.has_value());
  ASSERT_EQ(cr->certificate_authorities.size(), 2u);
  ASSERT_EQ(sc->trusted.size(), 2u);
  EXPECT_EQ(cr->certificate_authorities[0], sc->trusted[0].subject_dn());
  EXPECT_EQ(cr->certificate_authorities[1], sc->trusted[1].subject_dn());
  EXPECT_NE(cr->certificate_authorities[0], cr->certificate_authorities[1]);
}

}  // namespace
}  // namespace essl::test
