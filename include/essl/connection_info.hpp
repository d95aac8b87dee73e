// connection_information/1,2 and the older connection_info/1: what was negotiated, and the options in force.
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "essl/options.hpp"
#include "essl/suites.hpp"

namespace essl {

struct ConnectionInfo {
  std::optional<Version> protocol;
  std::optional<SuiteSpec> cipher_suite;
  std::string cipher_suite_name;          // erlang-style, e.g. "ecdhe_rsa_aes_128_gcm_sha256"
  std::optional<std::string> sni_hostname;
  std::vector<uint8_t> session_id;
  bool resumed = false;
  bool extended_master_secret = false;  // RFC 7627, in the last completed handshake
  bool encrypt_then_mac = false;        // RFC 7366, for the records now protected
  std::vector<uint8_t> client_random, server_random;  // for prf/5 seeds
};

// prf/5's arguments. Secret = binary() | master_secret; Seed = [binary() | client_random | server_random].
struct MasterSecret {};
inline constexpr MasterSecret master_secret{};
using PrfSecret = std::variant<std::vector<uint8_t>, MasterSecret>;
enum class PrfRandom { client_random, server_random };
using PrfSeed = std::variant<std::vector<uint8_t>, PrfRandom>;

// connection_information/2's items: protocol, cipher_suite, sni_hostname, then the ssl option names
// (each named as the spec names it: info_item_name). Credentials' contents (cert, key, password, cacerts,
// dh) and funs are not reported; their file names are.
enum class InfoItem {
  protocol,
  cipher_suite,
  sni_hostname,
  verify,
  depth,
  fail_if_no_peer_cert,
  crl_check,
  versions,
  ciphers,
  certfile,
  keyfile,
  cacertfile,
  dhfile,
  reuse_sessions,
  secure_renegotiate,
  client_renegotiation,
  honor_cipher_order,
  padding_check,
  fallback,
  log_alert,
  alert_timeout,
  server_name_indication,
  alpn_advertised_protocols,
  alpn_preferred_protocols,
  next_protocols_advertised,
  client_preferred_next_protocols,
  psk_identity,
  srp_identity,  // the user name only
  extended_master_secret,
  encrypt_then_mac,
};
// Every item, in the order above: connection_information(all_info_items) is "all relevant information".
extern const std::span<const InfoItem> all_info_items;

// The item's atom ("protocol", "sni_hostname", "alpn_preferred_protocols" ...); info_item_named is the
// reverse (std::nullopt for a name that is not an item).
std::string_view info_item_name(InfoItem item);
std::optional<InfoItem> info_item_named(std::string_view name);

// One value, typed as the spec's: protocol -> Version; cipher_suite -> SuiteSpec; verify -> Verify;
// crl_check -> CrlCheck; versions -> the enabled versions, highest first; ciphers -> the enabled suites in
// preference order; client_preferred_next_protocols -> NextProtocolPreference; server_name_indication ->
// the name sent (client) or DisableSni; depth, alert_timeout -> int; file names and identities ->
// std::string; protocol lists -> std::vector<std::string>; flags -> bool.
using InfoValue = std::variant<bool, int, std::string, std::vector<std::string>, Version, std::vector<Version>,
                               SuiteSpec, std::vector<SuiteSpec>, Verify, CrlCheck, DisableSni, NextProtocolPreference>;
struct InfoEntry {
  InfoItem item;
  InfoValue value;
};
// [{Item, Value}] in the order asked; undefined items are left out, so the list may be empty.
using InfoList = std::vector<InfoEntry>;
// The value of `item` in `list`, or nullptr when it is not there.
const InfoValue* find_info(const InfoList& list, InfoItem item);

}  // namespace essl
