// What a connection needs from its options, resolved once: versions, suites, credentials, trust, caches.
// Built by Config::make from an essl::Options (file loading, validation); shared by all connections of a
// listen socket or client context.
#pragma once
#include <memory>
#include <vector>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/kex.hpp"
#include "crypto_glue/x509.hpp"
#include "essl/options.hpp"
#include "statemachine/session_cache.hpp"

namespace essl {

class SniConfigs;  // statemachine/hello_options.hpp

// How key exchanges differ (statemachine/connection.cpp).
// No server Certificate: dh_anon, ecdh_anon, psk, dhe_psk, srp_anon. Such a server cannot request a
// client certificate (RFC 5246 7.4.4; RFC 4279 2 omits Certificate and CertificateRequest).
bool kex_no_server_cert(KeyExchange k);
// An unsigned ServerKeyExchange: the above and rsa_psk (its ServerKeyExchange holds only the hint).
bool kex_unsigned_ske(KeyExchange k);
// No client authentication: the above, PSK and SRP (RFC 4279 and RFC 5054 define none; OTP's and
// GnuTLS's clients refuse a CertificateRequest in RSA_PSK, SRP_RSA and SRP_DSS). A server that verifies
// its clients does not choose these suites.
bool kex_no_client_auth(KeyExchange k);
bool kex_psk(KeyExchange k);  // psk, dhe_psk, rsa_psk (RFC 4279)
bool kex_srp(KeyExchange k);  // srp_anon, srp_rsa, srp_dss (RFC 5054)

// user_lookup_fun, psk_identity, srp_identity: shapes and lengths, naming the bad option.
Result<void, Error> check_kex_options(const Options& o);

struct Config {
  Role role = Role::client;
  Options options;                          // as given (validated)
  std::vector<Version> versions;            // enabled, highest first
  std::vector<const SuiteInfo*> suites;     // enabled, in preference order
  std::vector<crypto::Certificate> chain;   // own chain, leaf first (may be empty for a client)
  std::shared_ptr<crypto::PrivateKey> key;  // own key (null if no chain)
  std::vector<crypto::Certificate> trusted; // from cacerts / cacertfile
  std::vector<std::vector<uint8_t>> trusted_der;  // the same, DER
  // The same, decoded for path validation once rather than in every handshake.
  std::shared_ptr<const std::vector<x509::CertView>> trusted_views = std::make_shared<std::vector<x509::CertView>>();
  crypto::DhParams dh;                      // server DHE parameters
  std::shared_ptr<SessionStore> session_cache;  // this role's sessions (reuse_sessions)
  crypto::Rng* rng = nullptr;               // system RNG unless a test or fuzzer sets a deterministic one
  std::vector<uint16_t> groups;             // eccs as named groups, supported ones only (empty: all we support)
  std::shared_ptr<SniConfigs> sni;          // server with sni_hosts or sni_fun: the per-host configurations
  // The verification settings (verify, depth, funs by type, CRL check, SNI, trusted CAs) sessions are
  // made under: a session is resumed only under the same settings.
  std::string verify_fingerprint;
  // Renegotiation: the write sequence number at which a new handshake is started (the reference's 2^28),
  // and the clock for the rate limit (steady clock unless a test sets one).
  uint64_t renegotiate_at = uint64_t(1) << 28;
  int64_t (*now_ms)() = nullptr;

  // Loads files and checks every option, naming the first bad one in an options error.
  static Result<std::shared_ptr<const Config>, Error> make(Role role, const Options& options,
                                                           std::shared_ptr<SessionStore> cache = nullptr);
};

}  // namespace essl
