// Certification path validation (RFC 5280 6.1 and 6.3) with the spec's verify_fun semantics: the user's
// fun sees every step, from the certificate just below the trust anchor down to the peer, and decides.
// Works on the plain views of crypto_glue/x509.hpp; no Botan here.
//
// From the connection's Options: chain = the peer's Certificate message; anchors = cacerts/cacertfile;
// verify_fun = Options::verify_fun, or the default fun of Options::verify; depth, partial_chain,
// crl_check as given; crl_cache = Options::crl_cache or ssl_crl_cache::internal(); hostname = the host a
// client connected to; purpose = server_auth for a client checking a server, client_auth for a server.
#pragma once
#include <any>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "essl/alert.hpp"
#include "essl/result.hpp"
#include "crypto_glue/x509.hpp"
#include "essl/verify.hpp"

namespace essl::pkix {

// Which TLS role the peer certificate must be fit for (extendedKeyUsage, RFC 5280 4.2.1.12).
enum class Purpose { any, server_auth, client_auth };

// What validation reports besides success.
struct Outcome {
  // RFC 5280 6.1.6: the policies of the valid policy tree intersected with the initial policy set
  // (the "user-constrained policy set"; anyPolicy when the tree allows any).
  // (Filled when the path is valid.)
  std::vector<std::string> user_constrained_policy_set;
  std::any user_state;  // the verify fun's state after its last call, whatever the result
};

struct Request {
  std::vector<Der> chain;    // as the peer sent it: its certificate first, then any others in any order
  std::vector<Der> anchors;  // trusted certificates (cacerts); undecodable ones are ignored
  // The same, decoded once (a connection's Config keeps them): when set, used instead of `anchors`.
  std::shared_ptr<const std::vector<x509::CertView>> anchor_views;
  VerifyFun verify_fun;      // empty fun: default_verify_fun_verify_peer()
  int depth = 1;             // non-self-issued intermediates allowed between the peer and the anchor
  PartialChain partial_chain;
  std::string hostname;      // non-empty: the peer certificate must match it (RFC 6125)
  Purpose purpose = Purpose::any;
  CrlCheck crl_check = CrlCheck::off;
  CrlCache* crl_cache = nullptr;  // not owned; null: only `crls`
  std::vector<Der> crls;          // further CRLs to consult
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
  // RFC 5280 6.1.1 (c), (e), (f), (g).
  std::vector<std::string> initial_policy_set = {"2.5.29.32.0"};
  bool initial_explicit_policy = false;
  bool initial_policy_mapping_inhibit = false;
  bool initial_any_policy_inhibit = false;
  Outcome* outcome = nullptr;  // filled when given
};

struct Failure {
  AlertDescription alert = AlertDescription::bad_certificate;
  // The spec's reason: "unknown_ca", "{revoked,keyCompromise}", or the user's own fail reason.
  std::string reason;
};

Result<void, Failure> validate(const Request& request);

}  // namespace essl::pkix
