// Whole handshakes between two engines for the key exchanges beyond RSA and (EC)DHE with RSA/ECDSA:
// DHE with DSA certificates, static ECDH (ECDH_ECDSA, ECDH_RSA), anonymous DH and ECDH; full and
// resumed, data both ways, and the suite filtering by the server's certificate; the eccs option.
#include <gtest/gtest.h>

#include "codecs/extensions.hpp"
#include "engine_test_util.hpp"

namespace essl::test {
namespace {

struct KexCase {
  Version version;
  std::string_view suite;  // OpenSSL name
  std::string_view cert;   // the server's certfile (tests/data/<cert>.pem, key <cert>-key.pem); "" = none
};

std::string kex_case_name(const testing::TestParamInfo<KexCase>& p) {
  std::string v(version_atom(p.param.version));
  for (char& ch : v)
    if (ch == '.') ch = '_';
  return v + "_" + std::string(find_suite_by_name(p.param.suite)->erlang);
}

std::vector<KexCase> kex_cases() {
  std::vector<KexCase> out;
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
    out.push_back({v, "DHE-DSS-AES128-SHA", "server-dsa"});
    out.push_back({v, "ECDH-ECDSA-AES128-SHA", "server-ecdh-ecdsa"});
    out.push_back({v, "ECDH-RSA-AES256-SHA", "server-ecdh-rsa"});
    out.push_back({v, "ADH-AES128-SHA", ""});
    out.push_back({v, "AECDH-AES256-SHA", ""});
  }
  out.push_back({Version::tlsv1_2, "ADH-AES256-GCM-SHA384", ""});
  out.push_back({Version::tlsv1_2, "ADH-AES128-SHA256", "server-rsa"});  // a certificate it does not send
  out.push_back({Version::tlsv1, "AECDH-DES-CBC3-SHA", "server-ecdsa"});
  out.push_back({Version::tlsv1_2, "DHE-DSS-AES256-GCM-SHA384", "server-dsa"});
  out.push_back({Version::tlsv1_2, "DHE-DSS-AES128-SHA256", "server-dsa"});
  out.push_back({Version::tlsv1_2, "ECDH-ECDSA-AES256-GCM-SHA384", "server-ecdh-ecdsa"});
  out.push_back({Version::tlsv1_2, "ECDH-RSA-AES128-GCM-SHA256", "server-ecdh-rsa"});
  return out;
}

Options server_for(std::string_view cert) {
  Options o;
  if (cert.empty()) return o;
  std::string leaf(cert);
  // The ECDH_ECDSA server sends its ECDSA intermediate after the leaf.
  o.certfile = data_path(leaf == "server-ecdh-ecdsa" ? "server-ecdh-ecdsa-chain.pem" : leaf + ".pem");
  o.keyfile = data_path(leaf + "-key.pem");
  return o;
}

void exchange_data(Pair& p) {
  codec::Bytes up = pattern(3000, 1), down = pattern(20000, 2);
  ASSERT_TRUE(p.client.send(up).ok());
  p.pump();
  EXPECT_EQ(take_app(p.server), up);
  ASSERT_TRUE(p.server.send(down).ok());
  p.pump();
  EXPECT_EQ(take_app(p.client), down);
}

class Kex : public testing::TestWithParam<KexCase> {};

TEST_P(Kex, FullThenResumedBothWays) {
  const KexCase& k = GetParam();
  const SuiteInfo* suite = find_suite_by_name(k.suite);
  ASSERT_NE(suite, nullptr);
  Options so = server_for(k.cert);
  so.versions = {k.version};
  so.ciphers = std::vector<SuiteSpec>{suite->spec};
  Options co;
  co.versions = {k.version};
  co.ciphers = std::vector<SuiteSpec>{suite->spec};
  co.cacertfile = data_path("ca.pem");
  co.verify = Verify::verify_peer;
  auto sc = make_config(Role::server, so);
  auto cc = make_config(Role::client, co);
  ASSERT_TRUE(sc && cc);
  for (bool resumed : {false, true}) {
    SCOPED_TRACE(resumed ? "resumed" : "full");
    Pair p(cc, sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
    ASSERT_TRUE(p.server.handshake_done()) << describe(p.server.error());
    EXPECT_EQ(p.client.info().cipher_suite_name, suite->erlang);
    EXPECT_EQ(p.server.info().cipher_suite_name, suite->erlang);
    EXPECT_EQ(p.client.info().protocol, k.version);
    EXPECT_EQ(p.client.info().resumed, resumed);
    EXPECT_EQ(p.server.info().resumed, resumed);
    // Anonymous key exchanges send no Certificate.
    EXPECT_EQ(p.client.peer_certificates().empty(), kex_no_server_cert(suite->spec.key_exchange));
    exchange_data(p);
  }
}

INSTANTIATE_TEST_SUITE_P(Engine, Kex, testing::ValuesIn(kex_cases()), kex_case_name);

// Runs one handshake where the client offers `client_suites` and the server has `cert` and
// `server_suites`; returns the suite both report, or "" with the error in `why`.
std::string negotiate(Version v, const std::vector<std::string_view>& client_suites,
                      const std::vector<std::string_view>& server_suites, std::string_view cert, std::string& why) {
  auto specs = [](const std::vector<std::string_view>& names) {
    std::vector<SuiteSpec> out;
    for (std::string_view n : names) out.push_back(find_suite_by_name(n)->spec);
    return out;
  };
  Options so = server_for(cert);
  so.versions = {v};
  so.ciphers = specs(server_suites);
  Options co;
  co.versions = {v};
  co.ciphers = specs(client_suites);
  auto sc = make_config(Role::server, so);
  auto cc = make_config(Role::client, co);
  if (!sc || !cc) return "";
  Pair p(cc, sc);
  p.handshake();
  if (!p.client.handshake_done()) {
    why = describe(p.client.error()) + " / " + describe(p.server.error());
    return "";
  }
  return p.client.info().cipher_suite_name;
}

// RFC 4492 2.1, 2.3: below TLS 1.2 the certificate's signature decides between ECDH_ECDSA and ECDH_RSA.
TEST(KexSelection, StaticEcdhFollowsTheCertificateSignatureBelowTls12) {
  std::string why;
  const std::vector<std::string_view> both = {"ECDH-ECDSA-AES128-SHA", "ECDH-RSA-AES128-SHA"};
  EXPECT_EQ(negotiate(Version::tlsv1_1, both, both, "server-ecdh-rsa", why), "ecdh_rsa_aes_128_cbc_sha") << why;
  EXPECT_EQ(negotiate(Version::tlsv1_1, both, both, "server-ecdh-ecdsa", why), "ecdh_ecdsa_aes_128_cbc_sha") << why;
  // Only the other one in common: no suite (insufficient_security from the server).
  EXPECT_EQ(negotiate(Version::tlsv1, {"ECDH-ECDSA-AES128-SHA"}, {"ECDH-ECDSA-AES128-SHA"}, "server-ecdh-rsa", why), "");
  EXPECT_NE(why.find("insufficient_security"), std::string::npos) << why;
  // TLS 1.2 relaxes the rule (RFC 5246 7.4.2).
  EXPECT_EQ(negotiate(Version::tlsv1_2, {"ECDH-ECDSA-AES128-SHA"}, {"ECDH-ECDSA-AES128-SHA"}, "server-ecdh-rsa", why),
            "ecdh_ecdsa_aes_128_cbc_sha")
      << why;
}

// The server picks only suites its certificate can serve.
TEST(KexSelection, ServerFiltersByCertificateKey) {
  std::string why;
  const std::vector<std::string_view> offer = {"ECDHE-RSA-AES128-SHA", "DHE-DSS-AES128-SHA", "ECDH-RSA-AES128-SHA",
                                               "AES128-SHA"};
  EXPECT_EQ(negotiate(Version::tlsv1_2, offer, offer, "server-dsa", why), "dhe_dss_aes_128_cbc_sha") << why;
  EXPECT_EQ(negotiate(Version::tlsv1_2, offer, offer, "server-rsa", why), "ecdhe_rsa_aes_128_cbc_sha") << why;
  EXPECT_EQ(negotiate(Version::tlsv1_2, offer, offer, "server-ecdh-rsa", why), "ecdh_rsa_aes_128_cbc_sha") << why;
  EXPECT_EQ(negotiate(Version::tlsv1_2, {"DHE-DSS-AES128-SHA"}, {"DHE-DSS-AES128-SHA"}, "server-rsa", why), "");
  EXPECT_NE(why.find("insufficient_security"), std::string::npos) << why;
}

// A server that verifies its clients cannot request a certificate in an anonymous handshake (RFC 5246
// 7.4.4): it does not choose anonymous suites. It needs no certificate when it serves only them.
TEST(KexSelection, AnonymousSuites) {
  std::string why;
  const std::vector<std::string_view> offer = {"ADH-AES128-SHA", "ECDHE-RSA-AES128-SHA"};
  EXPECT_EQ(negotiate(Version::tlsv1_2, offer, offer, "server-rsa", why), "dh_anon_aes_128_cbc_sha") << why;
  Options so = server_for("server-rsa");
  so.ciphers = std::vector<SuiteSpec>{find_suite_by_name("ADH-AES128-SHA")->spec};
  so.verify = Verify::verify_peer;
  so.cacertfile = data_path("ca.pem");
  Options co;
  co.ciphers = so.ciphers;
  auto sc = make_config(Role::server, so);
  auto cc = make_config(Role::client, co);
  ASSERT_TRUE(sc && cc);
  Pair p(cc, sc);
  p.handshake();
  expect_sent(p.server, AlertDescription::insufficient_security);
  // No certificate: fine for anonymous suites only.
  Options none;
  none.ciphers = so.ciphers;
  EXPECT_TRUE(Config::make(Role::server, none).ok());
  none.ciphers = std::vector<SuiteSpec>{find_suite_by_name("ADH-AES128-SHA")->spec,
                                        find_suite_by_name("AES128-SHA")->spec};
  EXPECT_TRUE(Config::make(Role::server, none).ok());
  none.ciphers = std::vector<SuiteSpec>{find_suite_by_name("AES128-SHA")->spec};
  auto bad = Config::make(Role::server, none);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().option, "certfile");
}

// The named curve of the ECDHE ServerKeyExchange in the server's first flight (0 if none).
uint16_t server_kex_curve(codec::ByteView flight) {
  codec::Bytes hs;
  for (size_t i = 0; i + 5 <= flight.size();) {
    const size_t len = size_t{flight[i + 3]} << 8 | flight[i + 4];
    if (i + 5 + len > flight.size()) break;
    if (flight[i] == 22) hs.insert(hs.end(), flight.begin() + i + 5, flight.begin() + i + 5 + len);
    i += 5 + len;
  }
  for (size_t i = 0; i + 4 <= hs.size();) {
    const size_t len = size_t{hs[i + 1]} << 16 | size_t{hs[i + 2]} << 8 | hs[i + 3];
    if (hs[i] == 12 && len >= 3 && i + 4 + len <= hs.size() && hs[i + 4] == 3)
      return uint16_t(hs[i + 5] << 8 | hs[i + 6]);
    i += 4 + len;
  }
  return 0;
}

// One ECDHE-RSA handshake with the given eccs; the curve the server chose (0: none) and both errors.
struct EccsResult {
  uint16_t curve = 0;
  bool done = false;
  std::optional<Error> client_error, server_error;
};
EccsResult eccs_handshake(std::optional<std::vector<std::string>> client, std::optional<std::vector<std::string>> server) {
  Options co;
  co.ciphers = std::string("ECDHE-RSA-AES128-GCM-SHA256");
  co.eccs = std::move(client);
  Options so = server_options();
  so.eccs = std::move(server);
  Pair p(make_config(Role::client, co), make_config(Role::server, so));
  p.client.start();
  p.server.start();
  codec::Bytes hello(p.client.pending_output().begin(), p.client.pending_output().end());
  p.client.consume_output(hello.size());
  p.server.feed(hello);
  codec::Bytes flight(p.server.pending_output().begin(), p.server.pending_output().end());
  p.server.consume_output(flight.size());
  p.client.feed(flight);
  p.pump();
  return {server_kex_curve(flight), p.client.handshake_done() && p.server.handshake_done(), p.client.error(),
          p.server.error()};
}

TEST(Eccs, TheServerPicksTheFirstOfItsCurvesThatTheClientOffered) {
  using G = codec::NamedGroup;
  EXPECT_EQ(eccs_handshake(std::nullopt, std::nullopt).curve, uint16_t(G::x25519));  // the default order
  EXPECT_EQ(eccs_handshake(std::nullopt, std::vector<std::string>{"secp256r1"}).curve, uint16_t(G::secp256r1));
  EXPECT_EQ(eccs_handshake(std::vector<std::string>{"secp384r1"}, std::nullopt).curve, uint16_t(G::secp384r1));
  auto r = eccs_handshake(std::vector<std::string>{"x25519", "secp521r1"},
                          std::vector<std::string>{"secp256r1", "secp521r1", "x25519"});
  EXPECT_EQ(r.curve, uint16_t(G::secp521r1));
  EXPECT_TRUE(r.done) << describe(r.client_error) << " / " << describe(r.server_error);
}

TEST(Eccs, NoCommonCurveLeavesNoEcdheSuite) {
  auto r = eccs_handshake(std::vector<std::string>{"x25519"}, std::vector<std::string>{"secp256r1"});
  EXPECT_FALSE(r.done);
  ASSERT_TRUE(r.server_error);
  EXPECT_TRUE(r.server_error->is_alert(AlertDescription::insufficient_security)) << describe(r.server_error);
}

TEST(Eccs, BadListsAreOptionsErrors) {
  Options o;
  o.eccs = std::vector<std::string>{};
  auto c = Config::make(Role::client, o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().option, "eccs");
  o.eccs = std::vector<std::string>{"secp256r1", "brainpoolP256r1"};
  c = Config::make(Role::client, o);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().option, "eccs");
  EXPECT_NE(c.error().detail.find("brainpoolP256r1"), std::string::npos);
}

}  // namespace
}  // namespace essl::test
