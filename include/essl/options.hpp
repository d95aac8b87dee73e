// The spec's options as one typed struct. Field names are the spec's option names.
#pragma once
#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "essl/error.hpp"
#include "essl/suites.hpp"
#include "essl/transport.hpp"
#include "essl/verify.hpp"

namespace essl {

enum class Verify { verify_none, verify_peer };

// {key, {Type, Der}}
struct PrivateKeyDer {
  enum class Type { RSAPrivateKey, DSAPrivateKey, ECPrivateKey, PrivateKeyInfo } type;
  std::vector<uint8_t> der;
  bool operator==(const PrivateKeyDer&) const = default;
};

struct DisableSni {};

// {client_preferred_next_protocols, {Precedence, ClientPrefs}} and {Precedence, ClientPrefs, Default}.
// precedence client: the first of `protocols` that the server advertised; server: the first the server
// advertised that is in `protocols`. With no protocol in common (or none advertised) the client takes
// `default_protocol`, else the first of `protocols`. A server that answers without Next Protocol
// Negotiation (and without ALPN) ends the handshake (handshake_failure) unless `default_protocol` is set.
struct NextProtocolPreference {
  enum class Precedence { client, server };
  Precedence precedence = Precedence::client;
  std::vector<std::string> protocols;           // non-empty; each 1..255 bytes
  std::optional<std::string> default_protocol;  // 1..255 bytes
};

// {user_lookup_fun, {Lookupfun, UserState}} (PSK, RFC 4279; SRP, RFC 5054).
//   fun(psk, PSKIdentity, UserState) -> {ok, SharedSecret} | error
//   fun(srp, Username, UserState) -> {ok, {SRPParams, Salt, DerivedKey}} | error
// PSK: the client calls it with the server's identity hint (std::nullopt for undefined: no hint), the
// server with the identity the client presented. SRP: only the server calls it, with the client's user
// name; DerivedKey = SHA-1(Salt | SHA-1(Username | ":" | Password)) (RFC 2945, RFC 5054 2.4). `error`
// (an unknown identity or user) ends the handshake with a fatal illegal_parameter.
enum class LookupKind { psk, srp };
// srp_param_type(): the groups of RFC 5054 appendix A.
enum class SrpParam { srp_1024, srp_1536, srp_2048, srp_3072, srp_4096, srp_6144, srp_8192 };
struct SrpLookup {
  SrpParam params = SrpParam::srp_2048;
  std::vector<uint8_t> salt;
  std::vector<uint8_t> derived_key;
};
struct LookupError {};
// error | {ok, SharedSecret} | {ok, {SRPParams, Salt, DerivedKey}}
using LookupResult = std::variant<LookupError, std::vector<uint8_t>, SrpLookup>;
using LookupFun =
    std::function<LookupResult(LookupKind kind, const std::optional<std::string>& identity, const std::any& user_state)>;
struct UserLookupFun {
  LookupFun fun;
  std::any user_state;
};

struct Options;

// What one server name (sni_hosts, sni_fun) overrides in the server's options: only the fields that are
// set replace the base options' (a field left unset keeps the base value, so `verify = verify_none` can
// override a base `verify_peer`). Each pair of alternatives is replaced as a whole: setting `cert` or
// `certfile` replaces both of the base's (likewise key/keyfile, cacerts/cacertfile, dh/dhfile).
struct SniOptions {
  std::optional<std::vector<uint8_t>> cert;
  std::optional<std::string> certfile;
  std::optional<PrivateKeyDer> key;
  std::optional<std::string> keyfile;
  std::optional<std::string> password;
  std::optional<std::vector<std::vector<uint8_t>>> cacerts;
  std::optional<std::string> cacertfile;
  std::optional<Verify> verify;
  std::optional<bool> fail_if_no_peer_cert;
  std::optional<int> depth;
  std::optional<std::vector<uint8_t>> dh;
  std::optional<std::string> dhfile;
  std::optional<std::variant<std::monostate, std::vector<SuiteSpec>, std::string>> ciphers;
  std::optional<std::vector<Version>> versions;
  std::optional<bool> honor_cipher_order;
  std::optional<std::vector<std::string>> alpn_preferred_protocols;
  std::optional<std::vector<std::string>> next_protocols_advertised;
  bool operator==(const SniOptions&) const = default;
};
// The base options with the set fields of `host` over them.
Options merge_sni_options(const Options& base, const SniOptions& host);

// {sni_hosts, [{HostName, Options}]}: host names compare case-insensitively.
using SniHosts = std::vector<std::pair<std::string, SniOptions>>;
// {sni_fun, Fun}: called with the host name the client sent, on every handshake that carries one;
// std::nullopt = an unknown name (the handshake goes on with the base options).
using SniFun = std::function<std::optional<SniOptions>(std::string_view host)>;

struct Options {
  // Versions to offer/accept; empty = the application default (tlsv1.2, tlsv1.1, tlsv1).
  std::vector<Version> versions;
  // Ciphers, in preference order: empty = the default list (cipher_suites()); a list of the spec's
  // tuples; or a string: Erlang-style or OpenSSL names separated by ':' or ',', or an OpenSSL cipher
  // string with keywords and !, -, +, @STRENGTH (parse_cipher_string in suites.hpp). RC4, anonymous,
  // PSK and SRP suites are used only when listed here. An unknown name or tuple is an options error
  // naming `ciphers`. Suites whose key exchange the handshake does not implement are left out.
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

  // Sessions (the cache itself: AppConfig::session_cb). Client: offer a cached session for this host and
  // port, and cache new ones. Server: agree to resume when asked, and cache new sessions (false: neither,
  // and the ServerHello carries an empty session id).
  bool reuse_sessions = true;
  // Server, meaningful only with reuse_sessions: the local policy, asked before a cached session is
  // resumed; false means a full handshake. Arguments: the suggested session id, the client's certificate
  // from that session (DER; empty when it sent none), the compression method (0, null) and the suite.
  using ReuseSessionFun = std::function<bool(std::span<const uint8_t> session_id, std::span<const uint8_t> peer_cert,
                                             uint8_t compression, const SuiteSpec& cipher_suite)>;
  ReuseSessionFun reuse_session;

  // Renegotiation and misc behaviour.
  bool secure_renegotiate = false;
  bool client_renegotiation = true;
  // Server: true picks the first of its own suites that the client offers; false (the default) the
  // first of the client's suites that it has.
  bool honor_cipher_order = false;
  // TLS 1.0 only: false skips the check of the CBC padding bytes (only the length byte is used), to
  // interoperate with legacy software. Warning: this makes TLS 1.0 vulnerable to the POODLE attack.
  // TLS 1.1 and later always check the padding; SSL 3.0's padding is never checked (RFC 6101).
  bool padding_check = true;
  bool fallback = false;
  // Fatal alerts this connection sends or receives are logged (essl/logger.hpp, set_logger) as the
  // reference does ("TLS client: In state certify generated CLIENT ALERT: Fatal - Unknown CA"); false
  // logs nothing.
  bool log_alert = true;
  // Beyond the spec, as OpenSSL users expect: the extended master secret (RFC 7627), which binds the
  // master secret to the whole handshake, and encrypt-then-MAC (RFC 7366) for CBC suites. Each is offered
  // (client) or accepted (server) when true and used when both ends agree; TLS 1.0 and later.
  bool extended_master_secret = true;
  bool encrypt_then_mac = true;

  // SNI: std::monostate = automatic (the host name given to connect), a string, or DisableSni. No name
  // is sent for an IP literal (RFC 6066 3).
  std::variant<std::monostate, std::string, DisableSni> server_name_indication;
  // Server: per-name overrides, chosen by the name the client sent (mutually exclusive). A name that
  // neither knows leaves the base options in force; the handshake goes on.
  SniHosts sni_hosts;
  SniFun sni_fun;

  // ALPN (RFC 7301). Unset = not used; a given list must be non-empty, each name 1..255 bytes.
  // Client: the protocols offered. Server: its preference order; the first that the client offered is
  // chosen, and a client offering none of them gets a fatal no_application_protocol.
  std::optional<std::vector<std::string>> alpn_advertised_protocols;
  std::optional<std::vector<std::string>> alpn_preferred_protocols;
  // Next Protocol Negotiation. Server: the protocols advertised to a client that asks. Client: how it
  // chooses. ALPN takes precedence: a server that selects an ALPN protocol does not answer NPN.
  std::optional<std::vector<std::string>> next_protocols_advertised;
  std::optional<NextProtocolPreference> client_preferred_next_protocols;

  // PSK and SRP (only with their suites listed in `ciphers`). A client offers PSK suites only with a
  // user_lookup_fun and SRP suites only with an srp_identity; a server selects them only with a
  // user_lookup_fun.
  std::optional<UserLookupFun> user_lookup_fun;
  // Client: the identity it presents (1..65535 bytes; unset presents an empty one). Server: the identity
  // hint it sends in ServerKeyExchange (unset: none, and the PSK and RSA_PSK key exchanges send no
  // ServerKeyExchange).
  std::optional<std::string> psk_identity;
  // Client: {Username, Password} for the SRP suites (the user name 1..255 bytes).
  std::optional<std::pair<std::string, std::string>> srp_identity;

  // Milliseconds to wait for the peer to close after we sent a fatal alert; unset = the application's
  // alert_timeout (AppConfig, default 5000).
  std::optional<int> alert_timeout;
  // {hibernate_after, integer() | undefined}: after this many milliseconds without traffic (nothing read
  // or written) the connection gives back the memory of its idle buffers; unset (undefined, the
  // default): never. A connection woken by traffic grows its buffers again as needed.
  std::optional<int> hibernate_after;
  // {eccs, [named_curve()]}: the elliptic curves for ECDHE and ECDSA, in preference order: "x25519",
  // "secp256r1", "secp384r1", "secp521r1". A client offers them in supported_groups; a server picks the
  // first of them that the client offered. Unset: all four, in that order.
  std::optional<std::vector<std::string>> eccs;

  // {cb_info, {CallbackModule, DataTag, ClosedTag, ErrorTag}}: the transport (essl/transport.hpp). The
  // default is TCP with the tags tcp, tcp_closed, tcp_error.
  CbInfo cb_info;
};

// Checks every option for type and range errors, naming the first bad one: {options, {Name, Value}}.
Result<void, Error> validate(const Options& o);

}  // namespace essl
