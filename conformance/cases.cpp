// The matrix and the behaviour checks, as data.
#include "conformance/cases.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "crypto_glue/prf.hpp"

namespace essl::conformance {
namespace {

constexpr PeerId peers[] = {PeerId::openssl, PeerId::gnutls, PeerId::botan, PeerId::erlang};
constexpr Role roles[] = {Role::client, Role::server};
constexpr Version tls_versions[] = {Version::tlsv1, Version::tlsv1_1, Version::tlsv1_2};

const SuiteInfo* suite(std::string_view name) { return find_suite_by_name(name); }

std::vector<const SuiteInfo*> suites(std::string_view comma_list) {
  std::vector<const SuiteInfo*> out;
  std::istringstream in{std::string(comma_list)};
  for (std::string name; std::getline(in, name, ',');)
    if (const SuiteInfo* s = suite(name)) out.push_back(s);
  return out;
}

std::string version_id(Version v) { return std::string(version_atom(v)); }

// The key exchanges without client authentication (anonymous, PSK, SRP): a server that verifies its
// clients does not choose them, so they have no mutual cells.
bool no_client_auth(const SuiteInfo& s) {
  switch (s.spec.key_exchange) {
    case KeyExchange::dh_anon:
    case KeyExchange::ecdh_anon:
    case KeyExchange::psk:
    case KeyExchange::dhe_psk:
    case KeyExchange::rsa_psk:
    case KeyExchange::srp_anon:
    case KeyExchange::srp_rsa:
    case KeyExchange::srp_dss: return true;
    default: return false;
  }
}

Case matrix_cell(PeerId p, Role r, Version v, const SuiteInfo* s, bool mutual, bool resumed) {
  Case c;
  c.group = "matrix";
  c.peer = p;
  c.role = r;
  c.essl_versions = c.peer_versions = {v};
  c.essl_suites = c.peer_suites = {s};
  switch (s->spec.key_exchange) {
    case KeyExchange::ecdhe_ecdsa: c.server_cert = "server-ecdsa"; break;
    case KeyExchange::dhe_dss:
    case KeyExchange::srp_dss: c.server_cert = "server-dsa"; break;
    case KeyExchange::ecdh_rsa: c.server_cert = "server-ecdh-rsa"; break;
    case KeyExchange::ecdh_ecdsa:
      c.server_cert = "server-ecdh-ecdsa";
      c.server_intermediate = "ca-ecdsa";
      break;
    default: break;
  }
  if (s->spec.key_exchange == KeyExchange::psk || s->spec.key_exchange == KeyExchange::dhe_psk ||
      s->spec.key_exchange == KeyExchange::rsa_psk) {
    c.psk_key = Case::default_psk_key;
    c.psk_identity = "essl-client";
    c.psk_hint = "essl-hint";
  }
  if (s->spec.key_exchange == KeyExchange::srp_anon || s->spec.key_exchange == KeyExchange::srp_rsa ||
      s->spec.key_exchange == KeyExchange::srp_dss) {
    c.srp_user = "essl-user";
    c.srp_password = "essl-password";
  }
  c.client_cert = c.server_requires_cert = mutual;
  c.resume = resumed;
  c.expect_version = v;
  c.expect_suite = s;
  c.id = std::string(peer_name(p)) + "/" + std::string(role_name(r)) + "/" + version_id(v) + "/" + std::string(s->erlang) +
         (mutual ? "/mutual" : "/server_auth") + (resumed ? "/resumed" : "/full");
  return c;
}

// The slice: per version a few suites covering each key exchange and cipher family; the first row of
// each version also runs with client authentication and resumption.
struct SliceRow {
  Version version;
  std::string_view suite;  // OpenSSL name
  bool mutual_resumed;     // also the mutual + resumed cell
};
constexpr SliceRow slice[] = {
    {Version::tlsv1, "ECDHE-RSA-AES128-SHA", true},
    {Version::tlsv1, "DHE-RSA-AES256-SHA", false},
    {Version::tlsv1, "ECDHE-ECDSA-AES256-SHA", false},
    {Version::tlsv1_1, "AES128-SHA", true},
    {Version::tlsv1_1, "ECDHE-RSA-DES-CBC3-SHA", false},
    {Version::tlsv1_2, "ECDHE-RSA-AES128-GCM-SHA256", true},
    {Version::tlsv1_2, "ECDHE-ECDSA-AES256-GCM-SHA384", false},
    {Version::tlsv1_2, "DHE-RSA-AES256-SHA256", false},
    {Version::tlsv1_2, "AES256-GCM-SHA384", false},
    {Version::tlsv1_2, "ECDHE-RSA-AES256-SHA384", false},
    // DSA certificates, static ECDH and the anonymous key exchanges.
    {Version::tlsv1, "DHE-DSS-AES256-SHA", false},
    {Version::tlsv1_2, "DHE-DSS-AES128-GCM-SHA256", true},
    {Version::tlsv1_1, "ECDH-ECDSA-AES128-SHA", false},
    {Version::tlsv1_2, "ECDH-ECDSA-AES256-GCM-SHA384", false},
    {Version::tlsv1, "ECDH-RSA-AES256-SHA", false},
    {Version::tlsv1_2, "ECDH-RSA-AES128-GCM-SHA256", true},
    {Version::tlsv1, "ADH-AES128-SHA", false},
    {Version::tlsv1_2, "ADH-AES256-GCM-SHA384", false},
    {Version::tlsv1_2, "AECDH-AES128-SHA", false},
    // Pre-shared keys (RFC 4279, RFC 5487).
    {Version::tlsv1_2, "PSK-AES128-CBC-SHA", true},
    {Version::tlsv1, "PSK-AES256-CBC-SHA", false},
    {Version::tlsv1_2, "PSK-AES256-GCM-SHA384", false},
    {Version::tlsv1_1, "DHE-PSK-AES128-CBC-SHA", false},
    {Version::tlsv1_2, "DHE-PSK-AES256-GCM-SHA384", false},
    {Version::tlsv1, "RSA-PSK-AES256-CBC-SHA", false},
    {Version::tlsv1_2, "RSA-PSK-AES128-GCM-SHA256", false},
    // SRP (RFC 5054).
    {Version::tlsv1_2, "SRP-AES-128-CBC-SHA", true},
    {Version::tlsv1, "SRP-AES-256-CBC-SHA", false},
    {Version::tlsv1_2, "SRP-RSA-AES-256-CBC-SHA", false},
    {Version::tlsv1_1, "SRP-RSA-AES-128-CBC-SHA", false},
    {Version::tlsv1_2, "SRP-DSS-AES-128-CBC-SHA", false},
};

// Which side sends the alert in a failing check, in TLS terms.
enum class Side { client, server };

struct CheckRow {
  std::string_view name = {};
  bool essl_client = true, essl_server = true;  // which roles of essl the row runs in
  std::vector<Version> client_versions = {}, server_versions = {};
  std::string_view client_suites = {}, server_suites = {};  // OpenSSL names
  bool client_cert = false, server_requires_cert = false, client_verifies = true, client_trusts_server = true;
  bool server_trusts_client = true, server_chain = false;
  std::optional<int> client_depth = std::nullopt;
  // Success: the version and suite that must be negotiated. Failure: the alert and who sends it.
  bool ok = true;
  std::optional<Version> version = std::nullopt;
  std::string_view suite = {};
  AlertDescription alert = AlertDescription::handshake_failure;
  Side sender = Side::server;
  // The alert the other peers send instead where they differ from essl; Erlang's ssl, the reference,
  // sends essl's.
  std::optional<AlertDescription> peer_alert = std::nullopt;
  // Hello extensions: ALPN lists (comma-separated), the name the client sends, the server's certificate
  // for Case::sni_host_name, and the ALPN protocol that must be agreed.
  std::string_view client_alpn = {}, server_alpn = {};
  std::string_view client_npn = {}, server_npn = {};
  std::string_view sni = {};
  bool sni_host_ecdsa = false;
  std::string_view protocol = {};
  std::vector<PeerId> only_peers = {};  // empty: every peer
  // PSK: the identity the client presents and the one whose key the server has ("" = the same).
  std::string_view psk_identity = {}, psk_known_identity = {};
  // SRP: the user the client names (the server knows "essl-user" with the client's password).
  std::string_view srp_user = {};
  bool essl_renegotiates = false, peer_refuses_renegotiation = false, peer_renegotiates = false;
  bool client_fallback = false;
  bool resume = false;  // a second connection resumes the first one's session (unless essl declines)
  bool essl_reuse_sessions = true, essl_reuse_session_refuses = false;
  // RFC 7366 / RFC 7627: the peer leaves one out; what essl must report having used.
  bool peer_no_etm = false, peer_no_ems = false;
  std::optional<bool> etm = std::nullopt, ems = std::nullopt;
};

using V = Version;
using A = AlertDescription;
const std::vector<Version> all_versions = {V::tlsv1_2, V::tlsv1_1, V::tlsv1};
constexpr std::string_view ecdhe_rsa_cbc = "ECDHE-RSA-AES128-SHA";
constexpr std::string_view ecdsa_gcm = "ECDHE-ECDSA-AES128-GCM-SHA256";
constexpr std::string_view ecdsa_or_rsa_gcm = "ECDHE-ECDSA-AES128-GCM-SHA256,ECDHE-RSA-AES128-GCM-SHA256";
// The peers whose adapters express ALPN and SNI.
const std::vector<PeerId> extension_peers = {PeerId::openssl, PeerId::erlang};
const std::vector<PeerId> ems_etm_peers = {PeerId::openssl, PeerId::gnutls, PeerId::botan};
const std::vector<PeerId> session_peers = {PeerId::openssl, PeerId::gnutls, PeerId::erlang};

// Written from the spec and reference-behaviour.md: version negotiation, alerts, verification.
const std::vector<CheckRow>& check_rows() {
  static const std::vector<CheckRow> rows = {
      // The highest version both support, whichever side has fewer.
      {.name = "version/highest_common/server_max_tlsv1.1", .client_versions = all_versions,
       .server_versions = {V::tlsv1_1, V::tlsv1}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc,
       .version = V::tlsv1_1},
      {.name = "version/highest_common/client_max_tlsv1.1", .client_versions = {V::tlsv1_1, V::tlsv1},
       .server_versions = all_versions, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc,
       .version = V::tlsv1_1},
      {.name = "version/highest_common/all_tlsv1.2", .client_versions = all_versions, .server_versions = all_versions,
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2},
      // No common version: the server refuses an old client; the client refuses an old server's choice.
      {.name = "version/none_common/client_tlsv1_server_tlsv1.2", .client_versions = {V::tlsv1},
       .server_versions = {V::tlsv1_2}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .ok = false,
       .alert = A::protocol_version, .sender = Side::server},
      {.name = "version/none_common/client_tlsv1.2_server_tlsv1", .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .ok = false,
       .alert = A::protocol_version, .sender = Side::client},
      // Suites: the one both have; none in common (essl as server: insufficient_security, as the
      // reference does; other servers send handshake_failure).
      {.name = "suite/one_common", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = "ECDHE-RSA-AES256-GCM-SHA384,AES128-SHA", .server_suites = "AES128-SHA,DHE-RSA-AES128-SHA",
       .version = V::tlsv1_2, .suite = "AES128-SHA"},
      {.name = "suite/none_common", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = "ECDHE-RSA-AES128-GCM-SHA256", .server_suites = "AES256-SHA", .ok = false,
       .alert = A::insufficient_security, .sender = Side::server, .peer_alert = A::handshake_failure},
      // Verification.
      {.name = "verify/verify_peer_unknown_ca", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .client_trusts_server = false, .ok = false,
       .alert = A::unknown_ca, .sender = Side::client},
      {.name = "verify/verify_none_unknown_ca", .essl_server = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc,
       .client_verifies = false, .client_trusts_server = false, .version = V::tlsv1_2},
      {.name = "verify/mutual_ok", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .client_cert = true,
       .server_requires_cert = true, .version = V::tlsv1_2},
      {.name = "verify/fail_if_no_peer_cert", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .server_requires_cert = true, .ok = false,
       .alert = A::handshake_failure, .sender = Side::server},
      // A client certificate the server's CAs did not issue.
      {.name = "verify/client_cert_unknown_ca", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .client_cert = true,
       .server_requires_cert = true, .server_trusts_client = false, .ok = false, .alert = A::unknown_ca,
       .sender = Side::server},
      // A path through an intermediate the server sends: valid at the default depth 1; depth 0 allows no
      // intermediate (the client refuses with max_path_length_reached: handshake_failure).
      {.name = "verify/intermediate_chain", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdsa_gcm, .server_suites = ecdsa_gcm, .server_chain = true, .version = V::tlsv1_2},
      {.name = "verify/depth_0_intermediate", .essl_server = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = ecdsa_gcm, .server_suites = ecdsa_gcm, .server_chain = true,
       .client_depth = 0, .ok = false, .alert = A::handshake_failure, .sender = Side::client},
      // The client checks the server's certificate against the name it sent.
      {.name = "verify/hostname_mismatch", .essl_server = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .ok = false,
       .alert = A::handshake_failure, .sender = Side::client, .sni = "example.com"},
      // ALPN: the server's first protocol that the client offers; none in common is fatal (RFC 7301 3.2).
      {.name = "alpn/server_preference", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .client_alpn = "http/1.1,h2", .server_alpn = "h2,http/1.1", .protocol = "h2", .only_peers = extension_peers},
      {.name = "alpn/none_common", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .ok = false,
       .alert = A::no_application_protocol, .sender = Side::server, .client_alpn = "h2",
       .server_alpn = "http/1.1", .only_peers = extension_peers},
      // SNI: the name chooses the server's certificate (ECDSA, so the ECDSA suite wins); an unknown name
      // leaves the base certificate and the handshake goes on. The clients do not verify: the test
      // certificates name localhost, and a verifying Erlang client checks the host name against the SNI.
      {.name = "sni/host_certificate", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdsa_or_rsa_gcm, .server_suites = ecdsa_or_rsa_gcm, .client_verifies = false,
       .version = V::tlsv1_2, .suite = "ECDHE-ECDSA-AES128-GCM-SHA256", .sni = Case::sni_host_name,
       .sni_host_ecdsa = true, .only_peers = extension_peers},
      {.name = "sni/unknown_name", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdsa_or_rsa_gcm, .server_suites = ecdsa_or_rsa_gcm, .client_verifies = false,
       .version = V::tlsv1_2, .suite = "ECDHE-RSA-AES128-GCM-SHA256", .sni = "other.test", .sni_host_ecdsa = true,
       .only_peers = extension_peers},
      {.name = "sni_alpn/host_and_protocol", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdsa_or_rsa_gcm, .server_suites = ecdsa_or_rsa_gcm, .client_verifies = false,
       .version = V::tlsv1_2, .suite = "ECDHE-ECDSA-AES128-GCM-SHA256", .client_alpn = "h2,http/1.1",
       .server_alpn = "http/1.1", .sni = Case::sni_host_name, .sni_host_ecdsa = true, .protocol = "http/1.1",
       .only_peers = extension_peers},
      // NPN (OpenSSL still has it): the one protocol both list, carried by the client's NextProtocol.
      // PSK: the server's user_lookup_fun answers `error` for an identity it does not know: a fatal
      // illegal_parameter (reference-behaviour.md). OpenSSL's s_server uses its key for any identity
      // and GnuTLS's answers unknown_psk_identity, so essl as client checks against the reference.
      {.name = "psk/unknown_identity", .essl_client = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = "PSK-AES128-CBC-SHA", .server_suites = "PSK-AES128-CBC-SHA",
       .ok = false, .alert = A::illegal_parameter, .sender = Side::server, .psk_identity = "stranger",
       .psk_known_identity = "essl-client"},
      {.name = "psk/unknown_identity_reference_server", .essl_server = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = "PSK-AES128-CBC-SHA", .server_suites = "PSK-AES128-CBC-SHA",
       .ok = false, .alert = A::illegal_parameter, .sender = Side::server, .only_peers = {PeerId::erlang},
       .psk_identity = "stranger", .psk_known_identity = "essl-client"},
      // SRP: a user the server's user_lookup_fun does not know is a fatal illegal_parameter.
      {.name = "srp/unknown_user", .essl_client = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = "SRP-AES-128-CBC-SHA", .server_suites = "SRP-AES-128-CBC-SHA",
       .ok = false, .alert = A::illegal_parameter, .sender = Side::server, .srp_user = "stranger"},
      // Renegotiation, asked by essl: the peer goes through it (secure renegotiation, RFC 5746), or refuses
      // with a warning no_renegotiation and the connection carries on (OpenSSL 3.0's s_server refuses
      // client-initiated renegotiation unless told otherwise; s_client -no_renegotiation refuses all).
      {.name = "renegotiation/essl_asks", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = extension_peers, .essl_renegotiates = true},
      {.name = "renegotiation/essl_asks_tlsv1", .client_versions = {V::tlsv1}, .server_versions = {V::tlsv1},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1,
       .only_peers = extension_peers, .essl_renegotiates = true},
      {.name = "renegotiation/peer_refuses", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = {PeerId::openssl}, .essl_renegotiates = true, .peer_refuses_renegotiation = true},
      {.name = "renegotiation/reference_server_refuses", .essl_server = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc,
       .version = V::tlsv1_2, .only_peers = {PeerId::erlang}, .essl_renegotiates = true,
       .peer_refuses_renegotiation = true},
      // Renegotiation asked by the reference (ssl:renegotiate/1 right after the handshake): essl goes
      // along while reading (the server's HelloRequest, the client's new ClientHello).
      {.name = "renegotiation/reference_asks", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = {PeerId::erlang}, .peer_renegotiates = true},
      // Downgrade protection (RFC 7507): a fallback ClientHello below the server's highest version is
      // refused with inappropriate_fallback; at the server's highest version it goes through.
      {.name = "fallback/below_server_highest", .client_versions = {V::tlsv1_1}, .server_versions = all_versions,
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .ok = false,
       .alert = A::inappropriate_fallback, .sender = Side::server, .only_peers = extension_peers,
       .client_fallback = true},
      {.name = "fallback/at_server_highest", .client_versions = {V::tlsv1_1}, .server_versions = {V::tlsv1_1, V::tlsv1},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_1,
       .only_peers = extension_peers, .client_fallback = true},
      // Beyond the spec: encrypt-then-MAC (RFC 7366) with CBC suites and the extended master secret (RFC
      // 7627), used by default with peers that have them, in full and resumed handshakes; left out with
      // peers that leave them out (the connection then works without). Erlang's ssl has neither.
      {.name = "ems_etm/cbc_tlsv1.2", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = ems_etm_peers, .resume = true, .etm = true, .ems = true},
      {.name = "ems_etm/cbc_tlsv1", .client_versions = {V::tlsv1}, .server_versions = {V::tlsv1},
       .client_suites = "AES256-SHA", .server_suites = "AES256-SHA", .version = V::tlsv1,
       .only_peers = ems_etm_peers, .resume = true, .etm = true, .ems = true},
      {.name = "ems_etm/aead_ems_only", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = "ECDHE-RSA-AES128-GCM-SHA256", .server_suites = "ECDHE-RSA-AES128-GCM-SHA256",
       .version = V::tlsv1_2, .only_peers = ems_etm_peers, .etm = false, .ems = true},
      {.name = "ems_etm/peer_without_etm", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = ems_etm_peers, .resume = true, .peer_no_etm = true, .etm = false, .ems = true},
      {.name = "ems_etm/peer_without_ems", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = ems_etm_peers, .resume = true, .peer_no_ems = true, .etm = true, .ems = false},
      {.name = "ems_etm/reference_has_neither", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = {PeerId::erlang}, .resume = true, .etm = false, .ems = false},
      // Sessions: the peer offers (or, as server, accepts) the first connection's session; essl resumes
      // it, or declines with reuse_sessions false (either role) or a reuse_session fun that says no
      // (server): a full handshake, on which both ends agree.
      {.name = "sessions/resumed", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = session_peers, .resume = true},
      {.name = "sessions/reuse_sessions_false", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .only_peers = session_peers, .resume = true, .essl_reuse_sessions = false},
      {.name = "sessions/reuse_session_fun_refuses", .essl_client = false, .client_versions = {V::tlsv1_2},
       .server_versions = {V::tlsv1_2}, .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc,
       .version = V::tlsv1_2, .only_peers = session_peers, .resume = true, .essl_reuse_session_refuses = true},
      {.name = "npn/common_protocol", .client_versions = {V::tlsv1_2}, .server_versions = {V::tlsv1_2},
       .client_suites = ecdhe_rsa_cbc, .server_suites = ecdhe_rsa_cbc, .version = V::tlsv1_2,
       .client_npn = "spdy/3,http/1.1", .server_npn = "h2,http/1.1", .protocol = "http/1.1",
       .only_peers = {PeerId::openssl}},
  };
  return rows;
}

Case check_case(const CheckRow& row, PeerId p, Role r) {
  Case c;
  c.group = "behaviour";
  c.peer = p;
  c.role = r;
  bool essl_is_client = r == Role::client;
  c.essl_versions = essl_is_client ? row.client_versions : row.server_versions;
  c.peer_versions = essl_is_client ? row.server_versions : row.client_versions;
  c.essl_suites = suites(essl_is_client ? row.client_suites : row.server_suites);
  c.peer_suites = suites(essl_is_client ? row.server_suites : row.client_suites);
  c.client_cert = row.client_cert;
  c.server_requires_cert = row.server_requires_cert;
  c.client_verifies = row.client_verifies;
  c.client_trusts_server = row.client_trusts_server;
  c.server_trusts_client = row.server_trusts_client;
  c.server_chain = row.server_chain;
  c.client_depth = row.client_depth;
  c.expect_ok = row.ok;
  c.expect_version = row.version;
  c.expect_suite = row.suite.empty() ? nullptr : suite(row.suite);
  c.essl_sends_alert = (row.sender == Side::client) == essl_is_client;
  c.expect_alert = !c.essl_sends_alert && row.peer_alert && p != PeerId::erlang ? *row.peer_alert : row.alert;
  auto list = [](std::string_view comma_list) {
    std::vector<std::string> out;
    std::istringstream in{std::string(comma_list)};
    for (std::string name; std::getline(in, name, ',');) out.push_back(name);
    return out;
  };
  c.client_alpn = list(row.client_alpn);
  c.server_alpn = list(row.server_alpn);
  c.client_npn = list(row.client_npn);
  c.server_npn = list(row.server_npn);
  c.sni = row.sni;
  c.sni_host_ecdsa = row.sni_host_ecdsa;
  if (!row.srp_user.empty()) {
    c.srp_user = row.srp_user;
    c.srp_password = "essl-password";
    c.srp_known_user = "essl-user";
  }
  if (!row.psk_identity.empty()) {
    c.psk_key = Case::default_psk_key;
    c.psk_identity = row.psk_identity;
    c.psk_known_identity = row.psk_known_identity;
  }
  c.essl_renegotiates = row.essl_renegotiates;
  c.client_fallback = row.client_fallback;
  c.resume = row.resume;
  c.essl_reuse_sessions = row.essl_reuse_sessions;
  c.essl_reuse_session_refuses = row.essl_reuse_session_refuses;
  c.peer_no_etm = row.peer_no_etm;
  c.peer_no_ems = row.peer_no_ems;
  c.expect_etm = row.etm;
  c.expect_ems = row.ems;
  c.peer_renegotiates = row.peer_renegotiates;
  c.peer_refuses_renegotiation = row.peer_refuses_renegotiation;
  c.expect_protocol = row.protocol;
  c.expect_sni = row.sni;
  c.id = std::string(peer_name(p)) + "/" + std::string(role_name(r)) + "/" + std::string(row.name);
  return c;
}

// The published PRF vectors (Botan's .vec format: "[Section]", "Key = hex", blank line between vectors).
std::string hex_of(const std::vector<uint8_t>& b) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (uint8_t x : b) s += {digits[x >> 4], digits[x & 15]};
  return s;
}

std::vector<uint8_t> from_hex(std::string_view h) {
  std::vector<uint8_t> out;
  auto nib = [](char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<uint8_t>(nib(h[i]) << 4 | nib(h[i + 1])));
  return out;
}

std::string prf_vectors() {
  std::string path = conformance_data() + "/prf/tls_prf.vec";
  std::ifstream f(path);
  if (!f) return "cannot read " + path + " (set ESSL_CONFORMANCE_DATA)";
  Hash h = Hash::null;
  std::vector<uint8_t> secret, salt, label, output;
  size_t checked = 0;
  std::string bad;
  auto flush = [&] {
    if (h != Hash::null && !output.empty()) {
      auto got = crypto::prf(h, secret, std::string(label.begin(), label.end()), salt, output.size());
      if (got != output && bad.empty()) bad = "vector " + std::to_string(checked) + ": got " + hex_of(got).substr(0, 32) + "...";
      ++checked;
    }
    secret.clear(), salt.clear(), label.clear(), output.clear();
  };
  for (std::string line; std::getline(f, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    if (line[0] == '[') {
      flush();
      h = line == "[TLS-PRF]" ? Hash::md5sha
          : line.find("SHA-224") != std::string::npos ? Hash::sha224
          : line.find("SHA-256") != std::string::npos ? Hash::sha256
          : line.find("SHA-384") != std::string::npos ? Hash::sha384
          : line.find("SHA-512") != std::string::npos ? Hash::sha512
                                                      : Hash::null;
      continue;
    }
    auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    std::string key = line.substr(0, eq), val = line.substr(eq + 3);
    if (key == "Secret") secret = from_hex(val);
    else if (key == "Salt") salt = from_hex(val);
    else if (key == "Label") label = from_hex(val);
    else if (key == "Output") output = from_hex(val);
  }
  flush();
  if (!bad.empty()) return bad;
  return checked >= 30 ? "" : "only " + std::to_string(checked) + " vectors in " + path;
}

}  // namespace

std::vector<Case> matrix_cases(bool full) {
  std::vector<Case> out;
  for (PeerId p : peers)
    for (Role r : roles) {
      if (!full) {
        for (const SliceRow& row : slice) {
          const SuiteInfo* s = suite(row.suite);
          out.push_back(matrix_cell(p, r, row.version, s, false, false));
          // Without client authentication: resumption alone.
          if (row.mutual_resumed) out.push_back(matrix_cell(p, r, row.version, s, !no_client_auth(*s), true));
        }
        continue;
      }
      for (Version v : tls_versions)
        for (const SuiteInfo& s : cipher_suites(SuiteListType::all))
          if (suite_allowed_at(s, v) && key_exchange_implemented(s.spec.key_exchange))
            for (bool mutual : {false, true})
              if (!mutual || !no_client_auth(s))
                for (bool resumed : {false, true})
                  out.push_back(matrix_cell(p, r, v, find_suite(s.id), mutual, resumed));
    }
  // essl against itself, one role (both sides are essl): the command keeps these cells only where no
  // installed peer can take part.
  if (full)
    for (Version v : tls_versions)
      for (const SuiteInfo& s : cipher_suites(SuiteListType::all))
        if (suite_allowed_at(s, v) && key_exchange_implemented(s.spec.key_exchange))
          for (bool mutual : {false, true})
            if (!mutual || !no_client_auth(s))
              for (bool resumed : {false, true})
                out.push_back(matrix_cell(PeerId::essl, Role::client, v, find_suite(s.id), mutual, resumed));
  return out;
}

std::vector<Case> behaviour_cases() {
  std::vector<Case> out;
  Case prf;
  prf.group = "behaviour";
  prf.peer = PeerId::local;
  prf.id = "local/prf/published_vectors";
  prf.local_check = prf_vectors;
  out.push_back(prf);
  for (PeerId p : peers)
    for (const CheckRow& row : check_rows()) {
      if (!row.only_peers.empty() && std::find(row.only_peers.begin(), row.only_peers.end(), p) == row.only_peers.end())
        continue;
      for (Role r : roles)
        if (r == Role::client ? row.essl_client : row.essl_server) out.push_back(check_case(row, p, r));
    }
  return out;
}

}  // namespace essl::conformance
