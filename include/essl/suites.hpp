// Versions and cipher suites in the spec's terms: protocol(), {key_exchange, cipher, mac[, prf]}.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// (the spec's 3-tuple form).
struct SuiteSpec {
  KeyExchange key_exchange;
  Cipher cipher;
  Hash mac;
  Hash prf = Hash::null;
  bool operator==(const SuiteSpec&) const = default;
};

struct SuiteInfo {
  uint16_t id;                // IANA value
  SuiteSpec spec;
  std::string_view erlang;    // e.g. "ecdhe_rsa_aes_128_gcm_sha256"
  std::string_view openssl;   // e.g. "ECDHE-RSA-AES128-GCM-SHA256"
  Version min_version;        // GCM/SHA-256 suites: tlsv1_2
};

// Every suite essl implements, strongest first.
const std::vector<SuiteInfo>& all_suites();
const SuiteInfo* find_suite(uint16_t id);
const SuiteInfo* find_suite(const SuiteSpec& s);
const SuiteInfo* find_suite_by_name(std::string_view erlang_or_openssl_name);

// The spec's cipher_suites/0,1.
enum class SuiteListType { erlang, openssl, all };
std::vector<SuiteInfo> cipher_suites(SuiteListType t = SuiteListType::erlang);

}  // namespace essl
