#include "statemachine/table.hpp"

namespace essl::table {
namespace {

constexpr GuardDef guard_table[] = {
    {Guard::always, "always", 0, 0},
    {Guard::resuming, "resuming", f_resuming, 0},
    {Guard::full, "full", 0, f_resuming},
    {Guard::kex_sends_ske, "kex_sends_ske", f_kex_sends_ske, 0},
    {Guard::kex_no_ske, "kex_no_ske", 0, f_kex_sends_ske},
    {Guard::full_cert_requested, "full_cert_requested", f_cert_requested, f_resuming},
    {Guard::full_no_cert_request, "full_no_cert_request", 0, f_resuming | f_cert_requested},
    {Guard::peer_cert_nonempty, "peer_cert_nonempty", f_peer_cert_nonempty, 0},
    {Guard::peer_cert_empty, "peer_cert_empty", 0, f_peer_cert_nonempty},
    {Guard::npn_expected, "npn_expected", f_npn, f_npn_received},
    {Guard::no_npn, "no_npn", 0, f_npn},
    {Guard::npn_received, "npn_received", f_npn_received, 0},
    {Guard::full_certified, "full_certified", 0, f_resuming | f_kex_no_cert},
    {Guard::full_no_cert, "full_no_cert", f_kex_no_cert, f_resuming},
    {Guard::certified, "certified", 0, f_kex_no_cert | f_kex_no_client_auth},
    {Guard::full_no_cert_no_ske, "full_no_cert_no_ske", f_kex_no_cert, f_resuming | f_kex_sends_ske},
    {Guard::kex_ske_optional, "kex_ske_optional", f_kex_no_client_auth, f_kex_sends_ske},
    {Guard::kex_no_ske_cert_auth, "kex_no_ske_cert_auth", 0, f_kex_sends_ske | f_kex_no_client_auth},
    {Guard::renegotiating, "renegotiating", f_renegotiating, 0},
    {Guard::reneg_allowed, "reneg_allowed", f_reneg_allowed, 0},
    {Guard::reneg_refused, "reneg_refused", 0, f_reneg_allowed},
};

constexpr Role C = Role::client;
constexpr Role S = Role::server;
using enum State;
using M = Msg;
using G = Guard;
using H = Handler;

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.3
//# Client                                               Server
//#
//# ClientHello                  -------->
//#                                                 ServerHello
//#                                                Certificate*
//#                                          ServerKeyExchange*
//#                                         CertificateRequest*
//#                              <--------      ServerHelloDone
//# Certificate*
//# ClientKeyExchange
//# CertificateVerify*
//# [ChangeCipherSpec]
//# Finished                     -------->
//#                                          [ChangeCipherSpec]
//#                              <--------             Finished
//# Application Data             <------->     Application Data
constexpr Row row_table[] = {
    // ---- client, full and abbreviated
    {C, c_wait_server_hello, M::server_hello, G::always, H::c_server_hello, c_wait_certificate},
    {C, c_wait_certificate, M::certificate, G::full_certified, H::c_server_certificate, c_wait_key_exchange},
    {C, c_wait_certificate, M::change_cipher_spec, G::resuming, H::change_cipher_spec, c_abbr_wait_finished},
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.2
    //# The server MUST send a Certificate message whenever the agreed-
    //# upon key exchange method uses certificates for authentication
    // Anonymous key exchanges (dh_anon, ecdh_anon) and PSK, DHE_PSK go from ServerHello to their
    // ServerKeyExchange.
    {C, c_wait_certificate, M::server_key_exchange, G::full_no_cert, H::c_server_key_exchange, c_wait_cert_request},
    //= https://www.rfc-editor.org/rfc/rfc4279#section-2
    //# If no hint is provided, the ServerKeyExchange message is omitted.
    {C, c_wait_certificate, M::server_hello_done, G::full_no_cert_no_ske, H::c_server_hello_done, c_wait_ccs},
    {C, c_wait_key_exchange, M::server_key_exchange, G::kex_sends_ske, H::c_server_key_exchange,
     c_wait_cert_request},
    {C, c_wait_key_exchange, M::server_key_exchange, G::kex_ske_optional, H::c_server_key_exchange,
     c_wait_cert_request},
    // RFC 4279 and RFC 5054 define no client authentication for PSK and SRP: no CertificateRequest.
    {C, c_wait_key_exchange, M::certificate_request, G::kex_no_ske_cert_auth, H::c_certificate_request,
     c_wait_hello_done},
    {C, c_wait_key_exchange, M::server_hello_done, G::kex_no_ske, H::c_server_hello_done, c_wait_ccs},
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.4
    //# It is a fatal handshake_failure alert for an anonymous server to request
    //# client authentication.
    // Likewise in PSK and SRP handshakes. (No row: the engine answers unexpected_message, as for any
    // message out of place.)
    {C, c_wait_cert_request, M::certificate_request, G::certified, H::c_certificate_request, c_wait_hello_done},
    {C, c_wait_cert_request, M::server_hello_done, G::always, H::c_server_hello_done, c_wait_ccs},
    {C, c_wait_hello_done, M::server_hello_done, G::always, H::c_server_hello_done, c_wait_ccs},
    {C, c_wait_ccs, M::change_cipher_spec, G::always, H::change_cipher_spec, c_wait_finished},
    {C, c_wait_finished, M::finished, G::always, H::c_finished, connection},
    {C, c_abbr_wait_finished, M::finished, G::always, H::c_abbr_finished, connection},
    {C, connection, M::application_data, G::always, H::deliver_app_data, connection},
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.1
    //# This message will be ignored by the client if the client is
    //# currently negotiating a session.
    {C, c_wait_server_hello, M::hello_request, G::always, H::ignore, c_wait_server_hello},
    {C, c_wait_certificate, M::hello_request, G::always, H::ignore, c_wait_certificate},
    {C, c_wait_key_exchange, M::hello_request, G::always, H::ignore, c_wait_key_exchange},
    {C, c_wait_cert_request, M::hello_request, G::always, H::ignore, c_wait_cert_request},
    {C, c_wait_hello_done, M::hello_request, G::always, H::ignore, c_wait_hello_done},
    {C, c_wait_ccs, M::hello_request, G::always, H::ignore, c_wait_ccs},
    {C, c_wait_finished, M::hello_request, G::always, H::ignore, c_wait_finished},
    {C, c_abbr_wait_finished, M::hello_request, G::always, H::ignore, c_abbr_wait_finished},
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.1
    //# HelloRequest is a simple notification that the client should begin
    //# the negotiation process anew.
    {C, connection, M::hello_request, G::always, H::c_renegotiate, c_wait_server_hello},
    {C, connection, M::renegotiate, G::always, H::c_renegotiate, c_wait_server_hello},
    // The server refused with a warning no_renegotiation: the connection goes on under its current keys.
    {C, c_wait_server_hello, M::no_renegotiation, G::renegotiating, H::renegotiation_refused, connection},
    // During a renegotiation the peer's application data keeps coming under the current keys, until its
    // ChangeCipherSpec.
    {C, c_wait_server_hello, M::application_data, G::renegotiating, H::deliver_app_data, c_wait_server_hello},
    {C, c_wait_certificate, M::application_data, G::renegotiating, H::deliver_app_data, c_wait_certificate},
    {C, c_wait_key_exchange, M::application_data, G::renegotiating, H::deliver_app_data, c_wait_key_exchange},
    {C, c_wait_cert_request, M::application_data, G::renegotiating, H::deliver_app_data, c_wait_cert_request},
    {C, c_wait_hello_done, M::application_data, G::renegotiating, H::deliver_app_data, c_wait_hello_done},
    {C, c_wait_ccs, M::application_data, G::renegotiating, H::deliver_app_data, c_wait_ccs},

    // ---- server, full and abbreviated
    {S, s_wait_client_hello, M::client_hello, G::always, H::s_client_hello, s_wait_client_cert},
    {S, s_wait_client_cert, M::certificate, G::full_cert_requested, H::s_client_certificate, s_wait_key_exchange},
    {S, s_wait_client_cert, M::client_key_exchange, G::full_no_cert_request, H::s_client_key_exchange,
     s_wait_cert_verify},
    {S, s_wait_client_cert, M::change_cipher_spec, G::resuming, H::change_cipher_spec, s_abbr_wait_finished},
    {S, s_wait_key_exchange, M::client_key_exchange, G::always, H::s_client_key_exchange, s_wait_cert_verify},
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.8
    //# This message is only sent following a client certificate that has signing capability
    {S, s_wait_cert_verify, M::certificate_verify, G::peer_cert_nonempty, H::s_certificate_verify, s_wait_ccs},
    {S, s_wait_cert_verify, M::change_cipher_spec, G::peer_cert_empty, H::change_cipher_spec, s_wait_finished},
    {S, s_wait_ccs, M::change_cipher_spec, G::always, H::change_cipher_spec, s_wait_finished},
    // draft-agl-tls-nextprotoneg-04 3: a client that got the server's next_protocol_negotiation
    // extension sends NextProtocol between its ChangeCipherSpec and its Finished; exactly once.
    {S, s_wait_finished, M::next_protocol, G::npn_expected, H::s_next_protocol, s_wait_finished},
    {S, s_wait_finished, M::finished, G::no_npn, H::s_finished, connection},
    {S, s_wait_finished, M::finished, G::npn_received, H::s_finished, connection},
    {S, s_abbr_wait_finished, M::next_protocol, G::npn_expected, H::s_next_protocol, s_abbr_wait_finished},
    {S, s_abbr_wait_finished, M::finished, G::no_npn, H::s_abbr_finished, connection},
    {S, s_abbr_wait_finished, M::finished, G::npn_received, H::s_abbr_finished, connection},
    {S, connection, M::application_data, G::always, H::deliver_app_data, connection},
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.2.2
    //# no_renegotiation
    //#    Sent by the client in response to a hello request or by the
    //#    server in response to a client hello after initial handshaking.
    {S, connection, M::client_hello, G::reneg_allowed, H::s_client_hello, s_wait_client_cert},
    {S, connection, M::client_hello, G::reneg_refused, H::refuse_renegotiation, connection},
    {S, connection, M::renegotiate, G::always, H::s_hello_request, connection},
    {S, connection, M::no_renegotiation, G::always, H::renegotiation_refused, connection},
    {S, s_wait_client_cert, M::application_data, G::renegotiating, H::deliver_app_data, s_wait_client_cert},
    {S, s_wait_key_exchange, M::application_data, G::renegotiating, H::deliver_app_data, s_wait_key_exchange},
    {S, s_wait_cert_verify, M::application_data, G::renegotiating, H::deliver_app_data, s_wait_cert_verify},
    {S, s_wait_ccs, M::application_data, G::renegotiating, H::deliver_app_data, s_wait_ccs},
};

}  // namespace

const std::span<const GuardDef> guard_defs() { return guard_table; }
const std::span<const Row> rows() { return row_table; }

bool holds(Guard g, Flags flags) {
  const GuardDef& d = guard_table[size_t(g)];
  return (flags & d.require) == d.require && (flags & d.forbid) == 0;
}

std::string_view guard_name(Guard g) { return guard_table[size_t(g)].name; }

Flags entering(State from, State to, Flags before, Flags handler_set) {
  if (from == State::connection && to != State::connection) return Flags(f_renegotiating | handler_set);
  const Flags f = Flags(before | handler_set);
  return to == State::connection ? Flags(f & ~f_renegotiating) : f;
}

const Row* find(Role role, State state, Msg msg, Flags flags) {
  for (const Row& r : row_table)
    if (r.role == role && r.state == state && r.msg == msg && holds(r.guard, flags)) return &r;
  return nullptr;
}

std::string_view msg_name(Msg m) {
  switch (m) {
    case Msg::hello_request: return "hello_request";
    case Msg::client_hello: return "client_hello";
    case Msg::server_hello: return "server_hello";
    case Msg::certificate: return "certificate";
    case Msg::server_key_exchange: return "server_key_exchange";
    case Msg::certificate_request: return "certificate_request";
    case Msg::server_hello_done: return "server_hello_done";
    case Msg::certificate_verify: return "certificate_verify";
    case Msg::client_key_exchange: return "client_key_exchange";
    case Msg::next_protocol: return "next_protocol";
    case Msg::finished: return "finished";
    case Msg::change_cipher_spec: return "change_cipher_spec";
    case Msg::application_data: return "application_data";
    case Msg::renegotiate: return "renegotiate";
    case Msg::no_renegotiation: return "no_renegotiation";
  }
  return "unknown";
}

std::string_view state_id(State s) {
  switch (s) {
    case c_wait_server_hello: return "c_wait_server_hello";
    case c_wait_certificate: return "c_wait_certificate";
    case c_wait_key_exchange: return "c_wait_key_exchange";
    case c_wait_cert_request: return "c_wait_cert_request";
    case c_wait_hello_done: return "c_wait_hello_done";
    case c_wait_ccs: return "c_wait_ccs";
    case c_wait_finished: return "c_wait_finished";
    case c_abbr_wait_finished: return "c_abbr_wait_finished";
    case s_wait_client_hello: return "s_wait_client_hello";
    case s_wait_client_cert: return "s_wait_client_cert";
    case s_wait_key_exchange: return "s_wait_key_exchange";
    case s_wait_cert_verify: return "s_wait_cert_verify";
    case s_wait_ccs: return "s_wait_ccs";
    case s_wait_finished: return "s_wait_finished";
    case s_abbr_wait_finished: return "s_abbr_wait_finished";
    case connection: return "connection";
  }
  return "unknown";
}

// 7.3's phases: the client's certify covers Certificate..ServerHelloDone, cipher covers CCS and
// Finished; the server's certify covers the client's Certificate and ClientKeyExchange, and cipher
// covers CertificateVerify, CCS and Finished.
std::string_view phase(State s, bool resuming) {
  switch (s) {
    case c_wait_server_hello:
    case s_wait_client_hello: return "hello";
    case c_wait_certificate:
    case s_wait_client_cert: return resuming ? "abbreviated" : "certify";
    case c_wait_key_exchange:
    case c_wait_cert_request:
    case c_wait_hello_done:
    case s_wait_key_exchange: return "certify";
    case c_wait_ccs:
    case c_wait_finished:
    case s_wait_cert_verify:
    case s_wait_ccs:
    case s_wait_finished: return "cipher";
    case c_abbr_wait_finished:
    case s_abbr_wait_finished: return "abbreviated";
    case connection: return "connection";
  }
  return "unknown";
}

std::string_view handler_name(Handler h) {
  switch (h) {
    case H::ignore: return "ignore";
    case H::refuse_renegotiation: return "refuse_renegotiation";
    case H::deliver_app_data: return "deliver_app_data";
    case H::change_cipher_spec: return "change_cipher_spec";
    case H::c_server_hello: return "c_server_hello";
    case H::c_server_certificate: return "c_server_certificate";
    case H::c_server_key_exchange: return "c_server_key_exchange";
    case H::c_certificate_request: return "c_certificate_request";
    case H::c_server_hello_done: return "c_server_hello_done";
    case H::c_finished: return "c_finished";
    case H::c_abbr_finished: return "c_abbr_finished";
    case H::s_client_hello: return "s_client_hello";
    case H::s_client_certificate: return "s_client_certificate";
    case H::s_client_key_exchange: return "s_client_key_exchange";
    case H::s_certificate_verify: return "s_certificate_verify";
    case H::s_next_protocol: return "s_next_protocol";
    case H::s_finished: return "s_finished";
    case H::s_abbr_finished: return "s_abbr_finished";
    case H::c_renegotiate: return "c_renegotiate";
    case H::s_hello_request: return "s_hello_request";
    case H::renegotiation_refused: return "renegotiation_refused";
  }
  return "unknown";
}

void dump(std::ostream& os) {
  os << "# guard\trequire\tforbid\n";
  static constexpr std::string_view flag_names[] = {"resuming", "kex_sends_ske", "cert_requested",
                                                    "peer_cert_nonempty", "npn", "npn_received",
                                                    "kex_no_cert", "kex_no_client_auth",
                                                    "renegotiating", "reneg_allowed"};
  static_assert(std::size(flag_names) == flag_count);
  auto flags = [&](Flags f) {
    bool any = false;
    for (size_t i = 0; i < std::size(flag_names); ++i)
      if (f & (1u << i)) {
        os << (any ? "," : "") << flag_names[i];
        any = true;
      }
    if (!any) os << "-";
  };
  for (const GuardDef& g : guard_table) {
    os << "guard\t" << g.name << '\t';
    flags(g.require);
    os << '\t';
    flags(g.forbid);
    os << '\n';
  }
  os << "# role\tstate\tmessage\tguard\thandler\tnext\n";
  for (const Row& r : row_table)
    os << "row\t" << (r.role == Role::client ? "client" : "server") << '\t' << state_id(r.state) << '\t'
       << msg_name(r.msg) << '\t' << guard_name(r.guard) << '\t' << handler_name(r.handler) << '\t'
       << state_id(r.next) << '\n';
}

}  // namespace essl::table
