// The suite table against the RFCs' lists, the default list, and OpenSSL-format cipher strings.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "essl/suites.hpp"

namespace essl {
namespace {

using K = KeyExchange;

// IANA values per RFC for the key exchanges and ciphers of the spec (no export, IDEA, NULL or static DH).
const std::map<std::string_view, std::set<uint16_t>> rfc_ids = {
    {"RFC 5246 A.5 / RFC 4346 A.5 (RSA, DHE, DH_anon; DES)",
     {0x0004, 0x0005, 0x0009, 0x000A, 0x0012, 0x0013, 0x0015, 0x0016, 0x0018, 0x001A, 0x001B, 0x002F, 0x0032,
      0x0033, 0x0034, 0x0035, 0x0038, 0x0039, 0x003A, 0x003C, 0x003D, 0x0040, 0x0067, 0x006A, 0x006B, 0x006C,
      0x006D}},
    {"RFC 5288 (AES-GCM)", {0x009C, 0x009D, 0x009E, 0x009F, 0x00A2, 0x00A3, 0x00A6, 0x00A7}},
    {"RFC 4492 (ECC)",
     {0xC002, 0xC003, 0xC004, 0xC005, 0xC007, 0xC008, 0xC009, 0xC00A, 0xC00C, 0xC00D, 0xC00E, 0xC00F, 0xC011,
      0xC012, 0xC013, 0xC014, 0xC016, 0xC017, 0xC018, 0xC019}},
    {"RFC 5289 (ECC with SHA-256/384 and GCM)",
     {0xC023, 0xC024, 0xC025, 0xC026, 0xC027, 0xC028, 0xC029, 0xC02A, 0xC02B, 0xC02C, 0xC02D, 0xC02E, 0xC02F,
      0xC030, 0xC031, 0xC032}},
    {"RFC 4279 (PSK)", {0x008A, 0x008B, 0x008C, 0x008D, 0x008E, 0x008F, 0x0090, 0x0091, 0x0092, 0x0093, 0x0094, 0x0095}},
    {"RFC 5487 (PSK with SHA-256/384 and GCM)",
     {0x00A8, 0x00A9, 0x00AA, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x00AF, 0x00B2, 0x00B3, 0x00B6, 0x00B7}},
    {"RFC 5054 (SRP)", {0xC01A, 0xC01B, 0xC01C, 0xC01D, 0xC01E, 0xC01F, 0xC020, 0xC021, 0xC022}},
};

TEST(SuiteTable, EveryRfcSuiteAndNothingElse) {
  std::set<uint16_t> want, have;
  for (const auto& [rfc, ids] : rfc_ids) want.insert(ids.begin(), ids.end());
  for (const SuiteInfo& s : all_suites()) have.insert(s.id);
  EXPECT_EQ(have, want);
  EXPECT_EQ(all_suites().size(), want.size());
  EXPECT_EQ(cipher_suites(SuiteListType::all).size(), all_suites().size());
}

TEST(SuiteTable, NamesTuplesAndVersions) {
  for (const SuiteInfo& s : all_suites()) {
    SCOPED_TRACE(s.erlang);
    const bool aead = s.spec.cipher == Cipher::aes_128_gcm || s.spec.cipher == Cipher::aes_256_gcm;
    EXPECT_EQ(aead, s.spec.mac == Hash::null);
    const bool sha2 = s.spec.mac == Hash::sha256 || s.spec.mac == Hash::sha384;
    // GCM and SHA-256/384 suites: TLS 1.2 only, and they name their PRF (the spec's 4-tuple).
    EXPECT_EQ(aead || sha2, s.min_version == Version::tlsv1_2);
    EXPECT_EQ(aead || sha2, s.spec.prf != Hash::null);
    if (sha2) {
      EXPECT_EQ(s.spec.prf, s.spec.mac);
    }
    EXPECT_EQ(s.max_version, Version::tlsv1_2);
    // SSL 3.0 has RSA, DHE and DH_anon with RC4, DES and 3DES only.
    if (s.min_version == Version::sslv3) {
      EXPECT_TRUE(s.spec.cipher == Cipher::rc4_128 || s.spec.cipher == Cipher::des_cbc ||
                  s.spec.cipher == Cipher::des3_ede_cbc);
      EXPECT_TRUE(s.spec.key_exchange == K::rsa || s.spec.key_exchange == K::dhe_rsa ||
                  s.spec.key_exchange == K::dhe_dss || s.spec.key_exchange == K::dh_anon);
    }
    EXPECT_TRUE(s.spec.mac != Hash::md5 || s.spec.cipher == Cipher::rc4_128);
    EXPECT_EQ(s.erlang, std::string(atom(s.spec.key_exchange)) + "_" + std::string(atom(s.spec.cipher)) + "_" +
                            std::string(atom(aead ? s.spec.prf : s.spec.mac)));
    EXPECT_EQ(find_suite(s.spec), &s);
    EXPECT_EQ(find_suite_by_name(s.openssl), &s);
  }
}

TEST(SuiteTable, SpotChecks) {
  EXPECT_EQ(find_suite(0x0004)->erlang, "rsa_rc4_128_md5");
  EXPECT_EQ(find_suite(0x0004)->openssl, "RC4-MD5");
  EXPECT_EQ(find_suite(0x0004)->min_version, Version::sslv3);
  EXPECT_EQ(find_suite(0x008C)->erlang, "psk_aes_128_cbc_sha");
  EXPECT_EQ(find_suite(0x008C)->openssl, "PSK-AES128-CBC-SHA");
  EXPECT_EQ(find_suite(0xC01D)->erlang, "srp_anon_aes_128_cbc_sha");
  EXPECT_EQ(find_suite(0xC01D)->openssl, "SRP-AES-128-CBC-SHA");
  EXPECT_EQ(find_suite(0xC021)->spec, (SuiteSpec{K::srp_rsa, Cipher::aes_256_cbc, Hash::sha}));
  EXPECT_EQ(find_suite(0x0009)->erlang, "rsa_des_cbc_sha");
  EXPECT_EQ(find_suite(0x0015)->openssl, "EDH-RSA-DES-CBC-SHA");
  EXPECT_EQ(find_suite(0xC031)->erlang, "ecdh_rsa_aes_128_gcm_sha256");
  EXPECT_EQ(find_suite(0x00AF)->spec, (SuiteSpec{K::psk, Cipher::aes_256_cbc, Hash::sha384, Hash::sha384}));
  EXPECT_EQ(find_suite(0x00A7)->spec, (SuiteSpec{K::dh_anon, Cipher::aes_256_gcm, Hash::null, Hash::sha384}));
  EXPECT_EQ(find_suite(0xC016)->erlang, "ecdh_anon_rc4_128_sha");
  // Other spellings: OpenSSL 1.1's DHE- names, Erlang/OTP's SRP and PSK names.
  EXPECT_EQ(find_suite_by_name("DHE-RSA-DES-CBC-SHA"), find_suite(0x0015));
  EXPECT_EQ(find_suite_by_name("DHE-DSS-DES-CBC3-SHA"), find_suite(0x0013));
  EXPECT_EQ(find_suite_by_name("SRP-DSS-AES256-CBC-SHA"), find_suite(0xC022));
  EXPECT_EQ(to_string(find_suite(0x0004)->spec), "{rsa,rc4_128,md5}");
  EXPECT_EQ(to_string(find_suite(0xC02F)->spec), "{ecdhe_rsa,aes_128_gcm,null,sha256}");
}

TEST(SuiteTable, DefaultListFirstAndWithoutRc4AnonPskSrp) {
  const auto& all = all_suites();
  auto first_other = std::find_if(all.begin(), all.end(), [](const SuiteInfo& s) { return !s.in_default; });
  EXPECT_TRUE(std::all_of(first_other, all.end(), [](const SuiteInfo& s) { return !s.in_default; }));
  const auto defaults = cipher_suites();
  EXPECT_EQ(defaults.size(), size_t(first_other - all.begin()));
  EXPECT_EQ(cipher_suites(SuiteListType::openssl).size(), defaults.size());
  const std::set<K> default_kx = {K::rsa, K::dhe_rsa, K::dhe_dss, K::ecdhe_rsa, K::ecdhe_ecdsa, K::ecdh_rsa, K::ecdh_ecdsa};
  for (const SuiteInfo& s : all) {
    // reference-behaviour.md: ECDHE, DHE, ECDH and RSA key exchange with AES-GCM, AES-CBC, 3DES, DES.
    const bool expect = default_kx.count(s.spec.key_exchange) && s.spec.cipher != Cipher::rc4_128;
    EXPECT_EQ(s.in_default, expect) << s.erlang;
  }
  EXPECT_EQ(defaults.size(), 52u);
  EXPECT_EQ(defaults.front().id, 0xC02C);
  EXPECT_EQ(defaults.back().spec.cipher, Cipher::des_cbc);
}

// Strongest first: in each list, TLS 1.2 before older suites; among TLS 1.2 suites 256-bit keys first;
// among the others, cipher strength never rises; for one key exchange and key size, AEAD before CBC.
TEST(SuiteTable, StrongestFirst) {
  auto check = [](const std::vector<const SuiteInfo*>& list) {
    for (size_t i = 1; i < list.size(); ++i) {
      const SuiteInfo& a = *list[i - 1];
      const SuiteInfo& b = *list[i];
      SCOPED_TRACE(std::string(a.erlang) + " then " + std::string(b.erlang));
      EXPECT_FALSE(a.min_version != Version::tlsv1_2 && b.min_version == Version::tlsv1_2);
      if (a.min_version == b.min_version) {
        EXPECT_GE(cipher_bits(a.spec.cipher), cipher_bits(b.spec.cipher));
      }
    }
    for (const SuiteInfo* gcm : list) {
      for (const SuiteInfo* cbc : list) {
        if (gcm->spec.mac == Hash::null && cbc->spec.mac != Hash::null &&
            gcm->spec.key_exchange == cbc->spec.key_exchange &&
            cipher_bits(gcm->spec.cipher) == cipher_bits(cbc->spec.cipher)) {
          EXPECT_LT(std::find(list.begin(), list.end(), gcm), std::find(list.begin(), list.end(), cbc))
              << gcm->erlang << " / " << cbc->erlang;
        }
      }
    }
  };
  std::vector<const SuiteInfo*> defaults, psk, rest;
  for (const SuiteInfo& s : all_suites()) {
    const bool is_psk = s.spec.key_exchange == K::psk || s.spec.key_exchange == K::dhe_psk || s.spec.key_exchange == K::rsa_psk;
    (s.in_default ? defaults : is_psk && s.spec.cipher != Cipher::rc4_128 ? psk : rest).push_back(&s);
  }
  check(defaults);
  check(psk);
}

TEST(SuiteTable, ImplementedKeyExchanges) {
  for (const SuiteInfo& s : all_suites()) EXPECT_TRUE(key_exchange_implemented(s.spec.key_exchange)) << s.erlang;
}

// ---- cipher strings ----

std::vector<std::string_view> parse(std::string_view text) {
  auto r = parse_cipher_string(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error());
  std::vector<std::string_view> out;
  if (r.ok())
    for (const SuiteInfo* s : r.value()) out.push_back(s->openssl);
  return out;
}

std::string error_of(std::string_view text) {
  auto r = parse_cipher_string(text);
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.error();
}

TEST(CipherString, NamesInOrder) {
  using L = std::vector<std::string_view>;
  EXPECT_EQ(parse("ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA"), (L{"ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA"}));
  EXPECT_EQ(parse("rsa_rc4_128_md5,ecdhe_rsa_aes_256_gcm_sha384"), (L{"RC4-MD5", "ECDHE-RSA-AES256-GCM-SHA384"}));
  EXPECT_EQ(parse(" RC4-SHA ; DES-CBC-SHA::RC4-SHA, "), (L{"RC4-SHA", "DES-CBC-SHA"}));
  EXPECT_EQ(parse("DHE-RSA-DES-CBC3-SHA"), (L{"EDH-RSA-DES-CBC3-SHA"}));
}

TEST(CipherString, Keywords) {
  using L = std::vector<std::string_view>;
  EXPECT_EQ(parse("ALL").size(), all_suites().size());
  EXPECT_EQ(parse("DEFAULT").size(), cipher_suites().size());
  EXPECT_EQ(parse("COMPLEMENTOFDEFAULT").size(), all_suites().size() - cipher_suites().size());
  EXPECT_EQ(parse("kRSA+RC4"), (L{"RC4-SHA", "RC4-MD5"}));
  EXPECT_EQ(parse("RC4+MD5"), (L{"RC4-MD5", "ADH-RC4-MD5"}));
  EXPECT_EQ(parse("ECDHE+AES256+SHA1"), (L{"ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA"}));
  EXPECT_EQ(parse("LOW"), (L{"EDH-RSA-DES-CBC-SHA", "EDH-DSS-DES-CBC-SHA", "DES-CBC-SHA", "ADH-DES-CBC-SHA"}));
  EXPECT_EQ(parse("aNULL+3DES"), (L{"AECDH-DES-CBC3-SHA", "ADH-DES-CBC3-SHA"}));
  EXPECT_EQ(parse("kSRP+aRSA+AES128"), (L{"SRP-RSA-AES-128-CBC-SHA"}));
  EXPECT_EQ(parse("PSK+AESGCM+AES256"), (L{"DHE-PSK-AES256-GCM-SHA384", "RSA-PSK-AES256-GCM-SHA384", "PSK-AES256-GCM-SHA384"}));
  for (std::string_view n : parse("TLSv1.2")) EXPECT_EQ(find_suite_by_name(n)->min_version, Version::tlsv1_2);
  for (std::string_view n : parse("HIGH")) EXPECT_GE(cipher_bits(find_suite_by_name(n)->spec.cipher), 128u);
  // Keywords for algorithms essl lacks select nothing but are not errors.
  EXPECT_EQ(parse("CHACHA20:CAMELLIA:eNULL:AES128-SHA"), (L{"AES128-SHA"}));
}

TEST(CipherString, Operators) {
  using L = std::vector<std::string_view>;
  // '!' removes for good, '-' only until added again.
  for (std::string_view n : parse("!RC4:ALL")) EXPECT_EQ(n.find("RC4"), std::string_view::npos) << n;
  EXPECT_EQ(parse("-RC4:ALL").size(), all_suites().size());
  EXPECT_EQ(parse("ALL:!aNULL:!PSK:!SRP:!RC4").size(), cipher_suites().size());
  // '+' moves to the end, keeping the order.
  const auto moved = parse("RC4-SHA:AES128-SHA:RC4-MD5:DES-CBC3-SHA:+RC4");
  EXPECT_EQ(moved, (L{"AES128-SHA", "DES-CBC3-SHA", "RC4-SHA", "RC4-MD5"}));
  // Adding an active suite again leaves it where it is.
  EXPECT_EQ(parse("AES128-SHA:RC4-SHA:AES128-SHA"), (L{"AES128-SHA", "RC4-SHA"}));
  // @STRENGTH: by cipher bits, stable; @SECLEVEL is accepted and changes nothing.
  EXPECT_EQ(parse("DES-CBC-SHA:RC4-SHA:DES-CBC3-SHA:AES256-SHA:AES128-SHA:@STRENGTH:@SECLEVEL=0"),
            (L{"AES256-SHA", "RC4-SHA", "AES128-SHA", "DES-CBC3-SHA", "DES-CBC-SHA"}));
}

TEST(CipherString, Errors) {
  EXPECT_NE(error_of("NOT-A-SUITE").find("NOT-A-SUITE"), std::string::npos);
  EXPECT_NE(error_of("AES128-SHA:kRSA+FOO").find("FOO"), std::string::npos);
  EXPECT_NE(error_of("ALL:!ALL").find("no cipher suite"), std::string::npos);
  for (std::string_view bad : {"", ":", "!", "+", "-:", "AES+", "+AES+", "@STRENGTHS", "@SECLEVEL=9", "!@STRENGTH",
                               "CHACHA20", "rsa_aes_128_cbc_sha256x", "aes128-sha"})
    error_of(bad);
  const std::string long_word(5000, 'X');
  EXPECT_LT(error_of(long_word).size(), 200u);
  EXPECT_EQ(error_of(std::string("\x01\xff", 2)).find('\x01'), std::string::npos);
}

}  // namespace
}  // namespace essl
