// Pre-shared keys (RFC 4279, RFC 5487) between two engines: PSK, DHE_PSK and RSA_PSK with and without
// the server's identity hint, user_lookup_fun as the spec documents it (the client asks with the hint or
// undefined, the server with the client's identity), and the failures: an unknown identity or hint is a
// fatal illegal_parameter, a different key fails the Finished check, bad options name the option.
#include <gtest/gtest.h>

#include <map>

#include "engine_test_util.hpp"

namespace essl::test {
namespace {

// What the lookup fun saw, per call.
struct Calls {
  std::vector<std::pair<LookupKind, std::optional<std::string>>> seen;
};

// A lookup fun over a table identity -> key; the user state is the table.
UserLookupFun table_fun(std::map<std::string, std::vector<uint8_t>> keys, std::shared_ptr<Calls> calls,
                        std::vector<uint8_t> undefined_key = {}) {
  using Table = std::map<std::string, std::vector<uint8_t>>;
  return UserLookupFun{
      [calls, undefined_key](LookupKind kind, const std::optional<std::string>& id, const std::any& state) {
        calls->seen.emplace_back(kind, id);
        if (kind != LookupKind::psk) return LookupResult{LookupError{}};
        if (!id) return undefined_key.empty() ? LookupResult{LookupError{}} : LookupResult{undefined_key};
        const Table& t = std::any_cast<const Table&>(state);
        auto it = t.find(*id);
        return it == t.end() ? LookupResult{LookupError{}} : LookupResult{it->second};
      },
      std::move(keys)};
}

const std::vector<uint8_t> key_a = {0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5};
const std::vector<uint8_t> key_b(32, 0x77);

struct PskCase {
  Version version;
  std::string_view suite;  // OpenSSL name
  bool hint;               // the server has psk_identity (its hint)
};

std::string psk_case_name(const testing::TestParamInfo<PskCase>& p) {
  std::string v(version_atom(p.param.version));
  for (char& ch : v)
    if (ch == '.') ch = '_';
  return v + "_" + std::string(find_suite_by_name(p.param.suite)->erlang) + (p.param.hint ? "_hint" : "_no_hint");
}

std::vector<PskCase> psk_cases() {
  std::vector<PskCase> out;
  for (bool hint : {false, true}) {
    for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
      out.push_back({v, "PSK-AES128-CBC-SHA", hint});
      out.push_back({v, "DHE-PSK-AES256-CBC-SHA", hint});
      out.push_back({v, "RSA-PSK-AES128-CBC-SHA", hint});
    }
    out.push_back({Version::tlsv1_2, "PSK-AES256-GCM-SHA384", hint});
    out.push_back({Version::tlsv1_2, "DHE-PSK-AES128-GCM-SHA256", hint});
    out.push_back({Version::tlsv1_2, "RSA-PSK-AES256-CBC-SHA384", hint});
  }
  return out;
}

struct PskSetup {
  Options server, client;
  std::shared_ptr<Calls> server_calls = std::make_shared<Calls>(), client_calls = std::make_shared<Calls>();
};

PskSetup setup(Version v, std::string_view suite, bool hint) {
  PskSetup s;
  const std::vector<SuiteSpec> specs = {find_suite_by_name(suite)->spec};
  s.server = server_options();  // RSA_PSK needs the RSA certificate; the others do not send it
  s.server.versions = {v};
  s.server.ciphers = specs;
  s.server.user_lookup_fun = table_fun({{"alice", key_a}, {"bob", key_b}}, s.server_calls);
  if (hint) s.server.psk_identity = "essl hint";
  s.client.versions = {v};
  s.client.ciphers = specs;
  s.client.psk_identity = "alice";
  s.client.user_lookup_fun = table_fun({{"essl hint", key_a}}, s.client_calls, key_a);
  return s;
}

class Psk : public testing::TestWithParam<PskCase> {};

TEST_P(Psk, FullThenResumedBothWays) {
  const PskCase& k = GetParam();
  const SuiteInfo* suite = find_suite_by_name(k.suite);
  PskSetup s = setup(k.version, k.suite, k.hint);
  auto sc = make_config(Role::server, s.server);
  auto cc = make_config(Role::client, s.client);
  ASSERT_TRUE(sc && cc);
  for (bool resumed : {false, true}) {
    SCOPED_TRACE(resumed ? "resumed" : "full");
    Pair p(cc, sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
    ASSERT_TRUE(p.server.handshake_done()) << describe(p.server.error());
    EXPECT_EQ(p.client.info().cipher_suite_name, suite->erlang);
    EXPECT_EQ(p.server.info().cipher_suite_name, suite->erlang);
    EXPECT_EQ(p.client.info().resumed, resumed);
    // Only RSA_PSK authenticates the server with a certificate.
    EXPECT_EQ(p.client.peer_certificates().empty(), suite->spec.key_exchange != KeyExchange::rsa_psk);
    codec::Bytes up(1000, 0x31), down(30000, 0x42);
    ASSERT_TRUE(p.client.send(up).ok());
    p.pump();
    EXPECT_EQ(take_app(p.server), up);
    ASSERT_TRUE(p.server.send(down).ok());
    p.pump();
    EXPECT_EQ(take_app(p.client), down);
  }
  // The full handshake asked once on each side: the client with the hint (or undefined), the server
  // with the client's identity. The resumed one asked nobody.
  ASSERT_EQ(s.client_calls->seen.size(), 1u);
  EXPECT_EQ(s.client_calls->seen[0].first, LookupKind::psk);
  EXPECT_EQ(s.client_calls->seen[0].second, k.hint ? std::optional<std::string>("essl hint") : std::nullopt);
  ASSERT_EQ(s.server_calls->seen.size(), 1u);
  EXPECT_EQ(s.server_calls->seen[0].second, std::optional<std::string>("alice"));
}

INSTANTIATE_TEST_SUITE_P(Engine, Psk, testing::ValuesIn(psk_cases()), psk_case_name);

// Runs one handshake; the pair afterwards.
std::unique_ptr<Pair> run(const Options& so, const Options& co) {
  auto sc = make_config(Role::server, so);
  auto cc = make_config(Role::client, co);
  if (!sc || !cc) return nullptr;
  auto p = std::make_unique<Pair>(cc, sc);
  p->handshake();
  return p;
}

TEST(PskErrors, UnknownIdentityIsIllegalParameterFromTheServer) {
  for (std::string_view suite : {"PSK-AES128-CBC-SHA", "DHE-PSK-AES128-CBC-SHA", "RSA-PSK-AES128-CBC-SHA"}) {
    SCOPED_TRACE(suite);
    PskSetup s = setup(Version::tlsv1_2, suite, false);
    s.client.psk_identity = "mallory";
    auto p = run(s.server, s.client);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->client.handshake_done());
    expect_sent(p->server, AlertDescription::illegal_parameter);
    expect_received(p->client, AlertDescription::illegal_parameter);
  }
}

TEST(PskErrors, UnknownHintIsIllegalParameterFromTheClient) {
  PskSetup s = setup(Version::tlsv1_2, "PSK-AES128-CBC-SHA", true);
  s.server.psk_identity = "some other hint";
  s.client.user_lookup_fun = table_fun({{"essl hint", key_a}}, s.client_calls);  // no key for undefined
  auto p = run(s.server, s.client);
  ASSERT_TRUE(p);
  expect_sent(p->client, AlertDescription::illegal_parameter);
  expect_received(p->server, AlertDescription::illegal_parameter);
  ASSERT_EQ(s.client_calls->seen.size(), 1u);
  EXPECT_EQ(s.client_calls->seen[0].second, std::optional<std::string>("some other hint"));
}

// The client's key for its identity differs from the server's: the Finished messages do not verify.
TEST(PskErrors, DifferentKeysFailTheHandshake) {
  PskSetup s = setup(Version::tlsv1_2, "PSK-AES128-CBC-SHA", false);
  s.client.user_lookup_fun = table_fun({}, s.client_calls, key_b);
  auto p = run(s.server, s.client);
  ASSERT_TRUE(p);
  EXPECT_FALSE(p->client.handshake_done());
  EXPECT_FALSE(p->server.handshake_done());
  ASSERT_TRUE(p->server.error().has_value());
  EXPECT_TRUE(p->server.error()->alert == AlertDescription::decrypt_error ||
              p->server.error()->alert == AlertDescription::bad_record_mac)
      << describe(p->server.error());
}

// Without a user_lookup_fun a server does not select PSK suites; it serves the others.
TEST(PskSelection, ServerNeedsALookupFun) {
  PskSetup s = setup(Version::tlsv1_2, "PSK-AES128-CBC-SHA", false);
  s.server.ciphers = std::string("PSK-AES128-CBC-SHA:AES128-SHA");
  s.server.user_lookup_fun.reset();
  s.client.ciphers = s.server.ciphers;
  auto p = run(s.server, s.client);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->client.handshake_done()) << describe(p->client.error());
  EXPECT_EQ(p->client.info().cipher_suite_name, "rsa_aes_128_cbc_sha");
  // With a fun, the client's first choice.
  s.server.user_lookup_fun = table_fun({{"alice", key_a}}, s.server_calls);
  p = run(s.server, s.client);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->client.handshake_done()) << describe(p->client.error());
  EXPECT_EQ(p->client.info().cipher_suite_name, "psk_aes_128_cbc_sha");
  // A server that verifies its clients cannot request a certificate in a PSK handshake (it sends no
  // Certificate of its own).
  s.server.verify = Verify::verify_peer;
  s.server.cacertfile = data_path("ca.pem");
  p = run(s.server, s.client);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->client.handshake_done()) << describe(p->client.error());
  EXPECT_EQ(p->client.info().cipher_suite_name, "rsa_aes_128_cbc_sha");
}

TEST(PskOptions, ErrorsNameTheOption) {
  auto option_of = [](Role role, const Options& o) {
    auto c = Config::make(role, o);
    return c.ok() ? std::string("ok") : c.error().option;
  };
  Options o;
  o.ciphers = std::string("PSK-AES128-CBC-SHA");
  EXPECT_EQ(option_of(Role::client, o), "user_lookup_fun");  // PSK suites only, no fun
  o.user_lookup_fun = UserLookupFun{};
  EXPECT_EQ(option_of(Role::client, o), "user_lookup_fun");  // not a function
  EXPECT_EQ(check_kex_options(o).error().option, "user_lookup_fun");
  o.user_lookup_fun = table_fun({}, std::make_shared<Calls>());
  EXPECT_EQ(option_of(Role::client, o), "ok");
  o.psk_identity = "";
  EXPECT_EQ(option_of(Role::client, o), "psk_identity");
  EXPECT_EQ(check_kex_options(o).error().option, "psk_identity");
  o.psk_identity = std::string(65536, 'x');
  EXPECT_EQ(option_of(Role::client, o), "psk_identity");
  o.psk_identity = std::string(65535, 'x');
  EXPECT_EQ(option_of(Role::client, o), "ok");
  // A PSK-only server needs no certificate.
  EXPECT_EQ(option_of(Role::server, o), "ok");
  o.ciphers = std::string("RSA-PSK-AES128-CBC-SHA");
  EXPECT_EQ(option_of(Role::server, o), "certfile");
}

}  // namespace
}  // namespace essl::test
