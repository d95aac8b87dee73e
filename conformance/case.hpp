// One conformance case: essl in one role against one peer, both sides configured from the same fields,
// and what must happen. The matrix and the behaviour checks are both lists of these.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "essl/essl.hpp"

namespace essl::conformance {

// essl: essl itself on the peer's side (the suites no installed implementation has); local: no peer.
enum class PeerId { openssl, gnutls, botan, erlang, essl, local };
std::string_view peer_name(PeerId p);
std::optional<PeerId> peer_from_name(std::string_view s);

enum class Role { client, server };  // essl's role; the peer takes the other one
inline std::string_view role_name(Role r) { return r == Role::client ? "essl-client" : "essl-server"; }

struct Case {
  std::string id;     // unique, "/"-separated, matched by --filter and by the expected-failure globs
  std::string group;  // "matrix" or "behaviour"
  PeerId peer = PeerId::openssl;
  Role role = Role::client;

  std::vector<Version> essl_versions, peer_versions;
  std::vector<const SuiteInfo*> essl_suites, peer_suites;

  // The server's certificate: tests/data/<server_cert>.pem with <server_cert>-key.pem, and the
  // intermediate it sends after it (tests/data/<server_intermediate>.pem; "" = none). With an
  // intermediate, <server_cert>-chain.pem holds the leaf then the intermediate.
  std::string server_cert = "server-rsa";
  std::string server_intermediate;
  bool client_cert = false;          // the client presents client-rsa.pem
  bool server_requires_cert = false; // the server: verify_peer + fail_if_no_peer_cert, trusting ca.pem
  bool client_verifies = true;       // the client: verify_peer (else verify_none)
  bool client_trusts_server = true;  // the client's cacertfile: ca.pem (else other-ca.pem)
  bool server_trusts_client = true;  // with server_requires_cert, the server's cacertfile: ca.pem (else other-ca.pem)
  bool server_chain = false;         // the server presents pkix/int-server (ECDSA P-256) under pkix/int-ca
  std::optional<int> client_depth;   // the client's depth option (essl as client only)
  // PSK suites: both sides hold psk_key (hex); the client presents psk_identity and the server sends
  // psk_hint ("" = none). The server knows the key of psk_known_identity only ("" = psk_identity).
  std::string psk_key, psk_identity, psk_hint, psk_known_identity;
  std::string server_psk_identity() const { return psk_known_identity.empty() ? psk_identity : psk_known_identity; }
  static constexpr std::string_view default_psk_key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
  // SRP suites: the client's srp_identity; the server knows srp_known_user ("" = srp_user) with this
  // password.
  std::string srp_user, srp_password, srp_known_user;
  std::string server_srp_user() const { return srp_known_user.empty() ? srp_user : srp_known_user; }
  bool resume = false;               // a second connection must resume the first one's session
  // ...unless essl will not: reuse_sessions false (either role), or (server) a reuse_session fun that
  // refuses; then the second connection is a full handshake.
  bool essl_reuse_sessions = true;
  bool essl_reuse_session_refuses = false;
  bool resumes(size_t n) const { return resume && n == 1 && essl_reuse_sessions && !essl_reuse_session_refuses; }
  // Renegotiation: essl renegotiates once after the handshake (client: ClientHello; server: HelloRequest);
  // the peer refuses it (a warning no_renegotiation: renegotiation_rejected, the connection goes on).
  bool essl_renegotiates = false;
  bool peer_refuses_renegotiation = false;
  bool peer_renegotiates = false;  // the peer renegotiates once after the handshake (essl must go along)
  bool client_fallback = false;  // the client sends TLS_FALLBACK_SCSV (RFC 7507; the `fallback` option)
  // Encrypt-then-MAC (RFC 7366) and the extended master secret (RFC 7627): the peer leaves one out.
  bool peer_no_etm = false, peer_no_ems = false;

  // Hello extensions. ALPN: the client's offer and the server's preference (empty = not used). SNI: the
  // name the client sends ("" = localhost, or none where essl connects to an IP); with sni_host_ecdsa the
  // server keeps server-rsa as its base certificate and serves server-ecdsa to clients naming
  // sni_host_name.
  std::vector<std::string> client_alpn, server_alpn;
  // NPN: the client's preference (client precedence) and the server's advertised list.
  std::vector<std::string> client_npn, server_npn;
  std::string sni;
  bool sni_host_ecdsa = false;
  static constexpr std::string_view sni_host_name = "sni.test";

  // Success: what must be negotiated. Failure: the alert, and whether essl sends it (else the peer does).
  bool expect_ok = true;
  std::optional<Version> expect_version;
  const SuiteInfo* expect_suite = nullptr;
  std::string expect_protocol;  // ALPN or NPN: what essl must report ("" = no protocol)
  std::string expect_sni;       // essl as server: the sni_hostname it must report ("" = not checked)
  // What essl must report of each connection (ConnectionInfo); nullopt = not checked.
  std::optional<bool> expect_etm, expect_ems;
  AlertDescription expect_alert = AlertDescription::handshake_failure;
  bool essl_sends_alert = true;

  // Cases that need no peer (published vectors): run instead of a handshake.
  std::string (*local_check)() = nullptr;  // returns empty on success, else what went wrong
};

enum class Outcome {
  pass,         // did what the case says
  fail,         // did something else (or the peer could not be run)
  unsupported,  // the peer cannot express the case (its adapter says so)
  expected,     // failed, and expected.txt says why this is acceptable
  xpass,        // listed in expected.txt but passed (reported; not an error)
};
std::string_view outcome_name(Outcome o);

struct CellResult {
  Outcome outcome = Outcome::fail;
  std::string detail;  // why it failed / what was not supported / the expected-failure reason
  std::string alert;   // the alert seen in a failing handshake, if any (atom)
  double seconds = 0;
};

// Where the test PKI and the Erlang peer live (ESSL_SOURCE_ROOT, else the source tree this was built
// from) and the published vectors (ESSL_CONFORMANCE_DATA, else ../shared/conformance-data).
std::string source_root();
std::string pki(std::string_view file);  // tests/data/<file>
std::string conformance_data();

// The server's leaf and intermediate names (server_chain: pkix/int-server under pkix/int-ca), and the
// file with the leaf and the chain to send after it.
struct ServerCredential {
  std::string leaf, intermediate;
  std::string certfile() const { return pki(intermediate.empty() ? leaf + ".pem" : leaf + "-chain.pem"); }
  std::string keyfile() const { return pki(leaf + "-key.pem"); }
};
inline ServerCredential server_credential(const Case& c) {
  if (c.server_chain) return {"pkix/int-server", "pkix/int-ca"};
  return {c.server_cert, c.server_intermediate};
}

}  // namespace essl::conformance
