#include <gtest/gtest.h>

#include <set>

#include "essl/alert.hpp"
#include "essl/suites.hpp"

namespace essl {
namespace {

TEST(AlertNames, AtomsAndTexts) {
  EXPECT_EQ(alert_atom(AlertDescription::unknown_ca), "unknown_ca");
  EXPECT_EQ(alert_text(AlertDescription::unknown_ca), "unknown ca");
  EXPECT_EQ(alert_text(AlertDescription::bad_record_mac), "bad record mac");
  EXPECT_EQ(alert_text(AlertDescription::handshake_failure), "handshake failure");
  EXPECT_EQ(alert_atom(AlertDescription::no_application_protocol), "no_application_protocol");
  EXPECT_EQ(alert_atom(AlertDescription(3)), "unknown_alert");
  EXPECT_EQ(alert_text(AlertDescription(3)), "unknown alert");
  int known = 0;
  for (int v = 0; v < 256; ++v) {
    if (!alert_known(uint8_t(v))) continue;
    ++known;
    // The text is the atom with spaces.
    std::string atom(alert_atom(AlertDescription(v)));
    for (char& c : atom)
      if (c == '_') c = ' ';
    EXPECT_EQ(atom, alert_text(AlertDescription(v)));
  }
  EXPECT_EQ(known, 32);
}

TEST(Versions, Atoms) {
  EXPECT_EQ(version_atom(Version::tlsv1_1), "tlsv1.1");
  EXPECT_EQ(version_from_atom("tlsv1.2"), Version::tlsv1_2);
  EXPECT_EQ(version_from_atom("sslv3"), Version::sslv3);
  EXPECT_EQ(version_from_atom("tlsv1"), Version::tlsv1);
  EXPECT_FALSE(version_from_atom("tlsv1.3").has_value());
}

TEST(Suites, EnumAtoms) {
  EXPECT_EQ(atom(Cipher::des3_ede_cbc), "3des_ede_cbc");
  EXPECT_EQ(atom(Hash::sha), "sha");
  EXPECT_EQ(atom(KeyExchange::ecdhe_ecdsa), "ecdhe_ecdsa");
}

TEST(Suites, TableIsConsistent) {
  std::set<uint16_t> ids;
  std::set<std::string_view> names;
  for (const SuiteInfo& s : all_suites()) {
    EXPECT_TRUE(ids.insert(s.id).second) << s.erlang;
    EXPECT_TRUE(names.insert(s.erlang).second) << s.erlang;
    EXPECT_TRUE(names.insert(s.openssl).second) << s.openssl;
    EXPECT_EQ(find_suite(s.id), &s);
    EXPECT_EQ(find_suite(s.spec), &s);
    EXPECT_EQ(find_suite_by_name(s.erlang), &s);
    EXPECT_EQ(find_suite_by_name(s.openssl), &s);
    // The spec's name is kx_cipher_(mac or prf).
    std::string expect = std::string(atom(s.spec.key_exchange)) + "_" + std::string(atom(s.spec.cipher)) + "_" +
                         std::string(atom(s.spec.mac == Hash::null ? s.spec.prf : s.spec.mac));
    EXPECT_EQ(s.erlang, expect);
    bool tls12_only = s.spec.prf != Hash::null;
    EXPECT_EQ(tls12_only, s.min_version == Version::tlsv1_2) << s.erlang;
  }
  EXPECT_GE(all_suites().size(), 28u);
}

TEST(Suites, KnownIds) {
  EXPECT_EQ(find_suite(0xC02F)->erlang, "ecdhe_rsa_aes_128_gcm_sha256");
  EXPECT_EQ(find_suite(0xC02F)->openssl, "ECDHE-RSA-AES128-GCM-SHA256");
  EXPECT_EQ(find_suite(0x002F)->openssl, "AES128-SHA");
  EXPECT_EQ(find_suite(0x002F)->erlang, "rsa_aes_128_cbc_sha");
  EXPECT_EQ(find_suite(0x006B)->openssl, "DHE-RSA-AES256-SHA256");
  EXPECT_EQ(find_suite(0x000A)->erlang, "rsa_3des_ede_cbc_sha");
  EXPECT_EQ(find_suite(0xC030)->spec, (SuiteSpec{KeyExchange::ecdhe_rsa, Cipher::aes_256_gcm, Hash::null,
                                                 Hash::sha384}));
  EXPECT_EQ(find_suite(0xC028)->spec.prf, Hash::sha384);
  EXPECT_EQ(find_suite(0x003C)->spec.prf, Hash::sha256);
  EXPECT_EQ(find_suite(0x0035)->spec.prf, Hash::null);
  EXPECT_EQ(find_suite(0x0035)->min_version, Version::tlsv1);
  EXPECT_EQ(find_suite(0x00FF), nullptr);
  EXPECT_EQ(find_suite_by_name("DHE-RSA-DES-CBC3-SHA"), find_suite(0x0016));
  EXPECT_EQ(find_suite_by_name("nope"), nullptr);
  // The 3-tuple form names the TLS 1.2 suite with that {kx, cipher, mac}.
  EXPECT_EQ(find_suite(SuiteSpec{KeyExchange::rsa, Cipher::aes_128_cbc, Hash::sha256}), find_suite(0x003C));
  EXPECT_EQ(all_suites().front().id, 0xC02C);
}

TEST(Suites, Lists) {
  EXPECT_EQ(cipher_suites().size(), cipher_suites(SuiteListType::erlang).size());
  EXPECT_EQ(cipher_suites(SuiteListType::openssl).size(), cipher_suites(SuiteListType::erlang).size());
  EXPECT_LE(cipher_suites(SuiteListType::erlang).size(), cipher_suites(SuiteListType::all).size());
  EXPECT_EQ(cipher_suites(SuiteListType::all).size(), all_suites().size());
}

}  // namespace
}  // namespace essl
