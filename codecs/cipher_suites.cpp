// Versions and the cipher suite table (RFC 5246 A.5, RFC 4492/8422 6, RFC 5288, RFC 5289), with the
// spec's and OpenSSL's names.
#include <algorithm>
#include <array>

#include "essl/suites.hpp"

namespace essl {

std::string_view version_atom(Version v) {
  switch (v) {
    case Version::sslv3: return "sslv3";
    case Version::tlsv1: return "tlsv1";
    case Version::tlsv1_1: return "tlsv1.1";
    case Version::tlsv1_2: return "tlsv1.2";
  }
  return "unknown";
}

std::optional<Version> version_from_atom(std::string_view s) {
  for (Version v : {Version::sslv3, Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2})
    if (version_atom(v) == s) return v;
  return std::nullopt;
}

std::string_view atom(KeyExchange k) {
  using K = KeyExchange;
  switch (k) {
    case K::rsa: return "rsa";
    case K::dhe_dss: return "dhe_dss";
    case K::dhe_rsa: return "dhe_rsa";
    case K::dh_anon: return "dh_anon";
    case K::psk: return "psk";
    case K::dhe_psk: return "dhe_psk";
    case K::rsa_psk: return "rsa_psk";
    case K::srp_anon: return "srp_anon";
    case K::srp_dss: return "srp_dss";
    case K::srp_rsa: return "srp_rsa";
    case K::ecdh_anon: return "ecdh_anon";
    case K::ecdh_ecdsa: return "ecdh_ecdsa";
    case K::ecdhe_ecdsa: return "ecdhe_ecdsa";
    case K::ecdh_rsa: return "ecdh_rsa";
    case K::ecdhe_rsa: return "ecdhe_rsa";
  }
  return "unknown";
}

std::string_view atom(Cipher c) {
  switch (c) {
    case Cipher::null: return "null";
    case Cipher::rc4_128: return "rc4_128";
    case Cipher::des_cbc: return "des_cbc";
    case Cipher::des3_ede_cbc: return "3des_ede_cbc";
    case Cipher::aes_128_cbc: return "aes_128_cbc";
    case Cipher::aes_256_cbc: return "aes_256_cbc";
    case Cipher::aes_128_gcm: return "aes_128_gcm";
    case Cipher::aes_256_gcm: return "aes_256_gcm";
  }
  return "unknown";
}

std::string_view atom(Hash h) {
  switch (h) {
    case Hash::null: return "null";
    case Hash::md5: return "md5";
    case Hash::sha: return "sha";
    case Hash::sha224: return "sha224";
    case Hash::sha256: return "sha256";
    case Hash::sha384: return "sha384";
    case Hash::sha512: return "sha512";
    case Hash::md5sha: return "md5sha";
  }
  return "unknown";
}

namespace {

using K = KeyExchange;
using C = Cipher;
using H = Hash;
using V = Version;

// Strongest first: AEAD before CBC, 256-bit before 128-bit keys, forward-secret key exchanges before
// RSA key transport, ECDSA before RSA authentication, and 3DES last. GCM suites carry no MAC (the AEAD
// authenticates); TLS 1.2-only suites name their PRF hash, the others use the version's default PRF.
const std::vector<SuiteInfo> suite_table = {
    {0xC02C, {K::ecdhe_ecdsa, C::aes_256_gcm, H::null, H::sha384}, "ecdhe_ecdsa_aes_256_gcm_sha384",
     "ECDHE-ECDSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0xC030, {K::ecdhe_rsa, C::aes_256_gcm, H::null, H::sha384}, "ecdhe_rsa_aes_256_gcm_sha384",
     "ECDHE-RSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0xC024, {K::ecdhe_ecdsa, C::aes_256_cbc, H::sha384, H::sha384}, "ecdhe_ecdsa_aes_256_cbc_sha384",
     "ECDHE-ECDSA-AES256-SHA384", V::tlsv1_2},
    {0xC028, {K::ecdhe_rsa, C::aes_256_cbc, H::sha384, H::sha384}, "ecdhe_rsa_aes_256_cbc_sha384",
     "ECDHE-RSA-AES256-SHA384", V::tlsv1_2},
    {0x009F, {K::dhe_rsa, C::aes_256_gcm, H::null, H::sha384}, "dhe_rsa_aes_256_gcm_sha384",
     "DHE-RSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0x006B, {K::dhe_rsa, C::aes_256_cbc, H::sha256, H::sha256}, "dhe_rsa_aes_256_cbc_sha256",
     "DHE-RSA-AES256-SHA256", V::tlsv1_2},
    {0x009D, {K::rsa, C::aes_256_gcm, H::null, H::sha384}, "rsa_aes_256_gcm_sha384", "AES256-GCM-SHA384",
     V::tlsv1_2},
    {0x003D, {K::rsa, C::aes_256_cbc, H::sha256, H::sha256}, "rsa_aes_256_cbc_sha256", "AES256-SHA256",
     V::tlsv1_2},
    {0xC02B, {K::ecdhe_ecdsa, C::aes_128_gcm, H::null, H::sha256}, "ecdhe_ecdsa_aes_128_gcm_sha256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0xC02F, {K::ecdhe_rsa, C::aes_128_gcm, H::null, H::sha256}, "ecdhe_rsa_aes_128_gcm_sha256",
     "ECDHE-RSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0xC023, {K::ecdhe_ecdsa, C::aes_128_cbc, H::sha256, H::sha256}, "ecdhe_ecdsa_aes_128_cbc_sha256",
     "ECDHE-ECDSA-AES128-SHA256", V::tlsv1_2},
    {0xC027, {K::ecdhe_rsa, C::aes_128_cbc, H::sha256, H::sha256}, "ecdhe_rsa_aes_128_cbc_sha256",
     "ECDHE-RSA-AES128-SHA256", V::tlsv1_2},
    {0x009E, {K::dhe_rsa, C::aes_128_gcm, H::null, H::sha256}, "dhe_rsa_aes_128_gcm_sha256",
     "DHE-RSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0x0067, {K::dhe_rsa, C::aes_128_cbc, H::sha256, H::sha256}, "dhe_rsa_aes_128_cbc_sha256",
     "DHE-RSA-AES128-SHA256", V::tlsv1_2},
    {0x009C, {K::rsa, C::aes_128_gcm, H::null, H::sha256}, "rsa_aes_128_gcm_sha256", "AES128-GCM-SHA256",
     V::tlsv1_2},
    {0x003C, {K::rsa, C::aes_128_cbc, H::sha256, H::sha256}, "rsa_aes_128_cbc_sha256", "AES128-SHA256",
     V::tlsv1_2},
    {0xC00A, {K::ecdhe_ecdsa, C::aes_256_cbc, H::sha}, "ecdhe_ecdsa_aes_256_cbc_sha", "ECDHE-ECDSA-AES256-SHA",
     V::tlsv1},
    {0xC014, {K::ecdhe_rsa, C::aes_256_cbc, H::sha}, "ecdhe_rsa_aes_256_cbc_sha", "ECDHE-RSA-AES256-SHA",
     V::tlsv1},
    {0x0039, {K::dhe_rsa, C::aes_256_cbc, H::sha}, "dhe_rsa_aes_256_cbc_sha", "DHE-RSA-AES256-SHA", V::tlsv1},
    {0x0035, {K::rsa, C::aes_256_cbc, H::sha}, "rsa_aes_256_cbc_sha", "AES256-SHA", V::tlsv1},
    {0xC009, {K::ecdhe_ecdsa, C::aes_128_cbc, H::sha}, "ecdhe_ecdsa_aes_128_cbc_sha", "ECDHE-ECDSA-AES128-SHA",
     V::tlsv1},
    {0xC013, {K::ecdhe_rsa, C::aes_128_cbc, H::sha}, "ecdhe_rsa_aes_128_cbc_sha", "ECDHE-RSA-AES128-SHA",
     V::tlsv1},
    {0x0033, {K::dhe_rsa, C::aes_128_cbc, H::sha}, "dhe_rsa_aes_128_cbc_sha", "DHE-RSA-AES128-SHA", V::tlsv1},
    {0x002F, {K::rsa, C::aes_128_cbc, H::sha}, "rsa_aes_128_cbc_sha", "AES128-SHA", V::tlsv1},
    {0xC008, {K::ecdhe_ecdsa, C::des3_ede_cbc, H::sha}, "ecdhe_ecdsa_3des_ede_cbc_sha",
     "ECDHE-ECDSA-DES-CBC3-SHA", V::tlsv1},
    {0xC012, {K::ecdhe_rsa, C::des3_ede_cbc, H::sha}, "ecdhe_rsa_3des_ede_cbc_sha", "ECDHE-RSA-DES-CBC3-SHA",
     V::tlsv1},
    {0x0016, {K::dhe_rsa, C::des3_ede_cbc, H::sha}, "dhe_rsa_3des_ede_cbc_sha", "EDH-RSA-DES-CBC3-SHA",
     V::sslv3},
    {0x000A, {K::rsa, C::des3_ede_cbc, H::sha}, "rsa_3des_ede_cbc_sha", "DES-CBC3-SHA", V::sslv3},
};

// OpenSSL 1.1 renamed the EDH- suites to DHE-; both spellings find the suite.
struct Alias {
  std::string_view name;
  uint16_t id;
};
constexpr std::array<Alias, 1> openssl_aliases = {{{"DHE-RSA-DES-CBC3-SHA", 0x0016}}};

// The spec's default list leaves out RC4, anonymous, PSK, SRP and NULL-cipher suites: they are only used
// when configured explicitly.
bool in_default_list(const SuiteInfo& s) {
  switch (s.spec.key_exchange) {
    case K::dh_anon:
    case K::ecdh_anon:
    case K::psk:
    case K::dhe_psk:
    case K::rsa_psk:
    case K::srp_anon:
    case K::srp_dss:
    case K::srp_rsa:
      return false;
    default:
      break;
  }
  return s.spec.cipher != C::rc4_128 && s.spec.cipher != C::null;
}

}  // namespace

const std::vector<SuiteInfo>& all_suites() { return suite_table; }

const SuiteInfo* find_suite(uint16_t id) {
  for (const SuiteInfo& s : suite_table)
    if (s.id == id) return &s;
  return nullptr;
}

// An exact {kx, cipher, mac, prf} match; a 3-tuple (prf null) also names the suite that differs only in
// its PRF, as the spec's 3-tuple form does for TLS 1.2 suites.
const SuiteInfo* find_suite(const SuiteSpec& spec) {
  for (const SuiteInfo& s : suite_table)
    if (s.spec == spec) return &s;
  if (spec.prf != Hash::null) return nullptr;
  for (const SuiteInfo& s : suite_table)
    if (s.spec.key_exchange == spec.key_exchange && s.spec.cipher == spec.cipher && s.spec.mac == spec.mac)
      return &s;
  return nullptr;
}

const SuiteInfo* find_suite_by_name(std::string_view name) {
  for (const SuiteInfo& s : suite_table)
    if (s.erlang == name || s.openssl == name) return &s;
  for (const Alias& a : openssl_aliases)
    if (a.name == name) return find_suite(a.id);
  return nullptr;
}

std::vector<SuiteInfo> cipher_suites(SuiteListType t) {
  std::vector<SuiteInfo> out;
  std::copy_if(suite_table.begin(), suite_table.end(), std::back_inserter(out),
               [t](const SuiteInfo& s) { return t == SuiteListType::all || in_default_list(s); });
  return out;
}

}  // namespace essl
