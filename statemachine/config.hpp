// What a connection needs from its options, resolved once: versions, suites, credentials, trust, caches.
// Built by Config::make from an essl::Options (file loading, validation); shared by all connections of a
// listen socket or client context.
#pragma once
#include <memory>
#include <vector>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/kex.hpp"
#include "essl/options.hpp"
#include "statemachine/session_cache.hpp"

namespace essl {

enum class Role { client, server };

class SniConfigs;  // statemachine/hello_options.hpp

// dh_anon, ecdh_anon: no server Certificate, an unsigned ServerKeyExchange (statemachine/connection.cpp).
bool kex_anonymous(KeyExchange k);

struct Config {
  Role role = Role::client;
  Options options;                          // as given (validated)
  std::vector<Version> versions;            // enabled, highest first
  std::vector<const SuiteInfo*> suites;     // enabled, in preference order
  std::vector<crypto::Certificate> chain;   // own chain, leaf first (may be empty for a client)
  std::shared_ptr<crypto::PrivateKey> key;  // own key (null if no chain)
  std::vector<crypto::Certificate> trusted; // from cacerts / cacertfile
  std::vector<std::vector<uint8_t>> trusted_der;  // the same, as path validation takes them
  crypto::DhParams dh;                      // server DHE parameters
  std::shared_ptr<SessionCache> session_cache;
  crypto::Rng* rng = nullptr;               // system RNG unless a test or fuzzer sets a deterministic one
  std::shared_ptr<SniConfigs> sni;          // server with sni_hosts or sni_fun: the per-host configurations

  // Loads files and checks every option, naming the first bad one in an options error.
  static Result<std::shared_ptr<const Config>, Error> make(Role role, const Options& options,
                                                           std::shared_ptr<SessionCache> cache = nullptr);
};

}  // namespace essl
