// Versions and the cipher suite table (RFC 5246 A.5, RFC 4346 A.5 for DES, RFC 4492 6, RFC 4279 2-4,
// RFC 5054 2.7, RFC 5288 3, RFC 5289 3, RFC 5487 3), with the spec's and OpenSSL's names, and the
// OpenSSL-format cipher strings of the `ciphers` option.
#include <algorithm>
#include <array>
#include <functional>

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

std::string to_string(const SuiteSpec& s) {
  std::string out = "{" + std::string(atom(s.key_exchange)) + "," + std::string(atom(s.cipher)) + "," +
                    std::string(atom(s.mac));
  if (s.prf != Hash::null) out += "," + std::string(atom(s.prf));
  return out + "}";
}

// The key exchanges the handshake implements: all of the spec's. (The switch stays the one place where
// a key exchange would be switched off: its suites would still be listed, but never offered or selected.)
bool key_exchange_implemented(KeyExchange k) {
  switch (k) {
    case KeyExchange::rsa:
    case KeyExchange::dhe_rsa:
    case KeyExchange::ecdhe_rsa:
    case KeyExchange::ecdhe_ecdsa:
    case KeyExchange::dhe_dss:
    case KeyExchange::ecdh_ecdsa:
    case KeyExchange::ecdh_rsa:
    case KeyExchange::dh_anon:
    case KeyExchange::ecdh_anon:
    case KeyExchange::psk:
    case KeyExchange::dhe_psk:
    case KeyExchange::rsa_psk:
    case KeyExchange::srp_anon:
    case KeyExchange::srp_dss:
    case KeyExchange::srp_rsa: return true;
  }
  return false;
}

unsigned cipher_bits(Cipher c) {
  switch (c) {
    case Cipher::null: return 0;
    case Cipher::des_cbc: return 56;
    case Cipher::des3_ede_cbc: return 112;  // meet-in-the-middle: 168-bit key, 112-bit strength
    case Cipher::rc4_128:
    case Cipher::aes_128_cbc:
    case Cipher::aes_128_gcm: return 128;
    case Cipher::aes_256_cbc:
    case Cipher::aes_256_gcm: return 256;
  }
  return 0;
}

namespace {

using K = KeyExchange;
using C = Cipher;
using H = Hash;
using V = Version;

// The spec's default list leaves out RC4, anonymous, PSK, SRP and NULL-cipher suites: they are only used
// when configured explicitly (reference-behaviour.md: ECDHE, DHE, ECDH and RSA key exchange with AES-GCM,
// AES-CBC, 3DES and DES).
bool default_rule(const SuiteInfo& s) {
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

std::vector<SuiteInfo> with_default_flags(std::vector<SuiteInfo> t) {
  for (SuiteInfo& s : t) s.in_default = default_rule(s);
  return t;
}

// Strongest first: within the default list, TLS 1.2 suites with 256-bit keys, then with 128-bit keys
// (AEAD before CBC, forward-secret key exchanges before static ECDH before RSA key transport, ECDSA
// before RSA authentication), then the SHA-1 AES suites, 3DES and DES. The suites that are only used
// when configured follow in the same order. GCM suites carry no MAC (the AEAD authenticates); TLS
// 1.2-only suites name their PRF hash, the others use the version's default PRF.
// Version ranges: the GCM and SHA-256/384 suites exist only in TLS 1.2 (RFC 5288 4, RFC 5289 4; the
// PSK ones as the spec offers them); the ECC (RFC 4492), AES (RFC 3268), PSK (RFC 4279) and SRP (RFC 5054)
// suites start at TLS 1.0; RC4, DES and 3DES with RSA and DH key exchange date back to SSL 3.0 (RFC 6101
// A.6).
const std::vector<SuiteInfo> suite_table = with_default_flags({
    // ---- the default list: ECDHE, ECDH, DHE and RSA key exchange with AES-GCM, AES-CBC, 3DES, DES ----
    // TLS 1.2: 256-bit keys (RFC 5289, 5288, 5246)
    {0xC02C, {K::ecdhe_ecdsa, C::aes_256_gcm, H::null, H::sha384}, "ecdhe_ecdsa_aes_256_gcm_sha384",
     "ECDHE-ECDSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0xC030, {K::ecdhe_rsa, C::aes_256_gcm, H::null, H::sha384}, "ecdhe_rsa_aes_256_gcm_sha384",
     "ECDHE-RSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0xC024, {K::ecdhe_ecdsa, C::aes_256_cbc, H::sha384, H::sha384}, "ecdhe_ecdsa_aes_256_cbc_sha384",
     "ECDHE-ECDSA-AES256-SHA384", V::tlsv1_2},
    {0xC028, {K::ecdhe_rsa, C::aes_256_cbc, H::sha384, H::sha384}, "ecdhe_rsa_aes_256_cbc_sha384",
     "ECDHE-RSA-AES256-SHA384", V::tlsv1_2},
    {0xC02E, {K::ecdh_ecdsa, C::aes_256_gcm, H::null, H::sha384}, "ecdh_ecdsa_aes_256_gcm_sha384",
     "ECDH-ECDSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0xC032, {K::ecdh_rsa, C::aes_256_gcm, H::null, H::sha384}, "ecdh_rsa_aes_256_gcm_sha384",
     "ECDH-RSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0xC026, {K::ecdh_ecdsa, C::aes_256_cbc, H::sha384, H::sha384}, "ecdh_ecdsa_aes_256_cbc_sha384",
     "ECDH-ECDSA-AES256-SHA384", V::tlsv1_2},
    {0xC02A, {K::ecdh_rsa, C::aes_256_cbc, H::sha384, H::sha384}, "ecdh_rsa_aes_256_cbc_sha384",
     "ECDH-RSA-AES256-SHA384", V::tlsv1_2},
    {0x009F, {K::dhe_rsa, C::aes_256_gcm, H::null, H::sha384}, "dhe_rsa_aes_256_gcm_sha384",
     "DHE-RSA-AES256-GCM-SHA384", V::tlsv1_2},
    {0x00A3, {K::dhe_dss, C::aes_256_gcm, H::null, H::sha384}, "dhe_dss_aes_256_gcm_sha384",
     "DHE-DSS-AES256-GCM-SHA384", V::tlsv1_2},
    {0x006B, {K::dhe_rsa, C::aes_256_cbc, H::sha256, H::sha256}, "dhe_rsa_aes_256_cbc_sha256",
     "DHE-RSA-AES256-SHA256", V::tlsv1_2},
    {0x006A, {K::dhe_dss, C::aes_256_cbc, H::sha256, H::sha256}, "dhe_dss_aes_256_cbc_sha256",
     "DHE-DSS-AES256-SHA256", V::tlsv1_2},
    {0x009D, {K::rsa, C::aes_256_gcm, H::null, H::sha384}, "rsa_aes_256_gcm_sha384", "AES256-GCM-SHA384", V::tlsv1_2},
    {0x003D, {K::rsa, C::aes_256_cbc, H::sha256, H::sha256}, "rsa_aes_256_cbc_sha256", "AES256-SHA256", V::tlsv1_2},
    // TLS 1.2: 128-bit keys
    {0xC02B, {K::ecdhe_ecdsa, C::aes_128_gcm, H::null, H::sha256}, "ecdhe_ecdsa_aes_128_gcm_sha256",
     "ECDHE-ECDSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0xC02F, {K::ecdhe_rsa, C::aes_128_gcm, H::null, H::sha256}, "ecdhe_rsa_aes_128_gcm_sha256",
     "ECDHE-RSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0xC023, {K::ecdhe_ecdsa, C::aes_128_cbc, H::sha256, H::sha256}, "ecdhe_ecdsa_aes_128_cbc_sha256",
     "ECDHE-ECDSA-AES128-SHA256", V::tlsv1_2},
    {0xC027, {K::ecdhe_rsa, C::aes_128_cbc, H::sha256, H::sha256}, "ecdhe_rsa_aes_128_cbc_sha256",
     "ECDHE-RSA-AES128-SHA256", V::tlsv1_2},
    {0xC02D, {K::ecdh_ecdsa, C::aes_128_gcm, H::null, H::sha256}, "ecdh_ecdsa_aes_128_gcm_sha256",
     "ECDH-ECDSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0xC031, {K::ecdh_rsa, C::aes_128_gcm, H::null, H::sha256}, "ecdh_rsa_aes_128_gcm_sha256",
     "ECDH-RSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0xC025, {K::ecdh_ecdsa, C::aes_128_cbc, H::sha256, H::sha256}, "ecdh_ecdsa_aes_128_cbc_sha256",
     "ECDH-ECDSA-AES128-SHA256", V::tlsv1_2},
    {0xC029, {K::ecdh_rsa, C::aes_128_cbc, H::sha256, H::sha256}, "ecdh_rsa_aes_128_cbc_sha256",
     "ECDH-RSA-AES128-SHA256", V::tlsv1_2},
    {0x009E, {K::dhe_rsa, C::aes_128_gcm, H::null, H::sha256}, "dhe_rsa_aes_128_gcm_sha256",
     "DHE-RSA-AES128-GCM-SHA256", V::tlsv1_2},
    {0x00A2, {K::dhe_dss, C::aes_128_gcm, H::null, H::sha256}, "dhe_dss_aes_128_gcm_sha256",
     "DHE-DSS-AES128-GCM-SHA256", V::tlsv1_2},
    {0x0067, {K::dhe_rsa, C::aes_128_cbc, H::sha256, H::sha256}, "dhe_rsa_aes_128_cbc_sha256",
     "DHE-RSA-AES128-SHA256", V::tlsv1_2},
    {0x0040, {K::dhe_dss, C::aes_128_cbc, H::sha256, H::sha256}, "dhe_dss_aes_128_cbc_sha256",
     "DHE-DSS-AES128-SHA256", V::tlsv1_2},
    {0x009C, {K::rsa, C::aes_128_gcm, H::null, H::sha256}, "rsa_aes_128_gcm_sha256", "AES128-GCM-SHA256", V::tlsv1_2},
    {0x003C, {K::rsa, C::aes_128_cbc, H::sha256, H::sha256}, "rsa_aes_128_cbc_sha256", "AES128-SHA256", V::tlsv1_2},
    // TLS 1.0 on: AES with SHA-1 (RFC 4492, 5246)
    {0xC00A, {K::ecdhe_ecdsa, C::aes_256_cbc, H::sha}, "ecdhe_ecdsa_aes_256_cbc_sha",
     "ECDHE-ECDSA-AES256-SHA", V::tlsv1},
    {0xC014, {K::ecdhe_rsa, C::aes_256_cbc, H::sha}, "ecdhe_rsa_aes_256_cbc_sha", "ECDHE-RSA-AES256-SHA", V::tlsv1},
    {0xC005, {K::ecdh_ecdsa, C::aes_256_cbc, H::sha}, "ecdh_ecdsa_aes_256_cbc_sha",
     "ECDH-ECDSA-AES256-SHA", V::tlsv1},
    {0xC00F, {K::ecdh_rsa, C::aes_256_cbc, H::sha}, "ecdh_rsa_aes_256_cbc_sha", "ECDH-RSA-AES256-SHA", V::tlsv1},
    {0x0039, {K::dhe_rsa, C::aes_256_cbc, H::sha}, "dhe_rsa_aes_256_cbc_sha", "DHE-RSA-AES256-SHA", V::tlsv1},
    {0x0038, {K::dhe_dss, C::aes_256_cbc, H::sha}, "dhe_dss_aes_256_cbc_sha", "DHE-DSS-AES256-SHA", V::tlsv1},
    {0x0035, {K::rsa, C::aes_256_cbc, H::sha}, "rsa_aes_256_cbc_sha", "AES256-SHA", V::tlsv1},
    {0xC009, {K::ecdhe_ecdsa, C::aes_128_cbc, H::sha}, "ecdhe_ecdsa_aes_128_cbc_sha",
     "ECDHE-ECDSA-AES128-SHA", V::tlsv1},
    {0xC013, {K::ecdhe_rsa, C::aes_128_cbc, H::sha}, "ecdhe_rsa_aes_128_cbc_sha", "ECDHE-RSA-AES128-SHA", V::tlsv1},
    {0xC004, {K::ecdh_ecdsa, C::aes_128_cbc, H::sha}, "ecdh_ecdsa_aes_128_cbc_sha",
     "ECDH-ECDSA-AES128-SHA", V::tlsv1},
    {0xC00E, {K::ecdh_rsa, C::aes_128_cbc, H::sha}, "ecdh_rsa_aes_128_cbc_sha", "ECDH-RSA-AES128-SHA", V::tlsv1},
    {0x0033, {K::dhe_rsa, C::aes_128_cbc, H::sha}, "dhe_rsa_aes_128_cbc_sha", "DHE-RSA-AES128-SHA", V::tlsv1},
    {0x0032, {K::dhe_dss, C::aes_128_cbc, H::sha}, "dhe_dss_aes_128_cbc_sha", "DHE-DSS-AES128-SHA", V::tlsv1},
    {0x002F, {K::rsa, C::aes_128_cbc, H::sha}, "rsa_aes_128_cbc_sha", "AES128-SHA", V::tlsv1},
    // 3DES (the non-ECC ones from SSL 3.0 on)
    {0xC008, {K::ecdhe_ecdsa, C::des3_ede_cbc, H::sha}, "ecdhe_ecdsa_3des_ede_cbc_sha",
     "ECDHE-ECDSA-DES-CBC3-SHA", V::tlsv1},
    {0xC012, {K::ecdhe_rsa, C::des3_ede_cbc, H::sha}, "ecdhe_rsa_3des_ede_cbc_sha",
     "ECDHE-RSA-DES-CBC3-SHA", V::tlsv1},
    {0xC003, {K::ecdh_ecdsa, C::des3_ede_cbc, H::sha}, "ecdh_ecdsa_3des_ede_cbc_sha",
     "ECDH-ECDSA-DES-CBC3-SHA", V::tlsv1},
    {0xC00D, {K::ecdh_rsa, C::des3_ede_cbc, H::sha}, "ecdh_rsa_3des_ede_cbc_sha", "ECDH-RSA-DES-CBC3-SHA", V::tlsv1},
    {0x0016, {K::dhe_rsa, C::des3_ede_cbc, H::sha}, "dhe_rsa_3des_ede_cbc_sha", "EDH-RSA-DES-CBC3-SHA", V::sslv3},
    {0x0013, {K::dhe_dss, C::des3_ede_cbc, H::sha}, "dhe_dss_3des_ede_cbc_sha", "EDH-DSS-DES-CBC3-SHA", V::sslv3},
    {0x000A, {K::rsa, C::des3_ede_cbc, H::sha}, "rsa_3des_ede_cbc_sha", "DES-CBC3-SHA", V::sslv3},
    // DES (RFC 4346 A.5; RFC 5469 deprecates them, TLS 1.2 left them out of its list)
    {0x0015, {K::dhe_rsa, C::des_cbc, H::sha}, "dhe_rsa_des_cbc_sha", "EDH-RSA-DES-CBC-SHA", V::sslv3},
    {0x0012, {K::dhe_dss, C::des_cbc, H::sha}, "dhe_dss_des_cbc_sha", "EDH-DSS-DES-CBC-SHA", V::sslv3},
    {0x0009, {K::rsa, C::des_cbc, H::sha}, "rsa_des_cbc_sha", "DES-CBC-SHA", V::sslv3},
    // ---- PSK (RFC 4279, RFC 5487) ----
    {0x00AB, {K::dhe_psk, C::aes_256_gcm, H::null, H::sha384}, "dhe_psk_aes_256_gcm_sha384",
     "DHE-PSK-AES256-GCM-SHA384", V::tlsv1_2},
    {0x00AD, {K::rsa_psk, C::aes_256_gcm, H::null, H::sha384}, "rsa_psk_aes_256_gcm_sha384",
     "RSA-PSK-AES256-GCM-SHA384", V::tlsv1_2},
    {0x00A9, {K::psk, C::aes_256_gcm, H::null, H::sha384}, "psk_aes_256_gcm_sha384",
     "PSK-AES256-GCM-SHA384", V::tlsv1_2},
    {0x00B3, {K::dhe_psk, C::aes_256_cbc, H::sha384, H::sha384}, "dhe_psk_aes_256_cbc_sha384",
     "DHE-PSK-AES256-CBC-SHA384", V::tlsv1_2},
    {0x00B7, {K::rsa_psk, C::aes_256_cbc, H::sha384, H::sha384}, "rsa_psk_aes_256_cbc_sha384",
     "RSA-PSK-AES256-CBC-SHA384", V::tlsv1_2},
    {0x00AF, {K::psk, C::aes_256_cbc, H::sha384, H::sha384}, "psk_aes_256_cbc_sha384",
     "PSK-AES256-CBC-SHA384", V::tlsv1_2},
    {0x00AA, {K::dhe_psk, C::aes_128_gcm, H::null, H::sha256}, "dhe_psk_aes_128_gcm_sha256",
     "DHE-PSK-AES128-GCM-SHA256", V::tlsv1_2},
    {0x00AC, {K::rsa_psk, C::aes_128_gcm, H::null, H::sha256}, "rsa_psk_aes_128_gcm_sha256",
     "RSA-PSK-AES128-GCM-SHA256", V::tlsv1_2},
    {0x00A8, {K::psk, C::aes_128_gcm, H::null, H::sha256}, "psk_aes_128_gcm_sha256",
     "PSK-AES128-GCM-SHA256", V::tlsv1_2},
    {0x00B2, {K::dhe_psk, C::aes_128_cbc, H::sha256, H::sha256}, "dhe_psk_aes_128_cbc_sha256",
     "DHE-PSK-AES128-CBC-SHA256", V::tlsv1_2},
    {0x00B6, {K::rsa_psk, C::aes_128_cbc, H::sha256, H::sha256}, "rsa_psk_aes_128_cbc_sha256",
     "RSA-PSK-AES128-CBC-SHA256", V::tlsv1_2},
    {0x00AE, {K::psk, C::aes_128_cbc, H::sha256, H::sha256}, "psk_aes_128_cbc_sha256",
     "PSK-AES128-CBC-SHA256", V::tlsv1_2},
    {0x0091, {K::dhe_psk, C::aes_256_cbc, H::sha}, "dhe_psk_aes_256_cbc_sha", "DHE-PSK-AES256-CBC-SHA", V::tlsv1},
    {0x0095, {K::rsa_psk, C::aes_256_cbc, H::sha}, "rsa_psk_aes_256_cbc_sha", "RSA-PSK-AES256-CBC-SHA", V::tlsv1},
    {0x008D, {K::psk, C::aes_256_cbc, H::sha}, "psk_aes_256_cbc_sha", "PSK-AES256-CBC-SHA", V::tlsv1},
    {0x0090, {K::dhe_psk, C::aes_128_cbc, H::sha}, "dhe_psk_aes_128_cbc_sha", "DHE-PSK-AES128-CBC-SHA", V::tlsv1},
    {0x0094, {K::rsa_psk, C::aes_128_cbc, H::sha}, "rsa_psk_aes_128_cbc_sha", "RSA-PSK-AES128-CBC-SHA", V::tlsv1},
    {0x008C, {K::psk, C::aes_128_cbc, H::sha}, "psk_aes_128_cbc_sha", "PSK-AES128-CBC-SHA", V::tlsv1},
    {0x008F, {K::dhe_psk, C::des3_ede_cbc, H::sha}, "dhe_psk_3des_ede_cbc_sha", "DHE-PSK-3DES-EDE-CBC-SHA", V::tlsv1},
    {0x0093, {K::rsa_psk, C::des3_ede_cbc, H::sha}, "rsa_psk_3des_ede_cbc_sha", "RSA-PSK-3DES-EDE-CBC-SHA", V::tlsv1},
    {0x008B, {K::psk, C::des3_ede_cbc, H::sha}, "psk_3des_ede_cbc_sha", "PSK-3DES-EDE-CBC-SHA", V::tlsv1},
    // ---- SRP (RFC 5054); SRP_SHA without a certificate is srp_anon ----
    {0xC021, {K::srp_rsa, C::aes_256_cbc, H::sha}, "srp_rsa_aes_256_cbc_sha", "SRP-RSA-AES-256-CBC-SHA", V::tlsv1},
    {0xC022, {K::srp_dss, C::aes_256_cbc, H::sha}, "srp_dss_aes_256_cbc_sha", "SRP-DSS-AES-256-CBC-SHA", V::tlsv1},
    {0xC020, {K::srp_anon, C::aes_256_cbc, H::sha}, "srp_anon_aes_256_cbc_sha", "SRP-AES-256-CBC-SHA", V::tlsv1},
    {0xC01E, {K::srp_rsa, C::aes_128_cbc, H::sha}, "srp_rsa_aes_128_cbc_sha", "SRP-RSA-AES-128-CBC-SHA", V::tlsv1},
    {0xC01F, {K::srp_dss, C::aes_128_cbc, H::sha}, "srp_dss_aes_128_cbc_sha", "SRP-DSS-AES-128-CBC-SHA", V::tlsv1},
    {0xC01D, {K::srp_anon, C::aes_128_cbc, H::sha}, "srp_anon_aes_128_cbc_sha", "SRP-AES-128-CBC-SHA", V::tlsv1},
    {0xC01B, {K::srp_rsa, C::des3_ede_cbc, H::sha}, "srp_rsa_3des_ede_cbc_sha", "SRP-RSA-3DES-EDE-CBC-SHA", V::tlsv1},
    {0xC01C, {K::srp_dss, C::des3_ede_cbc, H::sha}, "srp_dss_3des_ede_cbc_sha", "SRP-DSS-3DES-EDE-CBC-SHA", V::tlsv1},
    {0xC01A, {K::srp_anon, C::des3_ede_cbc, H::sha}, "srp_anon_3des_ede_cbc_sha", "SRP-3DES-EDE-CBC-SHA", V::tlsv1},
    // ---- anonymous (RFC 5246, 4492, 5288; no ECDH_anon SHA-256/GCM suites exist) ----
    {0x00A7, {K::dh_anon, C::aes_256_gcm, H::null, H::sha384}, "dh_anon_aes_256_gcm_sha384",
     "ADH-AES256-GCM-SHA384", V::tlsv1_2},
    {0x006D, {K::dh_anon, C::aes_256_cbc, H::sha256, H::sha256}, "dh_anon_aes_256_cbc_sha256",
     "ADH-AES256-SHA256", V::tlsv1_2},
    {0x00A6, {K::dh_anon, C::aes_128_gcm, H::null, H::sha256}, "dh_anon_aes_128_gcm_sha256",
     "ADH-AES128-GCM-SHA256", V::tlsv1_2},
    {0x006C, {K::dh_anon, C::aes_128_cbc, H::sha256, H::sha256}, "dh_anon_aes_128_cbc_sha256",
     "ADH-AES128-SHA256", V::tlsv1_2},
    {0xC019, {K::ecdh_anon, C::aes_256_cbc, H::sha}, "ecdh_anon_aes_256_cbc_sha", "AECDH-AES256-SHA", V::tlsv1},
    {0x003A, {K::dh_anon, C::aes_256_cbc, H::sha}, "dh_anon_aes_256_cbc_sha", "ADH-AES256-SHA", V::tlsv1},
    {0xC018, {K::ecdh_anon, C::aes_128_cbc, H::sha}, "ecdh_anon_aes_128_cbc_sha", "AECDH-AES128-SHA", V::tlsv1},
    {0x0034, {K::dh_anon, C::aes_128_cbc, H::sha}, "dh_anon_aes_128_cbc_sha", "ADH-AES128-SHA", V::tlsv1},
    {0xC017, {K::ecdh_anon, C::des3_ede_cbc, H::sha}, "ecdh_anon_3des_ede_cbc_sha", "AECDH-DES-CBC3-SHA", V::tlsv1},
    {0x001B, {K::dh_anon, C::des3_ede_cbc, H::sha}, "dh_anon_3des_ede_cbc_sha", "ADH-DES-CBC3-SHA", V::sslv3},
    {0x001A, {K::dh_anon, C::des_cbc, H::sha}, "dh_anon_des_cbc_sha", "ADH-DES-CBC-SHA", V::sslv3},
    // ---- RC4 (RFC 7465 prohibits it; only when configured) ----
    {0xC007, {K::ecdhe_ecdsa, C::rc4_128, H::sha}, "ecdhe_ecdsa_rc4_128_sha", "ECDHE-ECDSA-RC4-SHA", V::tlsv1},
    {0xC011, {K::ecdhe_rsa, C::rc4_128, H::sha}, "ecdhe_rsa_rc4_128_sha", "ECDHE-RSA-RC4-SHA", V::tlsv1},
    {0xC002, {K::ecdh_ecdsa, C::rc4_128, H::sha}, "ecdh_ecdsa_rc4_128_sha", "ECDH-ECDSA-RC4-SHA", V::tlsv1},
    {0xC00C, {K::ecdh_rsa, C::rc4_128, H::sha}, "ecdh_rsa_rc4_128_sha", "ECDH-RSA-RC4-SHA", V::tlsv1},
    {0x008E, {K::dhe_psk, C::rc4_128, H::sha}, "dhe_psk_rc4_128_sha", "DHE-PSK-RC4-SHA", V::tlsv1},
    {0x0092, {K::rsa_psk, C::rc4_128, H::sha}, "rsa_psk_rc4_128_sha", "RSA-PSK-RC4-SHA", V::tlsv1},
    {0x008A, {K::psk, C::rc4_128, H::sha}, "psk_rc4_128_sha", "PSK-RC4-SHA", V::tlsv1},
    {0x0005, {K::rsa, C::rc4_128, H::sha}, "rsa_rc4_128_sha", "RC4-SHA", V::sslv3},
    {0x0004, {K::rsa, C::rc4_128, H::md5}, "rsa_rc4_128_md5", "RC4-MD5", V::sslv3},
    {0xC016, {K::ecdh_anon, C::rc4_128, H::sha}, "ecdh_anon_rc4_128_sha", "AECDH-RC4-SHA", V::tlsv1},
    {0x0018, {K::dh_anon, C::rc4_128, H::md5}, "dh_anon_rc4_128_md5", "ADH-RC4-MD5", V::sslv3},
});

// Other spellings of a few OpenSSL names: OpenSSL 1.1 renamed the EDH- suites to DHE-, and Erlang/OTP
// spells some PSK and SRP suites its own way.
struct Alias {
  std::string_view name;
  uint16_t id;
};
constexpr std::array<Alias, 9> openssl_aliases = {{
    {"DHE-RSA-DES-CBC3-SHA", 0x0016},
    {"DHE-DSS-DES-CBC3-SHA", 0x0013},
    {"DHE-RSA-DES-CBC-SHA", 0x0015},
    {"DHE-DSS-DES-CBC-SHA", 0x0012},
    {"RSA-PSK-DES-CBC3-SHA", 0x0093},
    {"SRP-DSS-AES256-CBC-SHA", 0xC022},
    {"SRP-DSS-AES128-CBC-SHA", 0xC01F},
    {"SRP-RSA-DES-CBC3-SHA", 0xC01B},
    {"SRP-DSS-DES-CBC3-SHA", 0xC01C},
}};

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
               [t](const SuiteInfo& s) { return t == SuiteListType::all || s.in_default; });
  return out;
}

// ---- OpenSSL-format cipher strings ----

namespace {

using Pred = bool (*)(const SuiteInfo&);

template <KeyExchange... Ks>
bool kx(const SuiteInfo& s) {
  return ((s.spec.key_exchange == Ks) || ...);
}
template <Cipher... Cs>
bool ciph(const SuiteInfo& s) {
  return ((s.spec.cipher == Cs) || ...);
}
template <Hash M>
bool mac(const SuiteInfo& s) {
  return s.spec.mac == M;
}
template <Version V>
bool from(const SuiteInfo& s) {
  return s.min_version == V;
}
bool none(const SuiteInfo&) { return false; }

struct Keyword {
  std::string_view name;
  Pred matches;
};

// OpenSSL's keywords (ciphers(1)), with the meaning they have for the suites in the table. Static ECDH
// keeps OpenSSL 1.0.2's names (kECDHr, kECDHe, kECDH, aECDH); ECDH then covers every ECDH suite.
const Keyword keywords[] = {
    {"ALL", [](const SuiteInfo&) { return true; }},
    {"DEFAULT", [](const SuiteInfo& s) { return s.in_default; }},
    {"COMPLEMENTOFDEFAULT", [](const SuiteInfo& s) { return !s.in_default; }},
    {"HIGH", ciph<C::aes_128_cbc, C::aes_256_cbc, C::aes_128_gcm, C::aes_256_gcm>},
    {"MEDIUM", ciph<C::des3_ede_cbc, C::rc4_128>},
    {"LOW", ciph<C::des_cbc>},
    {"aNULL", kx<K::dh_anon, K::ecdh_anon>},
    {"ADH", kx<K::dh_anon>},
    {"AECDH", kx<K::ecdh_anon>},
    {"kRSA", kx<K::rsa>},
    {"aRSA", kx<K::rsa, K::dhe_rsa, K::ecdhe_rsa, K::rsa_psk, K::srp_rsa>},
    {"RSA", kx<K::rsa, K::dhe_rsa, K::ecdhe_rsa, K::rsa_psk, K::srp_rsa>},
    {"kEDH", kx<K::dhe_rsa, K::dhe_dss, K::dh_anon>},
    {"kDHE", kx<K::dhe_rsa, K::dhe_dss, K::dh_anon>},
    {"EDH", kx<K::dhe_rsa, K::dhe_dss>},
    {"DHE", kx<K::dhe_rsa, K::dhe_dss>},
    {"DH", kx<K::dhe_rsa, K::dhe_dss, K::dh_anon>},
    {"kEECDH", kx<K::ecdhe_rsa, K::ecdhe_ecdsa, K::ecdh_anon>},
    {"kECDHE", kx<K::ecdhe_rsa, K::ecdhe_ecdsa, K::ecdh_anon>},
    {"EECDH", kx<K::ecdhe_rsa, K::ecdhe_ecdsa>},
    {"ECDHE", kx<K::ecdhe_rsa, K::ecdhe_ecdsa>},
    {"kECDHr", kx<K::ecdh_rsa>},
    {"kECDHe", kx<K::ecdh_ecdsa>},
    {"kECDH", kx<K::ecdh_rsa, K::ecdh_ecdsa>},
    {"aECDH", kx<K::ecdh_rsa, K::ecdh_ecdsa>},
    {"ECDH", kx<K::ecdh_rsa, K::ecdh_ecdsa, K::ecdhe_rsa, K::ecdhe_ecdsa, K::ecdh_anon>},
    {"aECDSA", kx<K::ecdhe_ecdsa>},
    {"ECDSA", kx<K::ecdhe_ecdsa>},
    {"aDSS", kx<K::dhe_dss, K::srp_dss>},
    {"DSS", kx<K::dhe_dss, K::srp_dss>},
    {"kPSK", kx<K::psk>},
    {"kDHEPSK", kx<K::dhe_psk>},
    {"kRSAPSK", kx<K::rsa_psk>},
    {"aPSK", kx<K::psk, K::dhe_psk>},
    {"PSK", kx<K::psk, K::dhe_psk, K::rsa_psk>},
    {"kSRP", kx<K::srp_anon, K::srp_rsa, K::srp_dss>},
    {"SRP", kx<K::srp_anon, K::srp_rsa, K::srp_dss>},
    {"aSRP", kx<K::srp_anon>},
    {"RC4", ciph<C::rc4_128>},
    {"DES", ciph<C::des_cbc>},
    {"3DES", ciph<C::des3_ede_cbc>},
    {"AES", ciph<C::aes_128_cbc, C::aes_256_cbc, C::aes_128_gcm, C::aes_256_gcm>},
    {"AES128", ciph<C::aes_128_cbc, C::aes_128_gcm>},
    {"AES256", ciph<C::aes_256_cbc, C::aes_256_gcm>},
    {"AESGCM", ciph<C::aes_128_gcm, C::aes_256_gcm>},
    {"MD5", mac<H::md5>},
    {"SHA1", mac<H::sha>},
    {"SHA", mac<H::sha>},
    {"SHA256", mac<H::sha256>},
    {"SHA384", mac<H::sha384>},
    {"SSLv3", from<V::sslv3>},
    {"TLSv1", from<V::tlsv1>},
    {"TLSv1.0", from<V::tlsv1>},
    {"TLSv1.2", from<V::tlsv1_2>},
    // Algorithms OpenSSL has and essl does not: they select nothing.
    {"eNULL", none},
    {"NULL", none},
    {"COMPLEMENTOFALL", none},
    {"EXP", none},
    {"EXPORT", none},
};

// More names of algorithms essl does not have, common in configured cipher strings.
constexpr std::string_view absent_algorithms[] = {
    "EXPORT40", "EXPORT56", "IDEA",     "SEED",      "CAMELLIA", "CAMELLIA128", "CAMELLIA256", "CHACHA20",
    "ARIA",     "ARIA128",  "ARIA256",  "AESCCM",    "AESCCM8",  "CCM",         "ECDHEPSK",    "kECDHEPSK",
    "kDHr",     "kDHd",     "aDH",      "kGOST",     "aGOST",    "SSLv2",       "RC2"};

std::string printable(std::string_view w) {
  std::string out;
  for (char ch : w.substr(0, 64)) out += (ch >= 0x20 && ch < 0x7f) ? ch : '?';
  return w.size() > 64 ? out + "..." : out;
}

// One '+'-joined term: a keyword or a suite name.
std::optional<std::function<bool(const SuiteInfo&)>> term(std::string_view w) {
  for (const Keyword& k : keywords)
    if (k.name == w) return std::function<bool(const SuiteInfo&)>(k.matches);
  if (std::find(std::begin(absent_algorithms), std::end(absent_algorithms), w) != std::end(absent_algorithms))
    return std::function<bool(const SuiteInfo&)>(none);
  if (const SuiteInfo* one = find_suite_by_name(w))
    return std::function<bool(const SuiteInfo&)>([one](const SuiteInfo& s) { return &s == one; });
  return std::nullopt;
}

bool seclevel(std::string_view cmd) {
  constexpr std::string_view prefix = "@SECLEVEL=";
  return cmd.size() == prefix.size() + 1 && cmd.substr(0, prefix.size()) == prefix && cmd.back() >= '0' &&
         cmd.back() <= '5';
}

}  // namespace

Result<std::vector<const SuiteInfo*>, std::string> parse_cipher_string(std::string_view text) {
  std::vector<const SuiteInfo*> active;
  std::vector<bool> killed(suite_table.size(), false);
  auto is_active = [&](const SuiteInfo* s) { return std::find(active.begin(), active.end(), s) != active.end(); };
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find_first_of(": ,;", at), text.size());
    std::string_view item = text.substr(at, end - at);
    at = end + 1;
    if (item.empty()) continue;
    const char op = (item[0] == '!' || item[0] == '-' || item[0] == '+') ? item[0] : 0;
    if (op != 0) item.remove_prefix(1);
    if (item.empty()) return fail("'" + std::string(1, op) + "' without a suite or keyword");
    if (item[0] == '@') {
      if (op != 0 || (item != "@STRENGTH" && !seclevel(item)))
        return fail("unknown command '" + std::string(op ? 1 : 0, op) + printable(item) + "'");
      if (item == "@STRENGTH")
        std::stable_sort(active.begin(), active.end(), [](const SuiteInfo* a, const SuiteInfo* b) {
          return cipher_bits(a->spec.cipher) > cipher_bits(b->spec.cipher);
        });
      continue;  // @SECLEVEL: essl has no security levels
    }
    std::vector<std::function<bool(const SuiteInfo&)>> terms;
    if (const SuiteInfo* one = find_suite_by_name(item)) {
      terms.emplace_back([one](const SuiteInfo& s) { return &s == one; });
    } else {
      for (size_t t = 0; t <= item.size();) {
        const size_t plus = std::min(item.find('+', t), item.size());
        const std::string_view word = item.substr(t, plus - t);
        auto f = term(word);
        if (!f) return fail("unknown cipher suite or keyword '" + printable(word.empty() ? item : word) + "'");
        terms.push_back(std::move(*f));
        t = plus + 1;
      }
    }
    auto matches = [&](const SuiteInfo& s) {
      return std::all_of(terms.begin(), terms.end(), [&](const auto& f) { return f(s); });
    };
    switch (op) {
      case 0:  // append what matches and is neither active nor removed for good
        for (size_t i = 0; i < suite_table.size(); ++i)
          if (!killed[i] && matches(suite_table[i]) && !is_active(&suite_table[i])) active.push_back(&suite_table[i]);
        break;
      case '+':  // move to the end, keeping their order
        std::stable_partition(active.begin(), active.end(), [&](const SuiteInfo* s) { return !matches(*s); });
        break;
      case '!':
        for (size_t i = 0; i < suite_table.size(); ++i)
          if (matches(suite_table[i])) killed[i] = true;
        [[fallthrough]];
      default:  // '-'
        active.erase(std::remove_if(active.begin(), active.end(), [&](const SuiteInfo* s) { return matches(*s); }),
                     active.end());
        break;
    }
  }
  if (active.empty()) return fail(std::string("no cipher suite selected by \"") + printable(text) + "\"");
  return active;
}

}  // namespace essl
