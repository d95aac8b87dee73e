// connection_information/2, connection_info/1 and prf/5 over loopback.
#include <botan/hex.h>
#include <botan/kdf.h>

#include "tests/api/loopback.hpp"

namespace essl::test {
namespace {

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(ConnectionInformation, TheRequestedItemsInTheOrderAsked) {
  auto co = client_options();
  co.server_name_indication = std::string("localhost");
  co.alpn_advertised_protocols = std::vector<std::string>{"h2", "http/1.1"};
  auto so = server_options();
  so.alpn_preferred_protocols = std::vector<std::string>{"http/1.1"};
  so.honor_cipher_order = true;
  auto p = connect_pair(so, co);
  ASSERT_TRUE(p.client.is_open());

  const InfoItem asked[] = {InfoItem::sni_hostname, InfoItem::protocol, InfoItem::cipher_suite, InfoItem::verify,
                            InfoItem::depth, InfoItem::alpn_advertised_protocols};
  auto info = p.client.connection_information(asked);
  ASSERT_TRUE(info) << format_error(info.error());
  ASSERT_EQ(info->size(), 6u);
  for (size_t i = 0; i < info->size(); ++i) EXPECT_EQ((*info)[i].item, asked[i]) << info_item_name(asked[i]);
  EXPECT_EQ(std::get<std::string>((*info)[0].value), "localhost");
  EXPECT_EQ(std::get<Version>((*info)[1].value), Version::tlsv1_2);
  EXPECT_EQ(std::get<SuiteSpec>((*info)[2].value), p.client.connection_information()->cipher_suite);
  EXPECT_EQ(std::get<Verify>((*info)[3].value), Verify::verify_peer);
  EXPECT_EQ(std::get<int>((*info)[4].value), 1);
  EXPECT_EQ(std::get<std::vector<std::string>>((*info)[5].value), (std::vector<std::string>{"h2", "http/1.1"}));

  // The server's side: its own options; what the client sent as SNI.
  auto server = p.server.connection_information(all_info_items);
  ASSERT_TRUE(server);
  EXPECT_EQ(std::get<std::string>(*find_info(*server, InfoItem::sni_hostname)), "localhost");
  EXPECT_TRUE(std::get<bool>(*find_info(*server, InfoItem::honor_cipher_order)));
  EXPECT_EQ(std::get<Verify>(*find_info(*server, InfoItem::verify)), Verify::verify_none);
  EXPECT_EQ(std::get<std::string>(*find_info(*server, InfoItem::certfile)), data_file("server-rsa.pem"));
  EXPECT_EQ(std::get<std::vector<std::string>>(*find_info(*server, InfoItem::alpn_preferred_protocols)),
            (std::vector<std::string>{"http/1.1"}));
  EXPECT_EQ(find_info(*server, InfoItem::server_name_indication), nullptr) << "a client option";
}

TEST(ConnectionInformation, UndefinedOptionsAreFilteredOut) {
  auto co = client_options();
  co.server_name_indication = DisableSni{};
  auto p = connect_pair(server_options(), co);
  ASSERT_TRUE(p.client.is_open());

  // "If only undefined options are requested the resulting list can be empty."
  const InfoItem undefined[] = {InfoItem::sni_hostname, InfoItem::alpn_preferred_protocols, InfoItem::psk_identity,
                                InfoItem::certfile, InfoItem::dhfile};
  auto none = p.client.connection_information(undefined);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());

  auto all = p.client.connection_information(all_info_items);
  ASSERT_TRUE(all);
  EXPECT_EQ(std::get<Version>(*find_info(*all, InfoItem::protocol)), Version::tlsv1_2);
  EXPECT_TRUE(std::holds_alternative<DisableSni>(*find_info(*all, InfoItem::server_name_indication)));
  EXPECT_EQ(std::get<std::vector<Version>>(*find_info(*all, InfoItem::versions)),
            (std::vector<Version>{Version::tlsv1_2, Version::tlsv1_1, Version::tlsv1}));
  EXPECT_FALSE(std::get<std::vector<SuiteSpec>>(*find_info(*all, InfoItem::ciphers)).empty());
  EXPECT_TRUE(std::get<bool>(*find_info(*all, InfoItem::reuse_sessions)));
  EXPECT_FALSE(std::get<bool>(*find_info(*all, InfoItem::secure_renegotiate)));
  EXPECT_TRUE(std::get<bool>(*find_info(*all, InfoItem::log_alert)));
  EXPECT_EQ(std::get<int>(*find_info(*all, InfoItem::alert_timeout)), 5000) << "the application's default";
  EXPECT_EQ(std::get<CrlCheck>(*find_info(*all, InfoItem::crl_check)), CrlCheck::off);
  for (const auto& e : *all) EXPECT_NE(e.item, InfoItem::sni_hostname);
  EXPECT_EQ(find_info(*all, InfoItem::alpn_advertised_protocols), nullptr);

  // Every item has its atom and is found by it.
  for (InfoItem item : all_info_items) EXPECT_EQ(info_item_named(info_item_name(item)), item);
  EXPECT_EQ(info_item_named("no_such_item"), std::nullopt);
}

TEST(ConnectionInformation, ErrorsWithoutAConnection) {
  Socket s;
  EXPECT_EQ(s.connection_information(all_info_items).error().kind, Error::Kind::closed);
  EXPECT_EQ(s.connection_info().error().kind, Error::Kind::closed);
  EXPECT_EQ(s.prf(master_secret, "label", {}, 16).error().kind, Error::Kind::closed);
}

TEST(ConnectionInfo, TheEarlierReleasesProtocolAndSuite) {
  auto co = client_options();
  co.versions = {Version::tlsv1_1};
  auto p = connect_pair(server_options(), co);
  auto pair = p.client.connection_info();
  ASSERT_TRUE(pair) << format_error(pair.error());
  EXPECT_EQ(pair->first, Version::tlsv1_1);
  EXPECT_EQ(pair->second, *p.server.connection_information()->cipher_suite);
}

TEST(Prf, BothEndsDeriveTheSameKeyMaterial) {
  for (Version v : {Version::tlsv1, Version::tlsv1_2}) {
    auto co = client_options();
    co.versions = {v};
    auto p = connect_pair(server_options(), co);
    ASSERT_TRUE(p.client.is_open());
    const std::vector<PrfSeed> seed = {PrfRandom::client_random, PrfRandom::server_random};
    auto c = p.client.prf(master_secret, "EXPERIMENTAL essl", seed, 40);
    auto s = p.server.prf(master_secret, "EXPERIMENTAL essl", seed, 40);
    ASSERT_TRUE(c && s) << version_atom(v);
    EXPECT_EQ(c->size(), 40u);
    EXPECT_EQ(*c, *s) << version_atom(v);
    // Another label, another order of the randoms: other bytes.
    EXPECT_NE(*p.client.prf(master_secret, "EXPERIMENTAL other", seed, 40), *c);
    EXPECT_NE(*p.client.prf(master_secret, "EXPERIMENTAL essl", {PrfRandom::server_random, PrfRandom::client_random},
                            40),
              *c);
  }
}

// A given secret and seed, against Botan's own TLS PRFs (RFC 2246 5 below TLS 1.2, RFC 5246 5 at 1.2).
TEST(Prf, AGivenSecretAndSeedMatchBotansTlsPrf) {
  const std::pair<Version, const char*> cases[] = {{Version::tlsv1_2, "TLS-12-PRF(SHA-256)"},
                                                   {Version::tlsv1_1, "TLS-PRF"}};
  for (const auto& [version, kdf_name] : cases) {
    auto co = client_options();
    co.versions = {version};
    co.ciphers = std::vector<SuiteSpec>{{KeyExchange::ecdhe_rsa, Cipher::aes_128_cbc, Hash::sha}};
    auto p = connect_pair(server_options(), co);
    ASSERT_TRUE(p.client.is_open()) << kdf_name;
    const auto secret = bytes("a user secret");
    auto info = p.client.connection_information();
    auto got = p.client.prf(secret, "key expansion", {bytes("seed-1"), PrfRandom::client_random, bytes("2")}, 70);
    ASSERT_TRUE(got) << format_error(got.error());
    auto seed = bytes("seed-1");
    seed.insert(seed.end(), info->client_random.begin(), info->client_random.end());
    seed.push_back('2');
    auto want = Botan::KDF::create_or_throw(kdf_name)->derive_key(70, secret, seed, bytes("key expansion"));
    EXPECT_EQ(Botan::hex_encode(*got), Botan::hex_encode(want)) << kdf_name;
    auto empty = p.client.prf(secret, "x", {}, 0);
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->empty());
  }
}

TEST(Prf, UndefinedOnSsl3) {
  auto so = server_options();
  so.versions = {Version::sslv3};
  auto co = client_options();
  co.versions = {Version::sslv3};
  auto p = connect_pair(so, co);
  ASSERT_TRUE(p.client.is_open());
  auto r = p.client.prf(master_secret, "EXPERIMENTAL essl", {PrfRandom::client_random}, 16);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, Error::Kind::other);
  EXPECT_EQ(r.error().detail, "undefined");
  EXPECT_EQ(format_error(r.error()), format_error(Error::other("undefined")));
}

}  // namespace
}  // namespace essl::test
