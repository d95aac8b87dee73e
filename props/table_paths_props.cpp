// Properties generated from the transition table: the accepted handshake message sequences that
// `essl_table_gen paths --header` enumerates from statemachine/table.cpp (table_paths.hpp, built with
// this test) drive real engines.
//
// A generated path is (role, the flags its guards read, messages). A Scenario realises it: resuming is a
// resumption, kex_sends_ske an (EC)DHE suite (otherwise RSA key transport), kex_no_cert an anonymous
// (EC)DH suite or a PSK suite (a ServerKeyExchange: the server's identity hint), kex_no_client_auth with a
// certificate RSA_PSK (without kex_sends_ske) or SRP_RSA, a CertificateRequest on the
// client's path or cert_requested on the server's is a server with verify_peer, peer_cert_nonempty a
// client with a certificate, a NextProtocol message Next Protocol Negotiation. The messages are real:
// fuzz/handshake_driver.hpp captures the in-memory handshake of that scenario and feeds the engine
// under test the peer's messages one at a time, protected under the negotiated keys after the peer's
// ChangeCipherSpec, as the peer sent them.
//
// A path other than a resumption is also realised while renegotiating: the engine first completes a
// handshake of the same scenario, then the client asks for a new one (its renegotiate()) or the server
// does (a HelloRequest), and the path is the second handshake, under the first handshake's keys until
// the peer's ChangeCipherSpec. The client's path starts after its new
// ClientHello went out, the server's with the ClientHello it receives in `connection`. The table is
// walked from there with f_renegotiating (table::entering), the server's f_reneg_allowed as the engine
// sets it (a HelloRequest of ours is out, or no client-initiated renegotiation came yet; the driver's
// clock stands still), so the mutations meet the renegotiation's rows (application data before the
// peer's ChangeCipherSpec, a second ClientHello).
//
//   accepted_path_reaches_connection: the peer sends exactly the path's messages, and the engine fed
//     them reaches `connection` without an error.
//   mutated_path_is_refused: the path with one message dropped, duplicated, swapped with a later one, or
//     inserted (a real message of any type, from either direction), before its last message arrives, is
//     walked through the table (each message setting the flags it set on the path):
//       - the table has no row for message k: the engine takes messages 0..k-1 without an error and
//         message k ends the connection with a fatal unexpected_message alert; it reaches `connection`
//         only where the table does before k (a copy of the last message inserted before it);
//       - the table accepts it and it differs from the path only in messages the table ignores
//         (HelloRequest during a handshake): the engine reaches `connection`;
//       - the table accepts another handshake (an optional CertificateRequest dropped or added): the
//         engine never reaches `connection`; where the table would, it ends with a fatal alert of its
//         own (the peer's Finished no longer covers the transcript: decrypt_error);
//       - the table stops short of `connection` (the last message dropped): the engine waits in the
//         table's state without an error.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "codecs/certificate.hpp"
#include "fuzz/handshake_driver.hpp"
#include "table_paths.hpp"

namespace essl {
namespace {

using fuzz::Unit;
using table::Msg;
using table::generated::AcceptedPath;
using table::generated::accepted_paths;

constexpr size_t path_count = std::size(accepted_paths);
constexpr size_t msg_count = fuzz::table_msg_count;

// A uniform pick (RapidCheck scales ranges with the test size, which would favour the first paths).
size_t pick(size_t lo, size_t hi) { return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange<size_t>(lo, hi)); }

bool has(const AcceptedPath& p, std::string_view msg) {
  return std::any_of(p.msgs.begin(), p.msgs.end(), [&](Msg m) { return table::msg_name(m) == msg; });
}

// Two realisations of each path: suites and versions the path leaves open; each as a first handshake or
// as a renegotiation (not a resumption: a renegotiation is a full handshake).
fuzz::Scenario scenario(const AcceptedPath& p, size_t variant, fuzz::Renegotiate reneg = fuzz::Renegotiate::none) {
  fuzz::Scenario s;
  s.name = "path";
  s.renegotiate = reneg;
  s.resume = p.flags & table::f_resuming;
  const bool dh = p.role == Role::client ? (p.flags & table::f_kex_sends_ske) != 0 : variant == 0;
  const bool client = p.role == Role::client;
  const bool no_cert = client && (p.flags & table::f_kex_no_cert) != 0;
  const bool no_client_auth = client && (p.flags & table::f_kex_no_client_auth) != 0;
  const bool ske = has(p, "server_key_exchange");
  s.psk_hint = ske;
  if (no_cert && ske && (p.flags & table::f_kex_sends_ske))
    s.suite = variant == 0 ? "ecdh_anon_aes_128_cbc_sha" : "dhe_psk_aes_256_cbc_sha";
  else if (no_cert)  // PSK: a ServerKeyExchange when the server has a hint
    s.suite = variant == 0 ? "psk_aes_128_cbc_sha" : "psk_aes_256_cbc_sha";
  else if (no_client_auth && dh)
    s.suite = variant == 0 ? "srp_rsa_aes_128_cbc_sha" : "srp_rsa_aes_256_cbc_sha";
  else if (no_client_auth)
    s.suite = variant == 0 ? "rsa_psk_aes_128_cbc_sha" : "rsa_psk_aes_256_cbc_sha";
  else
    s.suite = dh ? (variant == 0 ? "ecdhe_rsa_aes_128_gcm_sha256" : "dhe_rsa_aes_128_cbc_sha")
                 : (variant == 0 ? "rsa_aes_128_gcm_sha256" : "rsa_aes_128_cbc_sha");
  s.version = variant == 0 ? Version::tlsv1_2 : Version::tlsv1_1;
  if (p.role == Role::client) {
    s.server_verify = s.client_cert = has(p, "certificate_request");
  } else {
    s.server_verify = p.flags & table::f_cert_requested;
    s.client_cert = (p.flags & table::f_peer_cert_nonempty) || (s.resume && s.server_verify);
  }
  s.npn = has(p, "next_protocol");
  return s;
}

constexpr fuzz::Renegotiate reneg_modes[] = {fuzz::Renegotiate::none, fuzz::Renegotiate::client_initiated,
                                             fuzz::Renegotiate::server_initiated};
size_t reneg_mode_count(const AcceptedPath& p) { return (p.flags & table::f_resuming) ? 1 : std::size(reneg_modes); }

const char* reneg_name(fuzz::Renegotiate r) {
  switch (r) {
    case fuzz::Renegotiate::none: return "first handshake";
    case fuzz::Renegotiate::client_initiated: return "renegotiation by the client";
    case fuzz::Renegotiate::server_initiated: return "renegotiation by the server";
  }
  return "?";
}

// Where `role`'s path starts among the units it receives: 0, or in a renegotiation the second ClientHello
// (server) or the ServerHello after the client's new ClientHello went out (client): past the user's
// renegotiate() and the HelloRequest.
size_t path_start(const fuzz::Recording& cap, Role role) {
  if (cap.sc.renegotiate == fuzz::Renegotiate::none) return 0;
  const auto& units = cap.to(role);
  size_t i = cap.renegotiation[int(role)];
  while (i < units.size() && (units[i].local || units[i].msg() == Msg::hello_request)) ++i;
  return i;
}

std::string show(const std::vector<Msg>& msgs) {
  std::string s;
  for (Msg m : msgs) s += (s.empty() ? "" : " ") + std::string(table::msg_name(m));
  return s;
}

// The units of the path: the peer's handshake messages (the capture ends with application data).
std::vector<Unit> path_units(const fuzz::Recording& cap, const AcceptedPath& p) {
  const auto& all = cap.to(p.role);
  const size_t start = path_start(cap, p.role);
  std::vector<Unit> units(all.begin() + ptrdiff_t(start),
                          all.begin() + ptrdiff_t(std::min(all.size(), start + p.msgs.size())));
  std::vector<Msg> got;
  for (const Unit& u : units) got.push_back(u.msg().value_or(Msg::application_data));
  RC_ASSERT(show(got) == show({p.msgs.begin(), p.msgs.end()}));
  return units;
}

struct Fed {
  std::optional<size_t> first_error, first_connection;
  std::optional<Error> error;
  std::string state;
};

// The units before the path (a first handshake and the renegotiation's start), then `units`; indices
// are the path's.
Fed feed(const fuzz::Recording& cap, Role role, const std::vector<Unit>& units) {
  auto e = cap.of(role).start();
  fuzz::Feeder f(cap, role);
  f.reset();
  const auto& all = cap.to(role);
  for (size_t i = 0; i < path_start(cap, role); ++i) f.feed(*e, all[i]);
  RC_ASSERT(!e->error().has_value());
  const uint32_t completed = e->handshakes_completed();
  Fed r;
  for (size_t i = 0; i < units.size(); ++i) {
    f.feed(*e, units[i]);
    e->consume_output(e->pending_output().size());
    if (e->error() && !r.first_error) r.first_error = i;
    if (e->handshakes_completed() > completed && !r.first_connection) r.first_connection = i;
  }
  r.error = e->error();
  r.state = std::string(e->state_id());
  return r;
}

// The table's verdict on a sequence. Flags evolve as on the path: a message that the table accepts sets
// the flags its type set on the path (none for a type the path does not have).
struct Walk {
  std::optional<size_t> refused_at;
  std::optional<size_t> connected_at;  // the message that took it (back) to `connection`
  table::State end;
  std::vector<Msg> advancing;  // the messages of rows that advance the handshake (not ignored ones)
};

Walk walk(const AcceptedPath& p, const std::vector<Msg>& seq, fuzz::Renegotiate reneg) {
  const bool client = p.role == Role::client;
  Walk w{std::nullopt, std::nullopt, client ? table::State::c_wait_server_hello : table::State::s_wait_client_hello, {}};
  table::Flags flags = 0;
  // A renegotiation: the client waits for the ServerHello with f_renegotiating; the server is in
  // `connection`, a HelloRequest of its own out or not.
  bool hello_request_out = reneg == fuzz::Renegotiate::server_initiated, client_renegotiated = false;
  if (reneg != fuzz::Renegotiate::none) {
    if (client)
      flags = table::f_renegotiating;
    else
      w.end = table::State::connection;
  }
  for (size_t i = 0; i < seq.size(); ++i) {
    if (!client && w.end == table::State::connection)
      flags = hello_request_out || !client_renegotiated ? table::Flags(flags | table::f_reneg_allowed)
                                                        : table::Flags(flags & ~table::f_reneg_allowed);
    const table::Row* row = table::find(p.role, w.end, seq[i], flags);
    if (!row) {
      w.refused_at = i;
      return w;
    }
    if (row->handler != table::Handler::ignore && row->handler != table::Handler::refuse_renegotiation &&
        row->handler != table::Handler::deliver_app_data)
      w.advancing.push_back(seq[i]);
    table::Flags set = 0;
    for (size_t j = 0; j < p.msgs.size(); ++j)
      if (p.msgs[j] == seq[i]) {
        set = table::Flags(p.after[j] & ~(j ? p.after[j - 1] : 0));
        break;
      }
    if (row->state == table::State::connection && row->next != table::State::connection) {
      if (hello_request_out)
        hello_request_out = false;
      else
        client_renegotiated = true;
    }
    flags = table::entering(row->state, row->next, flags, set);
    w.end = row->next;
    if (row->state != table::State::connection && w.end == table::State::connection && !w.connected_at)
      w.connected_at = i;
  }
  return w;
}

// A real message of type m from the scenario: the peer's (the first of the path's handshake, else the
// first) if it sent one, else the engine's own side's likewise; a CertificateRequest that no side sent, well-formed (the table accepts one where the key
// exchange's ServerKeyExchange is optional, before the ServerKeyExchange); HelloRequest, which no peer
// here sends, with its empty body.
Unit real_message(const fuzz::Recording& cap, Role role, Msg m, uint16_t version) {
  for (Role to : {role, role == Role::client ? Role::server : Role::client}) {
    const auto& units = cap.to(to);
    for (size_t i = path_start(cap, to); i < units.size(); ++i)
      if (units[i].msg() == m) return units[i];
    for (const Unit& u : units)
      if (u.msg() == m) return u;
  }
  if (m == Msg::certificate_request) {
    const bool tls12 = version >= uint16_t(Version::tlsv1_2);
    codec::CertificateRequest cr;
    cr.certificate_types = {uint8_t(codec::ClientCertificateType::rsa_sign)};
    if (tls12) cr.supported_signature_algorithms = {codec::sig::scheme(codec::sig::sha256, codec::sig::rsa)};
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_certificate_request(cr, tls12, w);
    return fuzz::make_unit(m, body, version);
  }
  return fuzz::make_unit(m, {}, version);
}

RC_GTEST_PROP(TablePaths, accepted_path_reaches_connection, ()) {
  const AcceptedPath& p = accepted_paths[pick(0, path_count)];
  const fuzz::Scenario sc = scenario(p, pick(0, 2), reneg_modes[pick(0, reneg_mode_count(p))]);
  RC_TAG(p.role == Role::client ? "client" : "server", sc.suite, reneg_name(sc.renegotiate));
  const fuzz::Recording& cap = fuzz::recording(sc);
  const Fed r = feed(cap, p.role, path_units(cap, p));
  RC_ASSERT(!r.error.has_value());
  RC_ASSERT(r.first_connection == std::optional<size_t>(p.msgs.size() - 1));
}

enum class Mutation { drop, duplicate, swap, insert };

RC_GTEST_PROP(TablePaths, mutated_path_is_refused, ()) {
  const AcceptedPath& p = accepted_paths[pick(0, path_count)];
  const fuzz::Scenario sc = scenario(p, pick(0, 2), reneg_modes[pick(0, reneg_mode_count(p))]);
  const fuzz::Recording& cap = fuzz::recording(sc);
  std::vector<Unit> units = path_units(cap, p);
  const size_t n = units.size();
  const auto kind = *rc::gen::element(Mutation::drop, Mutation::duplicate, Mutation::swap, Mutation::insert);
  // Every mutation changes the sequence before the path's last message is delivered.
  switch (kind) {
    case Mutation::drop: units.erase(units.begin() + ptrdiff_t(pick(0, n))); break;
    case Mutation::duplicate: {
      const size_t i = pick(0, n - 1);
      units.insert(units.begin() + ptrdiff_t(i) + 1, units[i]);
      break;
    }
    case Mutation::swap: {
      const size_t i = pick(0, n - 1);
      std::swap(units[i], units[pick(i + 1, n)]);
      break;
    }
    case Mutation::insert: {
      const size_t at = pick(0, n);
      const Msg m = Msg(pick(0, msg_count));
      units.insert(units.begin() + ptrdiff_t(at), real_message(cap, p.role, m, units[at].version));
      break;
    }
  }
  // Each record carries the version the peer uses at that point (ClientHello's record may carry a lower
  // one than the negotiated version that every later record must carry).
  const std::vector<Unit>& original = cap.to(p.role);
  const size_t start = path_start(cap, p.role);
  for (size_t i = 0; i < units.size(); ++i) units[i].version = original[start + std::min(i, n - 1)].version;
  std::vector<Msg> seq;
  for (const Unit& u : units) seq.push_back(u.msg().value_or(Msg::application_data));
  const Walk w = walk(p, seq, sc.renegotiate);
  const Fed r = feed(cap, p.role, units);
  const bool sent_alert = r.error && r.error->kind == Error::Kind::tls_alert && r.error->alert_sent;
  RC_TAG(reneg_name(sc.renegotiate));
  RC_LOG() << (p.role == Role::client ? "client" : "server") << " " << sc.suite << ", " << reneg_name(sc.renegotiate)
           << ": " << show(seq) << " -> "
           << (r.error ? r.error->detail : r.state) << "\n";
  if (w.refused_at) {
    RC_TAG("refused by the table");
    RC_ASSERT(r.first_error == w.refused_at);
    RC_ASSERT(sent_alert);
    RC_ASSERT(r.error->alert == AlertDescription::unexpected_message);
    // In `connection` only if the messages before k were a whole handshake (a copy of the last message
    // inserted before it).
    RC_ASSERT(r.first_connection == w.connected_at);
  } else if (w.end == table::State::connection && w.advancing == std::vector<Msg>(p.msgs.begin(), p.msgs.end())) {
    RC_TAG("ignored message inserted");
    RC_ASSERT(!r.error.has_value());
    RC_ASSERT(r.first_connection == w.connected_at);
  } else if (w.end == table::State::connection) {
    RC_TAG("another handshake");
    RC_ASSERT(!r.first_connection.has_value());
    RC_ASSERT(sent_alert);
  } else {
    RC_TAG("stops short");
    RC_ASSERT(!r.first_connection.has_value());
    RC_ASSERT(!r.error.has_value());
    RC_ASSERT(r.state == table::state_id(w.end));
  }
}

// Every path the table accepts is realised by a scenario above, as a first handshake and (but for a
// resumption) as a renegotiation asked by either side (a path with no realisation would be generated
// but never reached by a real peer).
TEST(TablePaths, every_path_is_realised) {
  for (const AcceptedPath& p : accepted_paths)
    for (size_t v = 0; v < 2; ++v)
      for (size_t r = 0; r < reneg_mode_count(p); ++r) {
        const fuzz::Scenario sc = scenario(p, v, reneg_modes[r]);
        const fuzz::Recording& cap = fuzz::recording(sc);
        const auto& units = cap.to(p.role);
        std::vector<Msg> got;
        for (size_t i = path_start(cap, p.role); got.size() < p.msgs.size() && i < units.size(); ++i)
          got.push_back(units[i].msg().value_or(Msg::application_data));
        EXPECT_EQ(show(got), show({p.msgs.begin(), p.msgs.end()}))
            << (p.role == Role::client ? "client " : "server ") << sc.suite << ", " << reneg_name(sc.renegotiate);
      }
}

}  // namespace
}  // namespace essl
