// The spec's options as one typed struct. Field names are the spec's option names.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "essl/error.hpp"
#include "essl/suites.hpp"
#include "essl/verify.hpp"

namespace essl {

enum class Verify { verify_none, verify_peer };

// {key, {Type, Der}}
struct PrivateKeyDer {
  enum class Type { RSAPrivateKey, DSAPrivateKey, ECPrivateKey, PrivateKeyInfo } type;
  std::vector<uint8_t> der;
};

struct DisableSni {};

struct Options {
  // Versions to offer/accept; empty = the application default (tlsv1.2, tlsv1.1, tlsv1).
  std::vector<Version> versions;
  // Ciphers: empty = default list; either a list of suites or an OpenSSL-format string.
  std::variant<std::monostate, std::vector<SuiteSpec>, std::string> ciphers;

  // Own certificate and key.
  std::vector<uint8_t> cert;         // DER, overrides certfile
  std::string certfile;              // PEM chain (leaf first)
  std::optional<PrivateKeyDer> key;  // overrides keyfile
  std::string keyfile;               // defaults to certfile
  std::string password;

  // Trust.
  std::vector<std::vector<uint8_t>> cacerts;  // DER, overrides cacertfile
  std::string cacertfile;
  Verify verify = Verify::verify_none;
  bool fail_if_no_peer_cert = false;
  // Non-self-issued intermediates allowed between the peer and the trust anchor.
  int depth = 1;
  // Called at every step of path validation; empty = the spec's default fun for `verify`.
  std::optional<VerifyFun> verify_fun;
  // Claims a certificate of the received chain as the trust anchor.
  PartialChain partial_chain;
  CrlCheck crl_check = CrlCheck::off;
  std::shared_ptr<CrlCache> crl_cache;  // null = ssl_crl_cache::internal()

  // DH parameters for DHE (server); empty = built-in group.
  std::vector<uint8_t> dh;
  std::string dhfile;

  // Sessions.
  bool reuse_sessions = true;

  // Renegotiation and misc behaviour.
  bool secure_renegotiate = false;
  bool client_renegotiation = true;
  bool honor_cipher_order = false;
  bool padding_check = true;
  bool fallback = false;
  bool log_alert = true;

  // SNI: std::monostate = automatic (the host name given to connect), a string, or DisableSni.
  std::variant<std::monostate, std::string, DisableSni> server_name_indication;

  // Milliseconds to wait for the peer to close after we sent a fatal alert.
  int alert_timeout = 5000;
};

// Checks every option for type and range errors, naming the first bad one: {options, {Name, Value}}.
Result<void, Error> validate(const Options& o);

}  // namespace essl
