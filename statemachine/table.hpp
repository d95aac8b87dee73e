// The handshake as data: every message a connection may receive, in every state, for both roles.
//
// A row reads "a <role> in <state> that receives <message> while <guard> holds runs <handler> and moves to
// <next>". The engine looks a row up before any handler runs; no row means unexpected_message. Handlers
// never choose the next state: where the path forks (full or abbreviated handshake, ServerKeyExchange or
// not, client authentication or not) the fork is a guard over flags that the earlier messages set, read
// when the next message arrives (the way s2n-tls keys its message sequences by handshake type).
//
// Guards are conjunctions over flags, themselves kept as data (guard_defs) so that a model or
// diagram generator can read the whole machine without reading C++ control flow. `dump` prints it.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string_view>

#include "statemachine/config.hpp"

namespace essl::table {

// What arrives: a handshake message by type, or a whole ChangeCipherSpec / application_data record.
// Alerts are not in the table: they are valid in every state (RFC 5246 7.2).
enum class Msg : uint8_t {
  hello_request,
  client_hello,
  server_hello,
  certificate,
  server_key_exchange,
  certificate_request,
  server_hello_done,
  certificate_verify,
  client_key_exchange,
  next_protocol,  // NPN (draft-agl-tls-nextprotoneg-04): the client's choice, after its ChangeCipherSpec
  finished,
  change_cipher_spec,
  application_data,
  // Not wire messages: the user's renegotiate() (a local event) and the peer's warning alert
  // no_renegotiation, which ends a renegotiation we asked for.
  renegotiate,
  no_renegotiation,
};
std::string_view msg_name(Msg m);
// A handshake message or record from the peer (the messages fuzzers and models frame as bytes).
inline constexpr bool is_wire(Msg m) { return m <= Msg::application_data; }

// Fine-grained states, named after what the state waits for. Each maps onto one of the reference's
// phases (hello, certify, cipher, abbreviated, connection) for state_name().
enum class State : uint8_t {
  // client
  c_wait_server_hello,      // ClientHello sent
  c_wait_certificate,       // ServerHello received: Certificate (full) or ChangeCipherSpec (resuming)
  c_wait_key_exchange,      // server Certificate received: ServerKeyExchange, CertificateRequest or done
  c_wait_cert_request,      // ServerKeyExchange received: CertificateRequest or ServerHelloDone
  c_wait_hello_done,        // CertificateRequest received
  c_wait_ccs,               // our second flight sent
  c_wait_finished,          // server ChangeCipherSpec received (full)
  c_abbr_wait_finished,     // server ChangeCipherSpec received (resuming)
  // server
  s_wait_client_hello,
  s_wait_client_cert,       // first flight sent: Certificate, ClientKeyExchange or ChangeCipherSpec (resuming)
  s_wait_key_exchange,      // client Certificate received
  s_wait_cert_verify,       // ClientKeyExchange received: CertificateVerify or ChangeCipherSpec
  s_wait_ccs,               // CertificateVerify received
  s_wait_finished,          // client ChangeCipherSpec received (full)
  s_abbr_wait_finished,     // client ChangeCipherSpec received (resuming)
  // both
  connection,
};
inline constexpr size_t state_count = size_t(State::connection) + 1;
std::string_view state_id(State s);  // the enumerator's name
// The reference's phase name; `resuming` separates certify from abbreviated where a state serves both.
std::string_view phase(State s, bool resuming);

// Flags known before a message arrives; set by the handlers of earlier messages, except the two
// renegotiation flags, which the engine keeps (`entering` and `environment_flags`).
using Flags = uint16_t;
enum Flag : Flags {
  f_resuming = 1 << 0,            // abbreviated handshake (session id echoed / accepted)
  f_kex_sends_ske = 1 << 1,       // the negotiated key exchange has a ServerKeyExchange (DHE, ECDHE)
  f_cert_requested = 1 << 2,      // the server sent CertificateRequest
  f_peer_cert_nonempty = 1 << 3,  // the client's Certificate held at least one certificate
  f_npn = 1 << 4,                 // the server answered Next Protocol Negotiation: NextProtocol precedes Finished
  f_npn_received = 1 << 5,        // the client's NextProtocol arrived
  f_kex_no_cert = 1 << 6,         // the negotiated key exchange has no server Certificate (anonymous, PSK)
  // Anonymous, PSK and SRP key exchanges: no CertificateRequest; without kex_sends_ske (PSK, RSA_PSK) the
  // ServerKeyExchange comes only when the server has an identity hint.
  f_kex_no_client_auth = 1 << 7,
  // A renegotiation: set when a row leaves `connection` for a handshake state, cleared when `connection`
  // is entered again. Application data keeps flowing until the peer's ChangeCipherSpec.
  f_renegotiating = 1 << 8,
  // Server in `connection`: a ClientHello may start a renegotiation (client_renegotiation, or a
  // HelloRequest we sent, and the rate limit allows it). The engine sets it before each message.
  f_reneg_allowed = 1 << 9,
};
inline constexpr Flags environment_flags = f_reneg_allowed;
inline constexpr size_t flag_count = 10;
// The flags after a row from `from` to `to` ran (`handler_set` being what its handler set): a row that
// leaves `connection` starts a new handshake with only f_renegotiating; entering `connection` ends it.
Flags entering(State from, State to, Flags before, Flags handler_set);

enum class Guard : uint8_t {
  always,
  resuming,
  full,
  kex_sends_ske,
  kex_no_ske,
  full_cert_requested,
  full_no_cert_request,
  peer_cert_nonempty,
  peer_cert_empty,
  npn_expected,
  no_npn,
  npn_received,
  full_certified,  // a full handshake whose key exchange authenticates the server by certificate
  full_no_cert,    // a full handshake whose key exchange has no server Certificate
  certified,       // the key exchange authenticates the server by certificate and may ask the client for one
  full_no_cert_no_ske,  // PSK without an identity hint: ServerHelloDone follows ServerHello
  kex_ske_optional,     // RSA_PSK: a ServerKeyExchange carrying the hint may follow the Certificate
                        // (no_client_auth without kex_sends_ske)
  kex_no_ske_cert_auth,  // no ServerKeyExchange, and a key exchange that may authenticate the client
  renegotiating,         // a renegotiation's handshake, before the peer's ChangeCipherSpec
  reneg_allowed,         // server: a ClientHello in `connection` starts a renegotiation
  reneg_refused,         // server: it does not (warning no_renegotiation)
};
struct GuardDef {
  Guard guard;
  std::string_view name;
  Flags require;  // flags that must be set
  Flags forbid;   // flags that must be clear
};
const std::span<const GuardDef> guard_defs();
bool holds(Guard g, Flags flags);
std::string_view guard_name(Guard g);

// What runs. The engine maps each to a function (statemachine/handlers.hpp).
enum class Handler : uint8_t {
  ignore,                    // HelloRequest outside connection (RFC 5246 7.4.1.1)
  refuse_renegotiation,      // warning no_renegotiation; the connection continues
  deliver_app_data,
  change_cipher_spec,        // activate the pending read state
  // client
  c_server_hello,
  c_server_certificate,
  c_server_key_exchange,
  c_certificate_request,
  c_server_hello_done,       // sends Certificate?, ClientKeyExchange, CertificateVerify?, CCS, Finished
  c_finished,                // full: verify and finish
  c_abbr_finished,           // resuming: verify, then send CCS, Finished
  // server
  s_client_hello,            // sends ServerHello..ServerHelloDone, or ServerHello, CCS, Finished
  s_client_certificate,
  s_client_key_exchange,
  s_certificate_verify,
  s_next_protocol,           // records the client's protocol
  s_finished,                // full: verify, then send CCS, Finished
  s_abbr_finished,           // resuming: verify and finish
  // renegotiation
  c_renegotiate,             // sends a new ClientHello (RFC 5746 renegotiation_info)
  s_hello_request,           // sends HelloRequest (RFC 5246 7.4.1.1)
  renegotiation_refused,     // the peer refused the renegotiation we asked for; the connection goes on
};
std::string_view handler_name(Handler h);

struct Row {
  Role role;
  State state;
  Msg msg;
  Guard guard;
  Handler handler;
  State next;
};

const std::span<const Row> rows();

// The first row for (role, state, msg) whose guard holds, or nullptr: unexpected_message.
const Row* find(Role role, State state, Msg msg, Flags flags);

// Prints every row, one per line, tab-separated: role state msg guard handler next (and the guard
// definitions first), for diagram and model generators.
void dump(std::ostream& os);

}  // namespace essl::table
