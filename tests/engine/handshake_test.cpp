// Whole handshakes between two engines: versions x key exchanges x ciphers x authentication, full and
// resumed, with data both ways; and the negotiation failures.
#include <gtest/gtest.h>

#include "engine_test_util.hpp"

namespace essl::test {
namespace {

struct Case {
  Version version;
  uint16_t suite;
  bool mutual;
};

std::string case_name(const testing::TestParamInfo<Case>& p) {
  std::string v(version_atom(p.param.version));
  for (char& ch : v)
    if (ch == '.') ch = '_';
  return v + "_" + std::string(find_suite(p.param.suite)->erlang) + (p.param.mutual ? "_mutual" : "_server_auth");
}

std::vector<Case> matrix() {
  // {cbc, gcm} per key exchange: rsa, dhe_rsa, ecdhe_rsa, ecdhe_ecdsa.
  const uint16_t cbc[] = {0x002F, 0x0033, 0xC013, 0xC009};
  const uint16_t gcm[] = {0x009C, 0x009E, 0xC02F, 0xC02B};
  std::vector<Case> out;
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2})
    for (bool mutual : {false, true})
      for (size_t k = 0; k < 4; ++k) {
        out.push_back({v, cbc[k], mutual});
        if (v == Version::tlsv1_2) out.push_back({v, gcm[k], mutual});
      }
  // SHA-384 PRF and a CBC-SHA256 suite at TLS 1.2.
  out.push_back({Version::tlsv1_2, 0xC030, false});
  out.push_back({Version::tlsv1_2, 0xC023, true});
  return out;
}

class Matrix : public testing::TestWithParam<Case> {};

TEST_P(Matrix, FullThenResumedWithDataBothWays) {
  const Case& k = GetParam();
  const SuiteInfo* suite = find_suite(k.suite);
  ASSERT_NE(suite, nullptr);
  bool ecdsa = suite->spec.key_exchange == KeyExchange::ecdhe_ecdsa;

  Options so = server_options(ecdsa ? "server-ecdsa" : "server-rsa");
  so.versions = {k.version};
  so.ciphers = std::vector<SuiteSpec>{suite->spec};
  so.cacertfile = data_path("ca.pem");
  if (k.mutual) {
    so.verify = Verify::verify_peer;
    so.fail_if_no_peer_cert = true;
  }
  Options co;
  co.versions = {k.version};
  co.ciphers = std::vector<SuiteSpec>{suite->spec};
  co.cacertfile = data_path("ca.pem");
  co.verify = Verify::verify_peer;
  if (k.mutual) {
    std::string leaf = ecdsa ? "client-ecdsa" : "client-rsa";
    co.certfile = data_path(leaf + ".pem");
    co.keyfile = data_path(leaf + "-key.pem");
  }
  auto sc = make_config(Role::server, so);
  auto cc = make_config(Role::client, co);
  ASSERT_TRUE(sc && cc);

  for (bool resumed : {false, true}) {
    SCOPED_TRACE(resumed ? "resumed" : "full");
    Pair p(cc, sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
    ASSERT_TRUE(p.server.handshake_done()) << describe(p.server.error());
    EXPECT_EQ(p.client.state_name(), "connection");
    ConnectionInfo ci = p.client.info(), si = p.server.info();
    EXPECT_EQ(ci.protocol, k.version);
    EXPECT_EQ(si.protocol, k.version);
    EXPECT_EQ(ci.cipher_suite_name, suite->erlang);
    EXPECT_EQ(si.cipher_suite_name, suite->erlang);
    EXPECT_EQ(ci.resumed, resumed);
    EXPECT_EQ(si.resumed, resumed);
    EXPECT_EQ(ci.session_id, si.session_id);
    EXPECT_EQ(ci.client_random, si.client_random);
    EXPECT_FALSE(p.client.peer_certificates().empty());
    EXPECT_EQ(p.server.peer_certificates().empty(), !k.mutual);

    transfer(p, true, pattern(5, 1));
    transfer(p, false, pattern(40000, 2));  // > 16 KiB: several records
    transfer(p, true, pattern(70000, 3));
    transfer(p, false, pattern(1, 4));

    p.client.close();
    p.pump();
    EXPECT_TRUE(p.server.peer_closed());
    EXPECT_TRUE(p.client.peer_closed());
    EXPECT_FALSE(p.client.error()) << describe(p.client.error());
    EXPECT_FALSE(p.server.error()) << describe(p.server.error());
    EXPECT_FALSE(p.client.send(pattern(3, 0)).ok());
  }
}

INSTANTIATE_TEST_SUITE_P(Engine, Matrix, testing::ValuesIn(matrix()), case_name);

TEST(Handshake, DefaultsNegotiateTls12) {
  auto sc = make_config(Role::server, server_options());
  auto cc = make_config(Role::client, Options{});
  Pair p(cc, sc);
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_EQ(p.client.info().protocol, Version::tlsv1_2);
  EXPECT_EQ(p.client.info().cipher_suite->key_exchange, KeyExchange::ecdhe_rsa);
  EXPECT_EQ(p.server.info().sni_hostname, "localhost");
}

TEST(Handshake, OpenSslStyleCipherString) {
  Options so = server_options();
  so.ciphers = std::string("AES128-SHA:DHE-RSA-AES256-SHA");
  auto sc = make_config(Role::server, so);
  Options co;
  co.ciphers = std::string("DHE-RSA-AES256-SHA");
  auto cc = make_config(Role::client, co);
  Pair p(cc, sc);
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_EQ(p.client.info().cipher_suite_name, "dhe_rsa_aes_256_cbc_sha");
}

TEST(Handshake, HonorCipherOrder) {
  Options so = server_options();
  so.ciphers = std::vector<SuiteSpec>{find_suite(0x0035)->spec, find_suite(0x002F)->spec};
  so.honor_cipher_order = true;
  Options co;
  co.ciphers = std::vector<SuiteSpec>{find_suite(0x002F)->spec, find_suite(0x0035)->spec};
  Pair p(make_config(Role::client, co), make_config(Role::server, so));
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done());
  EXPECT_EQ(p.client.info().cipher_suite_name, "rsa_aes_256_cbc_sha");
}

TEST(Handshake, VerifyPeerUnknownCa) {
  auto sc = make_config(Role::server, server_options());
  Options co;
  co.verify = Verify::verify_peer;
  co.cacertfile = data_path("other-ca.pem");
  Pair p(make_config(Role::client, co), sc);
  p.handshake();
  expect_sent(p.client, AlertDescription::unknown_ca);
  EXPECT_EQ(p.client.error()->state, "certify");
  expect_received(p.server, AlertDescription::unknown_ca);
}

TEST(Handshake, ServerVerifyPeerRejectsUnknownClientCa) {
  Options so = server_options();
  so.verify = Verify::verify_peer;
  so.cacertfile = data_path("other-ca.pem");
  Options co;
  co.certfile = data_path("client-rsa.pem");
  co.keyfile = data_path("client-rsa-key.pem");
  Pair p(make_config(Role::client, co), make_config(Role::server, so));
  p.handshake();
  expect_sent(p.server, AlertDescription::unknown_ca);
  expect_received(p.client, AlertDescription::unknown_ca);
}

TEST(Handshake, FailIfNoPeerCert) {
  Options so = server_options();
  so.verify = Verify::verify_peer;
  so.fail_if_no_peer_cert = true;
  so.cacertfile = data_path("ca.pem");
  Pair p(make_config(Role::client, Options{}), make_config(Role::server, so));
  p.handshake();
  expect_sent(p.server, AlertDescription::handshake_failure);
  expect_received(p.client, AlertDescription::handshake_failure);
}

TEST(Handshake, EmptyClientCertificateAcceptedWithoutFailIfNoPeerCert) {
  Options so = server_options();
  so.verify = Verify::verify_peer;
  so.cacertfile = data_path("ca.pem");
  Pair p(make_config(Role::client, Options{}), make_config(Role::server, so));
  p.handshake();
  EXPECT_TRUE(p.server.handshake_done()) << describe(p.server.error());
  EXPECT_TRUE(p.server.peer_certificates().empty());
}

TEST(Handshake, VersionMismatchIsProtocolVersion) {
  Options so = server_options();
  so.versions = {Version::tlsv1_2};
  Options co;
  co.versions = {Version::tlsv1};
  Pair p(make_config(Role::client, co), make_config(Role::server, so));
  p.client.start();
  p.server.feed(take_output(p.client));
  expect_plain_fatal_alert(p.server.pending_output(), AlertDescription::protocol_version);
  expect_sent(p.server, AlertDescription::protocol_version);
  EXPECT_EQ(p.server.error()->state, "hello");
  p.pump();
  expect_received(p.client, AlertDescription::protocol_version);
}

TEST(Handshake, HigherClientVersionNegotiatesDown) {
  Options so = server_options();
  so.versions = {Version::tlsv1_1};
  Pair p(make_config(Role::client, Options{}), make_config(Role::server, so));
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_EQ(p.client.info().protocol, Version::tlsv1_1);
}

TEST(Handshake, NoCommonSuiteIsInsufficientSecurity) {
  Options co;
  co.ciphers = std::vector<SuiteSpec>{find_suite(0xC02B)->spec};  // ECDSA only; the server has RSA
  Pair p(make_config(Role::client, co), make_config(Role::server, server_options()));
  p.client.start();
  p.server.feed(take_output(p.client));
  expect_plain_fatal_alert(p.server.pending_output(), AlertDescription::insufficient_security);
  expect_sent(p.server, AlertDescription::insufficient_security);
  p.pump();
  expect_received(p.client, AlertDescription::insufficient_security);
}

TEST(Handshake, FallbackScsvRefused) {
  Options co;
  co.versions = {Version::tlsv1_1};
  co.fallback = true;
  Pair p(make_config(Role::client, co), make_config(Role::server, server_options()));
  p.handshake();
  expect_sent(p.server, AlertDescription::inappropriate_fallback);
}

TEST(Handshake, ResumptionNotOfferedUnderOtherVerifySettings) {
  auto sc = make_config(Role::server, server_options());
  auto cache = SessionStore::memory(Role::client);
  Options lax;
  auto c1 = Config::make(Role::client, lax, cache);
  ASSERT_TRUE(c1.ok());
  {
    Pair p(c1.value(), sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done());
  }
  Options strict;
  strict.verify = Verify::verify_peer;
  strict.cacertfile = data_path("other-ca.pem");
  auto c2 = Config::make(Role::client, strict, cache);
  ASSERT_TRUE(c2.ok());
  Pair p(c2.value(), sc);
  p.handshake();
  // A resumption would have skipped path validation; a full handshake must fail it.
  expect_sent(p.client, AlertDescription::unknown_ca);
}

TEST(Handshake, ServerRefusesUnknownSessionAndDoesFullHandshake) {
  auto cc = make_config(Role::client, Options{});
  {
    Pair p(cc, make_config(Role::server, server_options()));
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done());
  }
  // A new server (empty cache) gets the old session id and answers with a full handshake.
  Pair p(cc, make_config(Role::server, server_options()));
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_FALSE(p.client.info().resumed);
}

TEST(Handshake, SecureRenegotiateRequiresRfc5746) {
  Options so = server_options();
  so.secure_renegotiate = true;
  Pair p(make_config(Role::client, Options{}), make_config(Role::server, so));
  p.handshake();
  EXPECT_TRUE(p.server.handshake_done()) << describe(p.server.error());
}

TEST(Handshake, ByteAtATime) {
  Pair p(make_config(Role::client, Options{}), make_config(Role::server, server_options()));
  p.client.start();
  for (int i = 0; i < 20 && !(p.client.handshake_done() && p.server.handshake_done()); ++i) {
    for (uint8_t b : take_output(p.client)) p.server.feed(codec::ByteView(&b, 1));
    for (uint8_t b : take_output(p.server)) p.client.feed(codec::ByteView(&b, 1));
  }
  EXPECT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_TRUE(p.server.handshake_done()) << describe(p.server.error());
}

TEST(Config, OptionErrorsNameTheOption) {
  Options o;
  o.certfile = data_path("no-such-file.pem");
  auto c = Config::make(Role::server, o);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().kind, Error::Kind::options);
  EXPECT_EQ(c.error().option, "certfile");

  Options mismatch = server_options();
  mismatch.keyfile = data_path("server-ecdsa-key.pem");
  auto m = Config::make(Role::server, mismatch);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().option, "keyfile");

  Options bad_cipher;
  bad_cipher.ciphers = std::string("NOT-A-SUITE");
  auto b = Config::make(Role::client, bad_cipher);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().option, "ciphers");

  Options no_ca;
  no_ca.verify = Verify::verify_peer;
  auto n = Config::make(Role::client, no_ca);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.error().option, "cacertfile");

  Options dh = server_options();
  dh.dhfile = data_path("dh2048.pem");
  EXPECT_TRUE(Config::make(Role::server, dh).ok());
}

TEST(Config, DefaultsFilteredByVersion) {
  Options o;
  o.versions = {Version::tlsv1};
  auto c = make_config(Role::client, o);
  ASSERT_TRUE(c);
  for (const SuiteInfo* s : c->suites) EXPECT_LE(s->min_version, Version::tlsv1) << s->erlang;
  EXPECT_FALSE(c->suites.empty());
}

}  // namespace
}  // namespace essl::test
