// SRP (RFC 5054) between two engines: SRP, SRP_RSA and SRP_DSS, the client's srp_identity and the
// server's user_lookup_fun(srp, Username, UserState) -> {SRPParams, Salt, DerivedKey} as the spec
// documents them; an unknown user is a fatal illegal_parameter, a wrong password fails the Finished
// check, bad SRP values are illegal_parameter, and the options name themselves in errors.
#include <gtest/gtest.h>

#include "crypto_glue/srp.hpp"
#include "engine_test_util.hpp"

namespace essl::test {
namespace {

const std::vector<uint8_t> salt = {0xbe, 0xb2, 0x53, 0x79, 0xd1, 0xa8, 0x58, 0x1e,
                                   0xb5, 0xa7, 0x27, 0x67, 0x3a, 0x24, 0x41, 0xee};

struct Seen {
  std::vector<std::pair<LookupKind, std::optional<std::string>>> calls;
};

// The server knows "alice" with password "password123" in `group`.
UserLookupFun srp_users(SrpParam group, std::shared_ptr<Seen> seen) {
  return UserLookupFun{[group, seen](LookupKind kind, const std::optional<std::string>& user, const std::any&) {
                         seen->calls.emplace_back(kind, user);
                         if (kind != LookupKind::srp || user != "alice") return LookupResult{LookupError{}};
                         const codec::Bytes x = crypto::srp_derived_key("alice", "password123", salt);
                         return LookupResult{SrpLookup{group, salt, std::vector<uint8_t>(x.begin(), x.end())}};
                       },
                       {}};
}

struct SrpCase {
  Version version;
  std::string_view suite;  // OpenSSL name
  std::string_view cert;   // "" = none
  SrpParam group;
};

std::string srp_case_name(const testing::TestParamInfo<SrpCase>& p) {
  std::string v(version_atom(p.param.version));
  for (char& ch : v)
    if (ch == '.') ch = '_';
  return v + "_" + std::string(find_suite_by_name(p.param.suite)->erlang) + "_" +
         std::to_string(int(p.param.group));
}

std::vector<SrpCase> srp_cases() {
  std::vector<SrpCase> out;
  for (Version v : {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
    out.push_back({v, "SRP-AES-128-CBC-SHA", "", SrpParam::srp_2048});
    out.push_back({v, "SRP-RSA-AES-256-CBC-SHA", "server-rsa", SrpParam::srp_2048});
    out.push_back({v, "SRP-DSS-AES-128-CBC-SHA", "server-dsa", SrpParam::srp_2048});
  }
  out.push_back({Version::tlsv1_2, "SRP-AES-256-CBC-SHA", "", SrpParam::srp_1024});
  out.push_back({Version::tlsv1_2, "SRP-AES-256-CBC-SHA", "", SrpParam::srp_1536});
  out.push_back({Version::tlsv1_2, "SRP-AES-128-CBC-SHA", "", SrpParam::srp_3072});
  out.push_back({Version::tlsv1_2, "SRP-RSA-AES-128-CBC-SHA", "server-rsa", SrpParam::srp_4096});
  return out;
}

struct Sides {
  Options server, client;
  std::shared_ptr<Seen> seen = std::make_shared<Seen>();
};

Sides sides(Version v, std::string_view suite, std::string_view cert, SrpParam group) {
  Sides s;
  const std::vector<SuiteSpec> specs = {find_suite_by_name(suite)->spec};
  if (!cert.empty()) s.server = server_options(std::string(cert));
  s.server.versions = s.client.versions = {v};
  s.server.ciphers = s.client.ciphers = specs;
  s.server.user_lookup_fun = srp_users(group, s.seen);
  s.client.srp_identity = std::make_pair(std::string("alice"), std::string("password123"));
  if (!cert.empty()) {
    s.client.verify = Verify::verify_peer;
    s.client.cacertfile = data_path("ca.pem");
  }
  return s;
}

std::unique_ptr<Pair> run(const Options& so, const Options& co) {
  auto sc = make_config(Role::server, so);
  auto cc = make_config(Role::client, co);
  if (!sc || !cc) return nullptr;
  auto p = std::make_unique<Pair>(cc, sc);
  p->handshake();
  return p;
}

class Srp : public testing::TestWithParam<SrpCase> {};

TEST_P(Srp, FullThenResumedBothWays) {
  const SrpCase& k = GetParam();
  const SuiteInfo* suite = find_suite_by_name(k.suite);
  Sides s = sides(k.version, k.suite, k.cert, k.group);
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
    EXPECT_EQ(p.client.info().resumed, resumed);
    EXPECT_EQ(p.client.peer_certificates().empty(), k.cert.empty());
    codec::Bytes up(2000, 0x11), down(20000, 0x22);
    ASSERT_TRUE(p.client.send(up).ok());
    p.pump();
    EXPECT_EQ(take_app(p.server), up);
    ASSERT_TRUE(p.server.send(down).ok());
    p.pump();
    EXPECT_EQ(take_app(p.client), down);
  }
  // One lookup, in the full handshake, with the user name of the client's srp extension.
  ASSERT_EQ(s.seen->calls.size(), 1u);
  EXPECT_EQ(s.seen->calls[0].first, LookupKind::srp);
  EXPECT_EQ(s.seen->calls[0].second, std::optional<std::string>("alice"));
}

INSTANTIATE_TEST_SUITE_P(Engine, Srp, testing::ValuesIn(srp_cases()), srp_case_name);

TEST(SrpErrors, UnknownUserIsIllegalParameter) {
  Sides s = sides(Version::tlsv1_2, "SRP-AES-128-CBC-SHA", "", SrpParam::srp_2048);
  s.client.srp_identity = std::make_pair(std::string("mallory"), std::string("password123"));
  auto p = run(s.server, s.client);
  ASSERT_TRUE(p);
  expect_sent(p->server, AlertDescription::illegal_parameter);
  expect_received(p->client, AlertDescription::illegal_parameter);
}

// A wrong password gives the client another premaster secret: the server's Finished check fails.
TEST(SrpErrors, WrongPasswordFailsTheHandshake) {
  for (std::string_view suite : {"SRP-AES-128-CBC-SHA", "SRP-RSA-AES-128-CBC-SHA"}) {
    SCOPED_TRACE(suite);
    Sides s = sides(Version::tlsv1_2, suite, suite == "SRP-AES-128-CBC-SHA" ? "" : "server-rsa", SrpParam::srp_2048);
    s.client.srp_identity = std::make_pair(std::string("alice"), std::string("password124"));
    auto p = run(s.server, s.client);
    ASSERT_TRUE(p);
    EXPECT_FALSE(p->client.handshake_done());
    EXPECT_FALSE(p->server.handshake_done());
    ASSERT_TRUE(p->server.error().has_value());
    EXPECT_TRUE(p->server.error()->alert_sent);
    EXPECT_TRUE(p->server.error()->alert == AlertDescription::decrypt_error ||
                p->server.error()->alert == AlertDescription::bad_record_mac)
        << describe(p->server.error());
  }
}

// RFC 5054 2.5.3, 2.5.4: B % N == 0 and A % N == 0 are illegal_parameter; an (N, g) outside appendix A
// is refused before any computation.
TEST(SrpErrors, BadValuesAreIllegalParameter) {
  crypto::Rng& rng = crypto::system_rng();
  auto group = crypto::srp_group(2048);
  ASSERT_TRUE(group);
  auto client = crypto::srp_client("alice", "password123", group->N, group->g, salt, rng);
  ASSERT_TRUE(client);
  EXPECT_EQ(client->agree(codec::Bytes{0}).error(), AlertDescription::illegal_parameter);
  EXPECT_EQ(client->agree(group->N).error(), AlertDescription::illegal_parameter);
  const codec::Bytes x = crypto::srp_derived_key("alice", "password123", salt);
  auto server = crypto::srp_server(2048, x, rng);
  ASSERT_TRUE(server);
  EXPECT_EQ(server->agree(codec::Bytes{0}).error(), AlertDescription::illegal_parameter);
  EXPECT_EQ(server->agree(group->N).error(), AlertDescription::illegal_parameter);
  // The two sides agree with the right password.
  auto b = server->public_value();
  auto s_client = client->agree(b);
  ASSERT_TRUE(s_client.ok());
  auto s_server = server->agree(client->public_value());
  ASSERT_TRUE(s_server.ok());
  EXPECT_EQ(s_client.value(), s_server.value());
  codec::Bytes other_n = group->N;
  other_n.back() ^= 2;
  EXPECT_EQ(crypto::srp_client("alice", "password123", other_n, group->g, salt, rng), nullptr);
  EXPECT_EQ(crypto::srp_server(1000, x, rng), nullptr);
}

// RFC 5054 appendix B: x for I = "alice", P = "password123" and its salt.
TEST(SrpDerivedKey, Rfc5054Vector) {
  const codec::Bytes x = crypto::srp_derived_key("alice", "password123", salt);
  const codec::Bytes want = {0x94, 0xb7, 0x55, 0x5a, 0xab, 0xe9, 0x12, 0x7c, 0xc5, 0x8c,
                             0xcf, 0x49, 0x93, 0xdb, 0x6c, 0xf8, 0x4d, 0x16, 0xc1, 0x24};
  EXPECT_EQ(x, want);
}

TEST(SrpOptions, SuitesNeedTheirOptions) {
  auto option_of = [](Role role, const Options& o) {
    auto c = Config::make(role, o);
    return c.ok() ? std::string("ok") : c.error().option;
  };
  Options o;
  o.ciphers = std::string("SRP-AES-128-CBC-SHA");
  EXPECT_EQ(option_of(Role::client, o), "srp_identity");
  EXPECT_EQ(option_of(Role::server, o), "user_lookup_fun");
  o.srp_identity = std::make_pair(std::string("alice"), std::string("pw"));
  EXPECT_EQ(option_of(Role::client, o), "ok");
  o.srp_identity = std::make_pair(std::string(), std::string("pw"));
  EXPECT_EQ(option_of(Role::client, o), "srp_identity");
  o.user_lookup_fun = srp_users(SrpParam::srp_2048, std::make_shared<Seen>());
  EXPECT_EQ(option_of(Role::server, o), "srp_identity");  // still the bad user name
  o.srp_identity.reset();
  EXPECT_EQ(option_of(Role::server, o), "ok");  // SRP without a certificate
  // Without the client's srp extension a server does not select SRP suites.
  Sides s = sides(Version::tlsv1_2, "SRP-AES-128-CBC-SHA", "server-rsa", SrpParam::srp_2048);
  s.server.ciphers = std::string("SRP-AES-128-CBC-SHA:AES128-SHA");
  s.client.ciphers = std::string("AES128-SHA:SRP-AES-128-CBC-SHA");
  s.client.srp_identity.reset();
  auto p = run(s.server, s.client);
  ASSERT_TRUE(p);
  ASSERT_TRUE(p->client.handshake_done()) << describe(p->client.error());
  EXPECT_EQ(p->client.info().cipher_suite_name, "rsa_aes_128_cbc_sha");
}

}  // namespace
}  // namespace essl::test
