// What the handlers share: one connection's negotiated parameters, its handshake-only state (freed once
// the connection state is reached) and the helpers that write messages and derive keys.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/key_exchange.hpp"
#include "crypto_glue/kex.hpp"
#include "crypto_glue/record_protection.hpp"
#include "statemachine/engine.hpp"
#include "statemachine/record_layer.hpp"
#include "statemachine/table.hpp"

namespace essl {

// A handler's failure: the alert to send and, for the error text, why.
struct Fail {
  AlertDescription alert;
  std::string why;
};
using Step = Result<void, Fail>;
inline Unexpected<Fail> refuse(AlertDescription a, std::string why = {}) { return fail(Fail{a, std::move(why)}); }

// The message a handler receives.
struct In {
  codec::ByteView body;      // handshake body, CCS byte or application data
  size_t transcript_before;  // transcript length before this message (what Finished/CertificateVerify cover)
};

// Only verify_finished makes one: the connection state is reachable only through a verified Finished.
class FinishedVerified {
 public:
  FinishedVerified(FinishedVerified&&) = default;
  FinishedVerified& operator=(FinishedVerified&&) = default;

 private:
  FinishedVerified() = default;
  friend Result<FinishedVerified, Fail> verify_finished(struct Conn& c, const In& in);
};

// Exists from start() until the connection state.
struct HandshakeState {
  codec::Random client_random{}, server_random{};
  codec::Bytes transcript;  // every handshake message except HelloRequest, as sent (RFC 5246 7.4.9)
  uint16_t client_version = 0;  // client: offered; server: received

  // What the client offered (checked against the ServerHello).
  std::vector<uint16_t> offered_suites;
  std::vector<uint16_t> offered_groups;
  std::vector<uint16_t> offered_sig_algs;
  bool offered_sni = false;
  bool offered_point_formats = false;
  std::optional<SessionState> session;  // client: the session offered; server: the one resumed

  // What the peer's hello said.
  std::vector<uint16_t> peer_groups;
  bool peer_groups_sent = false;
  std::vector<uint16_t> peer_sig_algs;
  bool peer_sig_algs_sent = false;
  bool peer_point_formats_sent = false;
  bool peer_secure_reneg = false;  // RFC 5746 signalled (initial) or verified (renegotiation)
  codec::Bytes own_verify_data, peer_verify_data;  // this handshake's Finished contents

  // SNI, ALPN (RFC 6066, RFC 7301) and NPN (draft-agl-tls-nextprotoneg-04).
  bool offered_alpn = false;              // client
  bool offered_npn = false;               // client
  std::optional<std::string> npn_choice;  // client: what its NextProtocol carries
  bool sni_used = false;                  // server: the name chose a per-host configuration
  std::optional<std::vector<std::string>> peer_alpn;  // server: the client's ALPN list
  bool peer_npn = false;                  // server: the client asked for NPN

  // RFC 7627 and RFC 7366. Client: offered; server: the client's hello carried them. Then, for both:
  // what this handshake uses (the master secret it derives, the pending states it makes).
  bool offered_ems = false, offered_etm = false;
  bool peer_ems = false, peer_etm = false;
  bool ems = false, etm = false;

  // Key exchange.
  uint16_t group = 0;     // ECDHE named group
  uint16_t sig_scheme = 0;  // scheme used for ServerKeyExchange (server) or CertificateVerify (client)
  std::unique_ptr<crypto::KeyAgreement> kex;
  codec::Bytes premaster;  // client, (EC)DHE: agreed when ServerKeyExchange arrives
  std::optional<std::string> psk_hint;  // client, PSK: the server's identity hint
  std::optional<std::string> srp_user;  // server, SRP: the user name of the client's srp extension
  std::vector<crypto::Certificate> peer_chain;  // parsed, leaf first

  // Client authentication.
  std::vector<uint16_t> cert_req_sig_algs;  // client: the server's list
  bool client_sends_cert = false;           // client: chosen when CertificateRequest arrives

  std::unique_ptr<crypto::RecordProtection> pending_read, pending_write;
  codec::Bytes hs_out;  // handshake messages queued for the next flush (one record stream per flight)
};

struct Conn {
  std::shared_ptr<const Config> cfg;
  PeerId peer;
  Role role;
  table::State state;
  table::Flags flags = 0;
  RecordLayer rl;
  std::unique_ptr<HandshakeState> hs;

  // Negotiated.
  std::optional<Version> version;
  const SuiteInfo* suite = nullptr;
  codec::Bytes master;
  codec::Bytes session_id;
  bool resumed = false;
  bool session_cached = false;  // this connection stored its session (or resumed a cached one)
  std::optional<std::string> sni;
  std::optional<std::string> negotiated_protocol;  // by ALPN or NPN
  std::vector<codec::Bytes> peer_certs_der;
  codec::Random client_random{}, server_random{};
  bool extended_master_secret = false;  // the last completed handshake's
  bool encrypt_then_mac = false;

  // Renegotiation (RFC 5746): whether a handshake has completed, whether it was secure (both ends
  // signalled RFC 5746), and its Finished contents, which the next handshake's renegotiation_info binds.
  bool established = false;
  uint32_t handshakes = 0;  // completed: the first and every renegotiation
  bool secure_renegotiation = false;
  codec::Bytes client_verify_data, server_verify_data;
  // renegotiation_info's contents in this handshake's ClientHello (client_verify_data) or ServerHello
  // (both): empty in the first handshake.
  codec::Bytes renegotiation_info(bool server_hello) const;

  crypto::Rng& rng() const { return cfg->rng ? *cfg->rng : crypto::system_rng(); }
  bool tls12() const { return version && *version >= Version::tlsv1_2; }
  bool has(table::Flag f) const { return flags & f; }
  void set(table::Flag f) { flags = table::Flags(flags | f); }

  // Appends a handshake message to the transcript and to the flight being built.
  void queue_handshake(codec::HandshakeType t, codec::ByteView body);
  // Writes the queued handshake messages as records.
  void flush_handshake();
  // Flushes, writes ChangeCipherSpec, makes the pending write state current.
  void send_change_cipher_spec();
  // Finished over the transcript so far, queued (after send_change_cipher_spec).
  void send_finished();
  // verify_data the peer's Finished must carry, over the transcript's first `len` bytes.
  codec::Bytes expected_finished(size_t len) const;
  // From the premaster secret: master secret; then both pending states.
  Step derive_from_premaster(codec::ByteView premaster);
  // From `master`: key block and the two pending states.
  Step make_pending_states();
  // Stores the session for resumption and frees the handshake state.
  void complete_handshake(FinishedVerified proof);
  // Deletes this connection's session from the cache: a connection that ends with a fatal alert must not
  // be resumed (RFC 5246 7.2.2).
  void forget_session();
  // Cache keys (the spec's): client {{Host, Port}, SessionId}, server {Port, SessionId}.
  PartialKey partial_key() const;
  SessionKey session_key() const { return SessionKey{partial_key(), session_id}; }
};

// Handlers (one file per message they handle, named after it).
Step client_send_hello(Conn& c);                        // client_hello.cpp
Step client_on_server_hello(Conn& c, const In& in);     // client_server_hello.cpp
Step client_on_certificate(Conn& c, const In& in);      // client_certificate.cpp
Step client_on_server_key_exchange(Conn& c, const In& in);  // client_server_key_exchange.cpp
Step client_on_certificate_request(Conn& c, const In& in);  // client_certificate.cpp
Step client_on_server_hello_done(Conn& c, const In& in);    // client_key_exchange.cpp
Step server_on_client_hello(Conn& c, const In& in);     // server_hello.cpp
Step server_on_certificate(Conn& c, const In& in);      // server_certificate.cpp
Step server_on_client_key_exchange(Conn& c, const In& in);  // server_key_exchange.cpp
Step server_on_certificate_verify(Conn& c, const In& in);   // server_certificate.cpp
Step on_change_cipher_spec(Conn& c, const In& in);      // finished.cpp
Step on_finished(Conn& c, const In& in, bool abbreviated);  // finished.cpp
Step server_on_next_protocol(Conn& c, const In& in);    // finished.cpp
// Client: queues NextProtocol when the server answered NPN; called just before our Finished.
void queue_next_protocol(Conn& c);                      // finished.cpp
Result<FinishedVerified, Fail> verify_finished(Conn& c, const In& in);

// Shared by both roles (handshake_common.cpp).
codec::KexFormat kex_format(KeyExchange k);
bool kex_sends_ske(KeyExchange k);     // a ServerKeyExchange always follows
bool kex_ske_optional(KeyExchange k);  // psk, rsa_psk: a ServerKeyExchange only with an identity hint
bool kex_static_ecdh(KeyExchange k);  // ecdh_ecdsa, ecdh_rsa: the certificate's key, no ServerKeyExchange
bool suite_is_ecc(const SuiteSpec& s);
bool suite_is_cbc(const SuiteSpec& s);  // a block cipher: where encrypt-then-MAC applies
crypto::KeyAlgo suite_cert_algo(KeyExchange k);  // the certificate key the suite's authentication needs
// Our signature_algorithms, strongest first, restricted to what the crypto provider supports.
std::vector<uint16_t> own_signature_schemes();
// DSA's, offered only with a DSS suite (RFC 5246 7.4.1.4.1), in the same order.
std::vector<uint16_t> dsa_signature_schemes();
// The first of `ours` that the peer listed and that signs with `key`; 0 if none.
uint16_t choose_scheme(crypto::KeyAlgo key, const std::vector<uint16_t>& peer);
// Groups we support, in preference order.
const std::vector<uint16_t>& own_groups();
// The configuration's groups (eccs), in its preference order; own_groups() when it names none.
const std::vector<uint16_t>& config_groups(const Config& cfg);
// PSK (RFC 4279 2-4): user_lookup_fun's shared secret for an identity (client: the server's hint or
// std::nullopt), std::nullopt when it answers `error` (or the fun is missing or answers an SRP result).
std::optional<codec::Bytes> lookup_psk(const Config& cfg, const std::optional<std::string>& identity);
// uint16 length, other_secret, uint16 length, psk.
codec::Bytes psk_premaster(codec::ByteView other_secret, codec::ByteView psk);
// Parses and (with verify_peer) validates a peer chain.
Step accept_peer_chain(Conn& c, const std::vector<codec::Bytes>& ders);

}  // namespace essl
