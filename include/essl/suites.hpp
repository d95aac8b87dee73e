// Versions and cipher suites in the spec's terms: protocol(), {key_exchange, cipher, mac[, prf]}.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essl/result.hpp"

namespace essl {

enum class Version : uint16_t { sslv3 = 0x0300, tlsv1 = 0x0301, tlsv1_1 = 0x0302, tlsv1_2 = 0x0303 };
std::string_view version_atom(Version v);  // "sslv3", "tlsv1", "tlsv1.1", "tlsv1.2"
std::optional<Version> version_from_atom(std::string_view s);

enum class KeyExchange {
  rsa, dhe_dss, dhe_rsa, dh_anon, psk, dhe_psk, rsa_psk, srp_anon, srp_dss, srp_rsa,
  ecdh_anon, ecdh_ecdsa, ecdhe_ecdsa, ecdh_rsa, ecdhe_rsa,
};
enum class Cipher { null, rc4_128, des_cbc, des3_ede_cbc, aes_128_cbc, aes_256_cbc, aes_128_gcm, aes_256_gcm };
enum class Hash { null, md5, sha, sha224, sha256, sha384, sha512, md5sha };  // md5sha: TLS 1.0/1.1 PRF

std::string_view atom(KeyExchange k);
std::string_view atom(Cipher c);  // "3des_ede_cbc" for des3_ede_cbc
std::string_view atom(Hash h);

// {key_exchange, cipher, mac, prf}: prf is `Hash::null` for suites that use the version's default PRF
// (the spec's 3-tuple form); AEAD suites have mac `Hash::null`.
struct SuiteSpec {
  KeyExchange key_exchange;
  Cipher cipher;
  Hash mac;
  Hash prf = Hash::null;
  bool operator==(const SuiteSpec&) const = default;
};
// "{rsa,aes_128_cbc,sha}" or "{ecdhe_rsa,aes_128_gcm,null,sha256}", as the spec writes the tuples.
std::string to_string(const SuiteSpec& s);

struct SuiteInfo {
  uint16_t id;                // IANA value
  SuiteSpec spec;
  std::string_view erlang;    // e.g. "ecdhe_rsa_aes_128_gcm_sha256"
  std::string_view openssl;   // e.g. "ECDHE-RSA-AES128-GCM-SHA256"
  Version min_version;        // GCM and SHA-256/384 suites: tlsv1_2; ECC, AES, PSK and SRP suites: tlsv1
  Version max_version = Version::tlsv1_2;  // the highest version it may be negotiated at
  bool in_default = false;    // in cipher_suites() and the default `ciphers`
};

// Every suite of the spec (TLS 1.0-1.2 and SSL 3.0, no export, IDEA or NULL-cipher suites), strongest
// first: the default list, then PSK, SRP, anonymous and RC4 suites.
const std::vector<SuiteInfo>& all_suites();
const SuiteInfo* find_suite(uint16_t id);
const SuiteInfo* find_suite(const SuiteSpec& s);
const SuiteInfo* find_suite_by_name(std::string_view erlang_or_openssl_name);

// Whether `s` may be negotiated at version `v`.
inline bool suite_allowed_at(const SuiteInfo& s, Version v) { return s.min_version <= v && v <= s.max_version; }

// Whether the handshake implements key exchange `k`. Clients offer and servers select only suites whose
// key exchange is implemented; the others are listed and may be configured, but are left out of the
// suites a connection uses (the one place where a key exchange is switched on).
bool key_exchange_implemented(KeyExchange k);

// Cipher strength in bits, as OpenSSL's @STRENGTH orders suites (3DES counts 112).
unsigned cipher_bits(Cipher c);

// The spec's cipher_suites/0,1: erlang and openssl give the default list (the latter for its OpenSSL
// names), all gives every suite. The suites outside cipher_suites(erlang) are used only when configured
// explicitly.
enum class SuiteListType { erlang, openssl, all };
std::vector<SuiteInfo> cipher_suites(SuiteListType t = SuiteListType::erlang);

// An OpenSSL-format cipher string, as the `ciphers` option accepts: items separated by ':' (or ',' or
// spaces), each a suite name (OpenSSL's or the Erlang-style one) or keywords joined by '+' (ALL,
// DEFAULT, HIGH, MEDIUM, LOW, aNULL, kRSA, aRSA, RSA, kEDH, DHE, kECDHE, ECDHE, ECDH, aECDSA, DSS, PSK,
// SRP, RC4, DES, 3DES, AES, AES128, AES256, AESGCM, MD5, SHA1, SHA256, SHA384, TLSv1.2 ...), with the
// prefixes '!' (remove for good), '-' (remove), '+' (move to the end), and the commands @STRENGTH (sort
// by cipher bits, stable) and @SECLEVEL=n (accepted, ignored). Keywords OpenSSL knows for algorithms
// essl does not have (CHACHA20, CAMELLIA, eNULL ...) match nothing. The error names the unknown word,
// or says that nothing was selected.
Result<std::vector<const SuiteInfo*>, std::string> parse_cipher_string(std::string_view text);

}  // namespace essl
