// Everything that is drawn or checked about the handshake is generated here from the transition table
// (statemachine/table.cpp), read as data; nothing below restates a row.
//
//   essl_table_gen dot client|server      Graphviz diagram of one role (docs/handshake-<role>.dot)
//   essl_table_gen promela [--corrupt X]  Promela model for spin (model/spin_check.sh runs it)
//   essl_table_gen check [--corrupt X]    graph check: every reachable configuration can still reach
//                                         `connection` (spin checks safety; this checks the liveness half)
//   essl_table_gen dict [--merge FILE]    libFuzzer dictionary: the record and handshake headers of every
//                                         message the table knows (after FILE's entries, with --merge)
//   essl_table_gen groups                 the row groups, one (role, state) a line with the messages its
//                                         rows accept (fuzz/row_groups.txt; one fuzz target each)
//   essl_table_gen paths [--header]       every accepted handshake message sequence per role and flag
//                                         combination (as a C++ header for the property tests)
//   essl_table_gen corruptions            the names accepted by --corrupt
//
// --corrupt applies one deliberate mistake to a copy of the rows, so that the checks can be shown to catch
// it (as s2n-tls does with its proof): the model check must fail on every one of them.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "statemachine/table.hpp"

namespace essl::table {
namespace {

using Rows = std::vector<Row>;

// ---- deliberately corrupted tables

struct Corruption {
  const char* name;
  const char* what;
  void (*apply)(Rows&);
};

Row* find_row(Rows& rs, Role role, State s, Msg m) {
  for (Row& r : rs)
    if (r.role == role && r.state == s && r.msg == m) return &r;
  std::fprintf(stderr, "corruption: no row %s %s\n", std::string(state_id(s)).c_str(),
               std::string(msg_name(m)).c_str());
  std::exit(2);
}

void remove_row(Rows& rs, Role role, State s, Msg m) {
  Row* r = find_row(rs, role, s, m);
  rs.erase(rs.begin() + (r - rs.data()));
}

constexpr Corruption corruptions[] = {
    {"early_ccs", "client accepts ChangeCipherSpec right after ServerHello in a full handshake (CVE-2014-0224's shape)",
     [](Rows& rs) {
       rs.push_back({Role::client, State::c_wait_certificate, Msg::change_cipher_spec, Guard::full,
                     Handler::change_cipher_spec, State::c_wait_finished});
     }},
    {"skip_cert_verify", "server accepts ChangeCipherSpec instead of CertificateVerify after a non-empty client Certificate",
     [](Rows& rs) { find_row(rs, Role::server, State::s_wait_cert_verify, Msg::change_cipher_spec)->guard = Guard::always; }},
    {"missing_cert_verify", "the server's CertificateVerify row is gone",
     [](Rows& rs) { remove_row(rs, Role::server, State::s_wait_cert_verify, Msg::certificate_verify); }},
    {"skip_client_cert", "server accepts ClientKeyExchange without the Certificate it requested",
     [](Rows& rs) { find_row(rs, Role::server, State::s_wait_client_cert, Msg::client_key_exchange)->guard = Guard::full; }},
    {"skip_finished", "client enters connection on the server's ChangeCipherSpec, without its Finished",
     [](Rows& rs) { find_row(rs, Role::client, State::c_wait_ccs, Msg::change_cipher_spec)->next = State::connection; }},
    {"abbr_finished_without_ccs", "resuming server accepts Finished without ChangeCipherSpec",
     [](Rows& rs) {
       rs.push_back({Role::server, State::s_wait_client_cert, Msg::finished, Guard::resuming, Handler::s_abbr_finished,
                     State::connection});
     }},
    {"resume_with_certificate", "resuming client accepts a server Certificate (abbreviated handshakes carry none)",
     [](Rows& rs) { find_row(rs, Role::client, State::c_wait_certificate, Msg::certificate)->guard = Guard::always; }},
    {"anonymous_cert_request", "client accepts CertificateRequest after an anonymous ServerKeyExchange",
     [](Rows& rs) { find_row(rs, Role::client, State::c_wait_cert_request, Msg::certificate_request)->guard = Guard::always; }},
    {"skip_next_protocol", "server accepts Finished without the NextProtocol that NPN requires",
     [](Rows& rs) { find_row(rs, Role::server, State::s_wait_finished, Msg::finished)->guard = Guard::always; }},
    {"early_app_data", "server delivers application data while waiting for the client's Finished",
     [](Rows& rs) {
       rs.push_back({Role::server, State::s_wait_finished, Msg::application_data, Guard::always,
                     Handler::deliver_app_data, State::s_wait_finished});
     }},
    {"reneg_app_data_after_ccs",
     "renegotiating client delivers application data between the server's ChangeCipherSpec and Finished",
     [](Rows& rs) {
       rs.push_back({Role::client, State::c_wait_finished, Msg::application_data, Guard::renegotiating,
                     Handler::deliver_app_data, State::c_wait_finished});
     }},
    {"renegotiate_unestablished", "client starts a renegotiation on a HelloRequest before its first handshake ended",
     [](Rows& rs) {
       Row* r = find_row(rs, Role::client, State::c_wait_certificate, Msg::hello_request);
       r->handler = Handler::c_renegotiate;
       r->next = State::c_wait_server_hello;
     }},
};

const Corruption* corruption(const std::string& name) {
  for (const Corruption& c : corruptions)
    if (name == c.name) return &c;
  return nullptr;
}

// ---- names

constexpr Msg all_msgs[] = {Msg::hello_request,       Msg::client_hello,       Msg::server_hello,
                            Msg::certificate,         Msg::server_key_exchange, Msg::certificate_request,
                            Msg::server_hello_done,   Msg::certificate_verify, Msg::client_key_exchange,
                            Msg::next_protocol,       Msg::finished,           Msg::change_cipher_spec,
                            Msg::application_data,    Msg::renegotiate,        Msg::no_renegotiation};
constexpr size_t msg_count = std::size(all_msgs);
constexpr Role roles[] = {Role::client, Role::server};

std::string role_name(Role r) { return r == Role::client ? "client" : "server"; }
std::string str(std::string_view s) { return std::string(s); }

State start_state(Role r) { return r == Role::client ? State::c_wait_server_hello : State::s_wait_client_hello; }

// States of one role in table order (first appearance), start first.
std::vector<State> role_states(const Rows& rs, Role role) {
  std::vector<State> v{start_state(role)};
  auto add = [&](State s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
  };
  for (const Row& r : rs)
    if (r.role == role) {
      add(r.state);
      add(r.next);
    }
  return v;
}

// Handlers that do not advance the handshake: the message is not part of its sequence.
bool bookkeeping_only(Handler h) {
  return h == Handler::ignore || h == Handler::refuse_renegotiation || h == Handler::deliver_app_data ||
         h == Handler::s_hello_request || h == Handler::renegotiation_refused;
}

// ---- Graphviz

void dot(const Rows& rs, Role role, std::ostream& os) {
  os << "// The " << role_name(role) << "'s handshake: generated from statemachine/table.cpp by essl_table_gen.\n"
     << "// Do not edit; `meson test -C <build> --suite model` fails when this file is stale.\n"
     << "// Edge label: message [guard] / handler. Dashed: the message is ignored or refused and the state\n"
     << "// stays. Any message without an edge is answered with a fatal unexpected_message alert.\n"
     << "digraph handshake_" << role_name(role) << " {\n"
     << "  rankdir=TB;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=10];\n"
     << "  start [shape=point];\n"
     << "  start -> " << state_id(start_state(role)) << ";\n"
     << "  connection [peripheries=2];\n";
  for (State s : role_states(rs, role))
    os << "  " << state_id(s) << " [label=\"" << state_id(s) << "\\n(" << phase(s, false)
       << (phase(s, true) != phase(s, false) ? "/" + str(phase(s, true)) : "") << ")\"];\n";
  for (const Row& r : rs) {
    if (r.role != role) continue;
    os << "  " << state_id(r.state) << " -> " << state_id(r.next) << " [label=\"" << msg_name(r.msg);
    if (r.guard != Guard::always) os << " [" << guard_name(r.guard) << "]";
    os << " / " << handler_name(r.handler) << "\"";
    if (r.handler == Handler::ignore || r.handler == Handler::refuse_renegotiation) os << ", style=dashed, color=gray40";
    os << "];\n";
  }
  os << "}\n";
}

// ---- libFuzzer dictionary

void dict(const Rows& rs, std::ostream& os) {
  os << "# Generated from statemachine/table.cpp by essl_table_gen: a record header and handshake header for\n"
     << "# every message type some row accepts.\n";
  auto hex = [&](std::initializer_list<int> bytes) {
    for (int b : bytes) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", b);
      os << buf;
    }
  };
  static const std::map<Msg, int> hs_type = {
      {Msg::hello_request, 0},       {Msg::client_hello, 1},       {Msg::server_hello, 2},
      {Msg::certificate, 11},        {Msg::server_key_exchange, 12}, {Msg::certificate_request, 13},
      {Msg::server_hello_done, 14},  {Msg::certificate_verify, 15}, {Msg::client_key_exchange, 16},
      {Msg::finished, 20},           {Msg::next_protocol, 67}};
  std::set<Msg> used;
  for (const Row& r : rs) used.insert(r.msg);
  os << "record_handshake=\"";
  hex({0x16, 0x03, 0x03});
  os << "\"\n";
  for (Msg m : all_msgs) {
    if (!used.count(m) || !is_wire(m)) continue;
    os << "table_" << msg_name(m) << "=\"";
    if (m == Msg::change_cipher_spec)
      hex({0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
    else if (m == Msg::application_data)
      hex({0x17, 0x03, 0x03});
    else
      hex({hs_type.at(m), 0x00, 0x00});
    os << "\"\n";
  }
}

// ---- row groups: the rows of one (role, state), one fuzz target each (fuzz/table_state.cpp)

void groups(const Rows& rs, std::ostream& os) {
  os << "# Generated from statemachine/table.cpp by essl_table_gen groups; do not edit (a test keeps it\n"
     << "# current). One row group a line: <role> <state> <the messages its rows accept, in row order>.\n"
     << "# fuzz/meson.build builds one fuzz target per line, named state_<role>_<state>.\n";
  for (Role role : roles)
    for (State s : role_states(rs, role)) {
      std::vector<Msg> msgs;
      for (const Row& r : rs)
        if (r.role == role && r.state == s && std::find(msgs.begin(), msgs.end(), r.msg) == msgs.end())
          msgs.push_back(r.msg);
      if (msgs.empty()) continue;
      os << role_name(role) << ' ' << state_id(s) << ' ';
      for (size_t i = 0; i < msgs.size(); ++i) os << (i ? "," : "") << msg_name(msgs[i]);
      os << '\n';
    }
}

// ---- accepted paths: the message sequences that take a role from its start to `connection`

struct Path {
  Role role;
  Flags flags;  // the flags that the role's guards read, as the path leaves them
  std::vector<Msg> msgs;
  std::vector<Flags> after;  // those flags after each message
};

Flags may_set(Handler h);

// Depth-first from the start, through the rows that advance the handshake (ignored and refused messages
// are not part of a sequence); each handler may set any subset of the flags its code sets, as in
// `check`. A message that leaves the configuration (state, flags) as it was is no progress: a path never
// returns to a configuration it has been in. Paths are told apart by the flags the role's guards read.
std::vector<Path> accepted_paths(const Rows& rs) {
  std::vector<Path> out;
  for (Role role : roles) {
    Flags read = 0;
    for (const Row& r : rs)
      if (r.role == role) read = Flags(read | guard_defs()[size_t(r.guard)].require | guard_defs()[size_t(r.guard)].forbid);
    std::set<std::pair<Flags, std::vector<Msg>>> seen;
    std::vector<Msg> msgs;
    std::vector<Flags> after;
    std::vector<std::pair<State, Flags>> stack;
    auto walk = [&](auto& self, State s, Flags flags) -> void {
      if (std::find(stack.begin(), stack.end(), std::pair{s, flags}) != stack.end()) return;
      if (s == State::connection) {
        const Flags f = Flags(flags & read);
        if (seen.insert({f, msgs}).second) out.push_back({role, f, msgs, after});
        return;
      }
      stack.push_back({s, flags});
      for (const Row& r : rs) {
        if (r.role != role || r.state != s || bookkeeping_only(r.handler) || !holds(r.guard, flags)) continue;
        const Flags m = may_set(r.handler);
        msgs.push_back(r.msg);
        for (Flags sub = m;; sub = Flags((sub - 1) & m)) {
          const Flags next = entering(r.state, r.next, flags, sub);
          after.push_back(Flags(next & read));
          self(self, r.next, next);
          after.pop_back();
          if (sub == 0) break;
        }
        msgs.pop_back();
      }
      stack.pop_back();
    };
    walk(walk, start_state(role), 0);
  }
  return out;
}

constexpr std::pair<Flag, const char*> flag_names[] = {
    {f_resuming, "resuming"},          {f_kex_sends_ske, "kex_sends_ske"},
    {f_cert_requested, "cert_requested"}, {f_peer_cert_nonempty, "peer_cert_nonempty"},
    {f_npn, "npn"},                    {f_npn_received, "npn_received"},
    {f_kex_no_cert, "kex_no_cert"},    {f_kex_no_client_auth, "kex_no_client_auth"},
    {f_renegotiating, "renegotiating"}, {f_reneg_allowed, "reneg_allowed"}};
static_assert(std::size(flag_names) == flag_count);

std::string flag_list(Flags f, const char* sep, const char* prefix) {
  const auto& names = flag_names;
  std::string s;
  for (const auto& [flag, name] : names)
    if (f & flag) s += (s.empty() ? "" : sep) + std::string(prefix) + name;
  return s;
}

void paths(const Rows& rs, std::ostream& os) {
  os << "# Generated from statemachine/table.cpp by essl_table_gen paths: every accepted handshake message\n"
     << "# sequence, one a line: <role> <flags the role's guards read, or -> <messages>.\n";
  for (const Path& p : accepted_paths(rs)) {
    os << role_name(p.role) << ' ' << (p.flags ? flag_list(p.flags, ",", "") : "-");
    for (Msg m : p.msgs) os << ' ' << msg_name(m);
    os << '\n';
  }
}

void paths_header(const Rows& rs, std::ostream& os) {
  const std::vector<Path> ps = accepted_paths(rs);
  os << "// Generated from statemachine/table.cpp by essl_table_gen paths --header: every accepted handshake\n"
     << "// message sequence per role and the flags its guards read (see essl_table_gen's `paths`).\n"
     << "#pragma once\n#include <span>\n\n#include \"statemachine/table.hpp\"\n\n"
     << "namespace essl::table::generated {\n\n"
     << "struct AcceptedPath {\n  Role role;\n  Flags flags;                    // as the path leaves them\n"
     << "  std::span<const Msg> msgs;\n  std::span<const Flags> after;  // the flags after each message\n};\n\n";
  for (size_t i = 0; i < ps.size(); ++i) {
    os << "inline constexpr Msg path_" << i << "[] = {";
    for (size_t j = 0; j < ps[i].msgs.size(); ++j) os << (j ? ", " : "") << "Msg::" << msg_name(ps[i].msgs[j]);
    os << "};\ninline constexpr Flags path_" << i << "_after[] = {";
    for (size_t j = 0; j < ps[i].after.size(); ++j) os << (j ? ", " : "") << int(ps[i].after[j]);
    os << "};\n";
  }
  os << "\ninline constexpr AcceptedPath accepted_paths[] = {\n";
  for (size_t i = 0; i < ps.size(); ++i)
    os << "    {Role::" << role_name(ps[i].role) << ", "
       << (ps[i].flags ? flag_list(ps[i].flags, " | ", "f_") : "0") << ", path_" << i << ", path_" << i << "_after},\n";
  os << "};\n\n}  // namespace essl::table::generated\n";
}

// ---- the liveness half: from every configuration reachable from the start, `connection` stays reachable

// The flags each handler may set (statemachine/*.cpp); any subset is allowed, which over-approximates.
Flags may_set(Handler h) {
  switch (h) {
    case Handler::c_server_hello: return f_resuming | f_kex_sends_ske | f_kex_no_cert | f_kex_no_client_auth;
    case Handler::c_certificate_request: return f_cert_requested;
    case Handler::s_client_hello: return f_resuming | f_kex_sends_ske | f_cert_requested | f_npn;
    case Handler::s_client_certificate: return f_peer_cert_nonempty;
    case Handler::s_next_protocol: return f_npn_received;
    default: return 0;
  }
}

int check(const Rows& rs, std::ostream& os) {
  int problems = 0;
  for (Role role : roles) {
    using Config = std::pair<State, Flags>;
    std::map<Config, std::vector<Config>> edges;
    std::set<Config> seen{{start_state(role), 0}};
    std::vector<Config> todo{{start_state(role), 0}};
    while (!todo.empty()) {
      Config at = todo.back();
      todo.pop_back();
      for (const Row& r : rs) {
        if (r.role != role || r.state != at.first || !holds(r.guard, at.second)) continue;
        const Flags m = may_set(r.handler);
        for (Flags sub = m;; sub = Flags((sub - 1) & m)) {
          const Flags f = entering(r.state, r.next, at.second, sub);
          // The engine sets the environment flags in `connection` before each message, either way.
          for (Flags env = environment_flags;; env = Flags((env - 1) & environment_flags)) {
            Config to{r.next, r.next == State::connection ? Flags((f & ~environment_flags) | env) : f};
            edges[at].push_back(to);
            if (seen.insert(to).second) todo.push_back(to);
            if (env == 0) break;
          }
          if (sub == 0) break;
        }
      }
    }
    // Backwards from connection.
    std::set<Config> live;
    for (const Config& c : seen)
      if (c.first == State::connection) live.insert(c);
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [from, tos] : edges)
        if (!live.count(from))
          for (const Config& t : tos)
            if (live.count(t)) {
              live.insert(from);
              grew = true;
              break;
            }
    }
    std::set<State> reached;
    for (const Config& c : seen) {
      reached.insert(c.first);
      if (!live.count(c)) {
        os << "VIOLATION dead_end " << role_name(role) << " " << state_id(c.first) << " flags=" << int(c.second)
           << ": connection unreachable (only a fatal alert remains)\n";
        ++problems;
      }
    }
    for (const Row& r : rs)
      if (r.role == role && !reached.count(r.state)) {
        os << "VIOLATION unreachable " << role_name(role) << " " << state_id(r.state) << "\n";
        ++problems;
      }
    os << role_name(role) << ": " << seen.size() << " configurations (state, flags), " << reached.size()
       << " states\n";
  }
  return problems;
}

// ---- Promela

// The model runs one connection of either role. An environment offers every message in every state; a
// message with no row ends the run with unexpected_message (a fatal alert is always a way out). The
// handlers are modelled by what they do to the model's variables, mirroring statemachine/*.cpp: each can
// fail (a decode or verification failure ends the run with a fatal alert) and sets the flags its code
// sets; the choices the peer or the session cache make are nondeterministic.
//
// Properties (assertions; a violation prints "VIOLATION <name>", which the checker reads from the trail):
//   app_data_before_finished     application data is delivered or sent only after our Finished was sent
//                                and the peer's verified
//   ccs_before_keys              ChangeCipherSpec is accepted only once the pending cipher state exists
//   finished_before_ccs          the peer's Finished is accepted only after its ChangeCipherSpec
//   connection_without_finished  `connection` is entered only with both Finished exchanged
//   client_auth_required         verify_peer + fail_if_no_peer_cert: no full handshake reaches
//                                `connection` without a verified CertificateVerify
//   client_auth_optional         verify_peer alone: a full handshake reaches `connection` only with a
//                                verified CertificateVerify or after an empty client Certificate
//                                (RFC 5246 7.4.6: the server MAY continue without client authentication)
//   full_handshake_messages      a full handshake received exactly RFC 5246 7.3's messages, each once
//   abbreviated_messages         a resumed handshake received exactly ServerHello, CCS, Finished (client)
//                                or ClientHello, CCS, Finished (server) — what RFC 5246 7.3 lets it skip
//                                (both: plus the client's NextProtocol exactly when the server answered NPN)
//   next_protocol_before_ccs     the client's NextProtocol is accepted only after its ChangeCipherSpec
//   anonymous_cert_request       a client never accepts a CertificateRequest from a server without a
//                                Certificate (RFC 5246 7.4.4), nor in a PSK or SRP handshake
// Reachability: every (role, state) of the table but the start prints "reach <role> <state>" when
// entered; spin's unreached-code report must not list any of them.
void promela(const Rows& rs, std::ostream& os, const std::string& corrupted) {
  os << "/* The transition table of statemachine/table.cpp as a Promela model; generated by essl_table_gen."
     << (corrupted.empty() ? "" : " Deliberately corrupted: " + corrupted + ".") << " */\n\n";
  for (size_t s = 0; s < state_count; ++s) os << "#define S_" << state_id(State(s)) << " " << s << "\n";
  for (Msg m : all_msgs) os << "#define M_" << msg_name(m) << " " << int(m) << "\n";
  os << "#define NMSG " << msg_count << "\n";
  for (const auto& [flag, name] : flag_names) os << "#define F_" << name << " " << int(flag) << "\n";
  for (const GuardDef& g : guard_defs())
    os << "#define G_" << g.name << " (((flags & " << int(g.require) << ") == " << int(g.require)
       << ") && ((flags & " << int(g.forbid) << ") == 0))\n";
  os << R"(
#define CLIENT 0
#define SERVER 1
#define HAS(f) ((flags & (f)) != 0)

byte role;
byte state;
short flags;           /* table::Flag */
byte msg;
bool verify_peer;      /* server options */
bool fail_if_no_cert;
bool keys;             /* the pending cipher state exists (key exchange done, or session resumed) */
bool peer_ccs;         /* the peer's ChangeCipherSpec accepted */
bool peer_fin;         /* the peer's Finished verified */
bool own_fin;          /* our ChangeCipherSpec and Finished sent */
bool cv_ok;            /* server: the client's CertificateVerify verified */
bool cert_empty;       /* server: the client sent an empty Certificate */
bool dead;             /* a fatal alert was sent */
bool connected;        /* in `connection` with this handshake's checks done */
bool established;      /* a handshake completed: application data flows, renegotiation may start */
byte cnt[NMSG];        /* how often each message advanced the handshake (saturating) */

mtype = { app_data_before_finished, ccs_before_keys, finished_before_ccs, connection_without_finished,
          client_auth_required, client_auth_optional, full_handshake_messages, abbreviated_messages,
          next_protocol_before_ccs, anonymous_cert_request, renegotiation_before_established };

inline violation(name, ok) {
  if
  :: !(ok) -> printf("VIOLATION %e\n", name); assert(false)
  :: else -> skip
  fi
}

/* A decode or verification failure: a fatal alert. */
inline may_fail() {
  if
  :: skip
  :: dead = 1
  fi
}

#define only(m) (cnt[m] == 1)

/* A row that leaves `connection` starts a renegotiation: this handshake's state from scratch
   (table::entering). */
inline new_handshake() {
  keys = 0; peer_ccs = 0; peer_fin = 0; own_fin = 0; cv_ok = 0; cert_empty = 0; connected = 0;
  flags = F_renegotiating;
  byte i = 0;
  do
  :: i < NMSG -> cnt[i] = 0; i++
  :: else -> break
  od
}

)";
  // Handler bodies.
  struct HBody {
    Handler h;
    const char* body;
  };
  static constexpr HBody bodies[] = {
      {Handler::ignore, "skip"},
      {Handler::refuse_renegotiation, "skip /* warning no_renegotiation */"},
      {Handler::deliver_app_data,
       "violation(app_data_before_finished, (peer_fin && own_fin) || (established && !peer_ccs))"},
      {Handler::change_cipher_spec, "violation(ccs_before_keys, keys); may_fail(); peer_ccs = 1"},
      {Handler::c_server_hello,
       "may_fail(); if :: flags = flags | F_resuming; keys = 1 /* our session echoed */ "
       ":: flags = flags | F_kex_sends_ske "
       ":: flags = flags | F_kex_sends_ske | F_kex_no_cert | F_kex_no_client_auth /* anonymous, DHE_PSK, SRP */ "
       ":: flags = flags | F_kex_sends_ske | F_kex_no_client_auth /* SRP_RSA, SRP_DSS */ "
       ":: flags = flags | F_kex_no_client_auth /* RSA_PSK */ "
       ":: flags = flags | F_kex_no_client_auth | F_kex_no_cert /* PSK */ :: skip fi"},
      {Handler::c_server_certificate, "may_fail()"},
      {Handler::c_server_key_exchange, "may_fail()"},
      {Handler::c_certificate_request, "may_fail(); flags = flags | F_cert_requested"},
      {Handler::c_server_hello_done, "may_fail(); keys = 1; own_fin = 1 /* Certificate? CKE CV? CCS Finished */"},
      {Handler::c_finished, "violation(finished_before_ccs, peer_ccs); may_fail(); peer_fin = 1"},
      {Handler::c_abbr_finished,
       "violation(finished_before_ccs, peer_ccs); may_fail(); peer_fin = 1; own_fin = 1"},
      {Handler::s_client_hello,
       "may_fail(); if :: flags = flags | F_resuming; keys = 1; own_fin = 1 /* SH CCS Finished */ "
       ":: if :: flags = flags | F_kex_sends_ske :: skip fi; "
       "if :: verify_peer -> flags = flags | F_cert_requested :: else -> skip fi fi; "
       "if :: flags = flags | F_npn /* the client asked for NPN and we advertise */ :: skip fi"},
      {Handler::s_client_certificate,
       "may_fail(); if :: cert_empty = 1; if :: verify_peer && fail_if_no_cert -> dead = 1 :: else -> skip fi "
       ":: flags = flags | F_peer_cert_nonempty fi"},
      {Handler::s_client_key_exchange, "may_fail(); keys = 1"},
      {Handler::s_certificate_verify, "may_fail(); cv_ok = 1"},
      {Handler::s_next_protocol,
       "violation(next_protocol_before_ccs, peer_ccs); may_fail(); flags = flags | F_npn_received"},
      {Handler::s_finished, "violation(finished_before_ccs, peer_ccs); may_fail(); peer_fin = 1; own_fin = 1"},
      {Handler::s_abbr_finished, "violation(finished_before_ccs, peer_ccs); may_fail(); peer_fin = 1"},
      {Handler::c_renegotiate, "violation(renegotiation_before_established, established); may_fail()"},
      {Handler::s_hello_request, "violation(renegotiation_before_established, established)"},
      {Handler::renegotiation_refused,
       "violation(renegotiation_before_established, established); "
       "peer_fin = 1; own_fin = 1; connected = 1 /* back to the established connection and its keys */"},
  };
  for (const HBody& b : bodies) os << "inline H_" << handler_name(b.h) << "() {\n  " << b.body << "\n}\n";

  // Checks on entering connection.
  os << R"(
inline on_connection() {
  violation(connection_without_finished, peer_fin && own_fin);
  established = 1;
  if
  :: role == CLIENT && HAS(F_resuming) ->
     violation(abbreviated_messages, only(M_server_hello) && only(M_change_cipher_spec) && only(M_finished) &&
               cnt[M_certificate] + cnt[M_server_key_exchange] + cnt[M_certificate_request] +
               cnt[M_server_hello_done] + cnt[M_client_hello] + cnt[M_client_key_exchange] +
               cnt[M_certificate_verify] + cnt[M_next_protocol] == 0)
  :: role == CLIENT && !HAS(F_resuming) ->
     violation(anonymous_cert_request, !(HAS(F_kex_no_cert | F_kex_no_client_auth) && HAS(F_cert_requested)));
     violation(full_handshake_messages, only(M_server_hello) && cnt[M_certificate] == 1 - HAS(F_kex_no_cert) &&
               (cnt[M_server_key_exchange] == HAS(F_kex_sends_ske) ||
                (HAS(F_kex_no_client_auth) && !HAS(F_kex_sends_ske) && cnt[M_server_key_exchange] <= 1)) &&
               cnt[M_certificate_request] == HAS(F_cert_requested) && only(M_server_hello_done) &&
               only(M_change_cipher_spec) && only(M_finished) &&
               cnt[M_client_hello] + cnt[M_client_key_exchange] + cnt[M_certificate_verify] +
               cnt[M_next_protocol] == 0)
  :: role == SERVER && HAS(F_resuming) ->
     violation(abbreviated_messages, only(M_client_hello) && only(M_change_cipher_spec) && only(M_finished) &&
               cnt[M_next_protocol] == HAS(F_npn) &&
               cnt[M_certificate] + cnt[M_client_key_exchange] + cnt[M_certificate_verify] +
               cnt[M_server_hello] + cnt[M_server_key_exchange] + cnt[M_certificate_request] +
               cnt[M_server_hello_done] == 0)
  :: role == SERVER && !HAS(F_resuming) ->
     violation(client_auth_required, !(verify_peer && fail_if_no_cert) || cv_ok);
     violation(client_auth_optional, !verify_peer || cv_ok || cert_empty);
     violation(full_handshake_messages, only(M_client_hello) &&
               cnt[M_certificate] == HAS(F_cert_requested) && only(M_client_key_exchange) &&
               cnt[M_certificate_verify] == HAS(F_peer_cert_nonempty) && only(M_change_cipher_spec) &&
               only(M_finished) && cnt[M_next_protocol] == HAS(F_npn) &&
               cnt[M_server_hello] + cnt[M_server_key_exchange] + cnt[M_certificate_request] +
               cnt[M_server_hello_done] == 0)
  fi
}

active proctype conn() {
  if
  :: role = CLIENT; state = S_c_wait_server_hello
  :: role = SERVER; state = S_s_wait_client_hello;
     if :: verify_peer = 1 :: skip fi;
     if :: fail_if_no_cert = 1 :: skip fi
  fi;
end_run:
  do
  :: dead -> break
  :: !dead && established ->
     /* the application sends data (during a renegotiation too, under the keys in force) */
     violation(app_data_before_finished, established);
     if :: skip :: break fi
  :: !dead ->
     /* the engine's environment flags, in `connection` (table::environment_flags) */
     if
     :: role == SERVER && state == S_connection ->
        if :: flags = flags | F_reneg_allowed :: flags = flags & ~F_reneg_allowed fi
     :: else -> skip
     fi;
     if
)";
  for (Msg m : all_msgs) os << "     :: msg = M_" << msg_name(m) << "\n";
  os << "     fi;\n     if\n";
  for (const Row& r : rs) {
    os << "     :: role == " << (r.role == Role::client ? "CLIENT" : "SERVER") << " && state == S_" << state_id(r.state)
       << " && msg == M_" << msg_name(r.msg) << " && G_" << guard_name(r.guard) << " ->\n        "
       << (r.state == State::connection && r.next != State::connection ? "new_handshake(); " : "")
       << "H_" << handler_name(r.handler) << "();\n";
    if (!bookkeeping_only(r.handler)) os << "        if :: cnt[msg] < 3 -> cnt[msg]++ :: else -> skip fi;\n";
    if (r.next == State::connection && r.state != State::connection)
      os << "        flags = flags & ~F_renegotiating;\n";
    os << "        if :: !dead -> state = S_" << state_id(r.next) << " :: else -> skip fi\n";
  }
  // Without a row: a peer's message is answered with unexpected_message; the user's renegotiate() is
  // refused with an error, and a warning no_renegotiation that answers nothing is passed over.
  os << "     :: else ->\n        if\n        :: msg == M_renegotiate || msg == M_no_renegotiation -> skip\n"
     << "        :: else -> dead = 1 /* unexpected_message */\n        fi\n     fi;\n";
  os << "     if\n";
  for (Role role : roles)
    for (State s : role_states(rs, role))
      if (s != start_state(role))
        os << "     :: !dead && role == " << (role == Role::client ? "CLIENT" : "SERVER") << " && state == S_"
         << state_id(s) << " -> printf(\"reach " << role_name(role) << " " << state_id(s) << "\\n\")\n";
  os << "     :: else -> skip\n     fi;\n";
  os << "     if\n     :: !dead && !connected && state == S_connection -> on_connection(); connected = 1\n"
     << "     :: else -> skip\n     fi\n  od\n}\n";
}

int usage() {
  std::cerr << "usage: essl_table_gen dot client|server | promela [--corrupt X] | check [--corrupt X] | "
               "dict [--merge FILE] | groups | paths [--header] | corruptions\n";
  return 2;
}

}  // namespace
}  // namespace essl::table

int main(int argc, char** argv) {
  using namespace essl::table;
  if (argc < 2) return usage();
  std::string cmd = argv[1];
  Rows rs(rows().begin(), rows().end());
  std::string corrupted;
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--corrupt") == 0) {
      const Corruption* c = corruption(argv[i + 1]);
      if (!c) {
        std::cerr << "unknown corruption " << argv[i + 1] << "\n";
        return 2;
      }
      c->apply(rs);
      corrupted = std::string(c->name) + " (" + c->what + ")";
    }
  if (cmd == "dot" && argc == 3) {
    std::string role = argv[2];
    if (role != "client" && role != "server") return usage();
    dot(rs, role == "client" ? essl::Role::client : essl::Role::server, std::cout);
    return 0;
  }
  if (cmd == "promela") {
    promela(rs, std::cout, corrupted);
    return 0;
  }
  if (cmd == "check") return check(rs, std::cout) == 0 ? 0 : 1;
  if (cmd == "dict") {
    // --merge FILE: FILE's entries first (libFuzzer takes a single dictionary).
    if (argc == 4 && std::strcmp(argv[2], "--merge") == 0) {
      std::ifstream in(argv[3], std::ios::binary);
      if (!in) {
        std::cerr << "cannot read " << argv[3] << "\n";
        return 2;
      }
      std::cout << in.rdbuf() << "\n";
    } else if (argc != 2) {
      return usage();
    }
    dict(rs, std::cout);
    return 0;
  }
  if (cmd == "groups" && argc == 2) {
    groups(rs, std::cout);
    return 0;
  }
  if (cmd == "paths" && argc == 2) {
    paths(rs, std::cout);
    return 0;
  }
  if (cmd == "paths" && argc == 3 && std::strcmp(argv[2], "--header") == 0) {
    paths_header(rs, std::cout);
    return 0;
  }
  if (cmd == "corruptions") {
    for (const Corruption& c : corruptions) std::cout << c.name << "\t" << c.what << "\n";
    return 0;
  }
  return usage();
}
