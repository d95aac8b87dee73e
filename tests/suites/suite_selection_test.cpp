// Which suites a connection uses: the `ciphers` option in each of its forms, the key exchanges the
// handshake implements, honor_cipher_order, and whole handshakes between two engines with the RC4, DES
// and 3DES suites at every version they exist in, SSL 3.0 included.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>

#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "engine/engine_test_util.hpp"

namespace essl::test {
namespace {

const SuiteInfo* by_name(std::string_view n) {
  const SuiteInfo* s = find_suite_by_name(n);
  EXPECT_NE(s, nullptr) << n;
  return s;
}

std::vector<std::string_view> names(const std::vector<const SuiteInfo*>& v) {
  std::vector<std::string_view> out;
  for (const SuiteInfo* s : v) out.push_back(s->openssl);
  return out;
}

// The suites a client built from `o` offers, read from its ClientHello.
std::vector<uint16_t> offered(const Options& o) {
  auto cc = make_config(Role::client, o);
  if (!cc) return {};
  Engine client(cc, PeerId{"localhost", 4433});
  client.start();
  const codec::Bytes out = take_output(client);
  if (out.size() < 9) return {};
  auto ch = codec::decode_client_hello(codec::ByteView(out).subspan(9));
  return ch ? ch->cipher_suites : std::vector<uint16_t>{};
}

TEST(SuiteConfig, DefaultListIsDefaultFlagsWithImplementedKeyExchanges) {
  auto c = make_config(Role::client, Options{});
  ASSERT_TRUE(c);
  std::vector<const SuiteInfo*> want;
  for (const SuiteInfo& s : all_suites())
    if (s.in_default && key_exchange_implemented(s.spec.key_exchange)) want.push_back(&s);
  EXPECT_EQ(names(c->suites), names(want));
  for (const SuiteInfo* s : c->suites) {
    EXPECT_NE(s->spec.cipher, Cipher::rc4_128) << s->erlang;
    EXPECT_TRUE(key_exchange_implemented(s->spec.key_exchange)) << s->erlang;
  }
  // The default list has DES and 3DES (reference-behaviour.md), after the AES suites.
  EXPECT_TRUE(std::count(c->suites.begin(), c->suites.end(), by_name("DES-CBC-SHA")));
  EXPECT_TRUE(std::count(c->suites.begin(), c->suites.end(), by_name("DES-CBC3-SHA")));
}

TEST(SuiteConfig, ClientOffersOnlyImplementedKeyExchanges) {
  Options o;
  o.ciphers = std::string("ALL");
  const auto ids = offered(o);
  ASSERT_FALSE(ids.empty());
  for (uint16_t id : ids) {
    const SuiteInfo* s = find_suite(id);
    if (!s) continue;  // signalling values
    EXPECT_TRUE(key_exchange_implemented(s->spec.key_exchange)) << s->erlang;
  }
  // Explicitly configured RC4 is offered.
  EXPECT_TRUE(std::count(ids.begin(), ids.end(), 0x0004));
  EXPECT_TRUE(std::count(ids.begin(), ids.end(), 0xC011));
}

TEST(SuiteConfig, ListStringAndErlangNamesAgree) {
  Options tuples, openssl, erlang;
  tuples.ciphers = std::vector<SuiteSpec>{by_name("RC4-MD5")->spec, by_name("DES-CBC3-SHA")->spec,
                                          by_name("ECDHE-RSA-AES128-GCM-SHA256")->spec};
  openssl.ciphers = std::string("RC4-MD5:DES-CBC3-SHA:ECDHE-RSA-AES128-GCM-SHA256");
  erlang.ciphers = std::string("rsa_rc4_128_md5,rsa_3des_ede_cbc_sha,ecdhe_rsa_aes_128_gcm_sha256");
  auto a = make_config(Role::client, tuples), b = make_config(Role::client, openssl),
       c = make_config(Role::client, erlang);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(names(a->suites), (std::vector<std::string_view>{"RC4-MD5", "DES-CBC3-SHA", "ECDHE-RSA-AES128-GCM-SHA256"}));
  EXPECT_EQ(names(a->suites), names(b->suites));
  EXPECT_EQ(names(a->suites), names(c->suites));
  Options keywords;
  keywords.ciphers = std::string("DEFAULT:!AESGCM:+3DES:-DES:@STRENGTH");
  auto k = make_config(Role::client, keywords);
  ASSERT_TRUE(k);
  for (const SuiteInfo* s : k->suites) {
    EXPECT_NE(s->spec.cipher, Cipher::aes_128_gcm);
    EXPECT_NE(s->spec.cipher, Cipher::des_cbc);
  }
  EXPECT_EQ(k->suites.back()->spec.cipher, Cipher::des3_ede_cbc);
}

TEST(SuiteConfig, BadCiphersAreOptionsErrors) {
  auto error_of = [](const Options& o) {
    auto v = validate(o);
    auto c = Config::make(Role::client, o);
    EXPECT_FALSE(c.ok());
    return std::make_pair(v.ok() ? std::string() : v.error().option, c.ok() ? std::string() : c.error().option);
  };
  const std::vector<std::string> bad_strings = {"NOT-A-SUITE", "AES128-SHA:BOGUS", "kRSA+NOPE", "@STRENGTHS", "!",
                                                 "CHACHA20", "!ALL", "AES+", std::string("\xff\x01", 2)};
  for (const std::string& bad : bad_strings) {
    Options o;
    o.ciphers = bad;
    auto [v, c] = error_of(o);
    EXPECT_EQ(v, "ciphers") << bad;
    EXPECT_EQ(c, "ciphers") << bad;
  }
  Options unknown_tuple;
  unknown_tuple.ciphers = std::vector<SuiteSpec>{{KeyExchange::psk, Cipher::aes_128_gcm, Hash::sha}};
  EXPECT_EQ(error_of(unknown_tuple).first, "ciphers");
  EXPECT_EQ(error_of(unknown_tuple).second, "ciphers");
  // Suites whose credentials are missing: configured alone, the option cannot be met, and the error
  // names the option that is missing (SRP: srp_identity; PSK: user_lookup_fun).
  Options psk;
  psk.ciphers = std::string("SRP-AES-128-CBC-SHA");
  auto c = Config::make(Role::client, psk);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().option, "srp_identity");
  EXPECT_NE(c.error().detail.find("srp"), std::string::npos) << c.error().detail;
  psk.ciphers = std::string("PSK-AES128-CBC-SHA");
  c = Config::make(Role::client, psk);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().option, "user_lookup_fun");
  // Mixed with usable ones, they are left out.
  psk.ciphers = std::string("PSK-AES128-CBC-SHA:SRP-AES-128-CBC-SHA:ADH-AES128-SHA:AES128-SHA");
  auto mixed = make_config(Role::client, psk);
  ASSERT_TRUE(mixed);
  EXPECT_EQ(names(mixed->suites), (std::vector<std::string_view>{"ADH-AES128-SHA", "AES128-SHA"}));
}

TEST(SuiteConfig, VersionsFilterSuites) {
  Options o;
  o.versions = {Version::tlsv1};
  o.ciphers = std::string("AES128-GCM-SHA256:RC4-SHA");
  auto c = make_config(Role::client, o);
  ASSERT_TRUE(c);
  EXPECT_EQ(names(c->suites), (std::vector<std::string_view>{"RC4-SHA"}));
  o.versions = {Version::sslv3};
  o.ciphers = std::string("ECDHE-RSA-AES128-SHA:AES128-SHA:DES-CBC3-SHA:RC4-MD5");
  c = make_config(Role::client, o);
  ASSERT_TRUE(c);
  EXPECT_EQ(names(c->suites), (std::vector<std::string_view>{"DES-CBC3-SHA", "RC4-MD5"}));
}

// ---- handshakes ----

struct Cell {
  Version version;
  std::string_view suite;
};

std::string cell_name(const testing::TestParamInfo<Cell>& p) {
  std::string n = std::string(version_atom(p.param.version)) + "_" + std::string(find_suite_by_name(p.param.suite)->erlang);
  for (char& ch : n)
    if (ch == '.') ch = '_';
  return n;
}

std::vector<Cell> cells() {
  std::vector<Cell> out;
  for (Version v : {Version::sslv3, Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2}) {
    for (std::string_view s : {"RC4-MD5", "RC4-SHA", "DES-CBC-SHA", "DES-CBC3-SHA", "EDH-RSA-DES-CBC-SHA",
                               "EDH-RSA-DES-CBC3-SHA"})
      out.push_back({v, s});
    if (v != Version::sslv3) {
      out.push_back({v, "ECDHE-RSA-RC4-SHA"});
      out.push_back({v, "ECDHE-ECDSA-RC4-SHA"});
      out.push_back({v, "ECDHE-RSA-DES-CBC3-SHA"});
    }
  }
  return out;
}

class Legacy : public testing::TestWithParam<Cell> {};

TEST_P(Legacy, FullThenResumedWithData) {
  const Cell& cell = GetParam();
  const SuiteInfo* s = by_name(cell.suite);
  ASSERT_TRUE(s);
  const bool ecdsa = s->spec.key_exchange == KeyExchange::ecdhe_ecdsa;
  Options so = server_options(ecdsa ? "server-ecdsa" : "server-rsa");
  so.versions = {cell.version};
  so.ciphers = std::string(s->openssl);
  Options co;
  co.versions = {cell.version};
  co.ciphers = std::string(s->erlang);
  co.cacertfile = data_path("ca.pem");
  co.verify = Verify::verify_peer;
  auto sc = make_config(Role::server, so), cc = make_config(Role::client, co);
  ASSERT_TRUE(sc && cc);
  for (bool resumed : {false, true}) {
    SCOPED_TRACE(resumed ? "resumed" : "full");
    Pair p(cc, sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error()) << " / " << describe(p.server.error());
    ASSERT_TRUE(p.server.handshake_done()) << describe(p.server.error());
    EXPECT_EQ(p.client.info().protocol, cell.version);
    EXPECT_EQ(p.client.info().cipher_suite_name, s->erlang);
    EXPECT_EQ(p.server.info().cipher_suite_name, s->erlang);
    EXPECT_EQ(p.client.info().resumed, resumed);
    for (size_t n : {size_t{1}, size_t{100}, size_t{20000}}) {
      codec::Bytes up(n), down(n + 3);
      for (size_t i = 0; i < up.size(); ++i) up[i] = static_cast<uint8_t>(i * 7);
      for (size_t i = 0; i < down.size(); ++i) down[i] = static_cast<uint8_t>(i * 11 + 1);
      ASSERT_TRUE(p.client.send(up).ok());
      ASSERT_TRUE(p.server.send(down).ok());
      p.pump();
      EXPECT_EQ(take_app(p.server), up);
      EXPECT_EQ(take_app(p.client), down);
    }
    p.client.close();
    p.pump();
    EXPECT_FALSE(p.client.error()) << describe(p.client.error());
    EXPECT_FALSE(p.server.error()) << describe(p.server.error());
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, Legacy, testing::ValuesIn(cells()), cell_name);

// honor_cipher_order: true picks by the server's order, false (the default) by the client's.
TEST(SuiteSelection, HonorCipherOrder) {
  Options co;
  co.ciphers = std::string("RC4-SHA:DES-CBC3-SHA:AES128-SHA");
  co.cacertfile = data_path("ca.pem");
  auto cc = make_config(Role::client, co);
  for (bool honor : {false, true}) {
    Options so = server_options();
    so.ciphers = std::string("AES128-SHA:DES-CBC3-SHA:RC4-SHA");
    so.honor_cipher_order = honor;
    auto sc = make_config(Role::server, so);
    ASSERT_TRUE(sc && cc);
    Pair p(cc, sc);
    p.handshake();
    ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
    EXPECT_EQ(p.client.info().cipher_suite_name, honor ? "rsa_aes_128_cbc_sha" : "rsa_rc4_128_sha");
  }
}

// A server never selects a suite its certificate cannot serve (DSS needs a DSA key, static ECDH an EC
// key), nor one the client did not offer (anonymous suites are not in the default list), even when it
// lists them first.
TEST(SuiteSelection, ServerSkipsSuitesItsCertificateCannotServe) {
  Options so = server_options();
  so.ciphers = std::string("DHE-DSS-AES128-SHA:ECDH-RSA-AES128-SHA:ADH-AES128-SHA:AES256-SHA");
  so.honor_cipher_order = true;
  auto sc = make_config(Role::server, so);
  ASSERT_TRUE(sc);
  EXPECT_EQ(names(sc->suites),
            (std::vector<std::string_view>{"DHE-DSS-AES128-SHA", "ECDH-RSA-AES128-SHA", "ADH-AES128-SHA", "AES256-SHA"}));
  Options co;
  co.cacertfile = data_path("ca.pem");
  auto cc = make_config(Role::client, co);
  Pair p(cc, sc);
  p.handshake();
  ASSERT_TRUE(p.client.handshake_done()) << describe(p.client.error());
  EXPECT_EQ(p.client.info().cipher_suite_name, "rsa_aes_256_cbc_sha");
}

// `essl ciphers`: one suite per line, the Erlang-style name with the OpenSSL name beside it.
TEST(EsslCommand, Ciphers) {
  const char* exe = std::getenv("ESSL_BIN");
  ASSERT_NE(exe, nullptr) << "ESSL_BIN (the essl command) is not set";
  auto run = [&](const std::string& args, int& status) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen((std::string(exe) + " ciphers " + args + " 2>&1").c_str(), "r"), pclose);
    std::array<char, 4096> buf{};
    for (size_t n; (n = fread(buf.data(), 1, buf.size(), p.get())) > 0;) out.append(buf.data(), n);
    status = pclose(p.release());
    return out;
  };
  auto lines = [](const std::string& text) {
    size_t n = 0;
    for (char ch : text) n += ch == '\n';
    return n;
  };
  int status = -1;
  const std::string erlang = run("", status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(lines(erlang), cipher_suites().size());
  EXPECT_EQ(erlang.rfind("ecdhe_ecdsa_aes_256_gcm_sha384", 0), 0u) << erlang;
  EXPECT_NE(erlang.find("ECDHE-ECDSA-AES256-GCM-SHA384"), std::string::npos);
  EXPECT_EQ(erlang.find("RC4"), std::string::npos);
  const std::string all = run("all", status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(lines(all), all_suites().size());
  EXPECT_NE(all.find("rsa_rc4_128_md5"), std::string::npos);
  EXPECT_NE(all.find("SRP-AES-128-CBC-SHA"), std::string::npos);
  // Every key exchange is implemented: no suite is marked unavailable.
  EXPECT_EQ(all.find("not available"), std::string::npos) << all;
  const std::string openssl = run("openssl", status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(openssl.rfind("ECDHE-ECDSA-AES256-GCM-SHA384", 0), 0u) << openssl;
  const std::string selected = run("'kRSA+RC4'", status);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(lines(selected), 2u) << selected;
  const std::string bad = run("NOPE", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(bad.find("ciphers"), std::string::npos) << bad;
}

}  // namespace
}  // namespace essl::test
