// One case, both roles. Each connection sends a line each way and compares it; a failing case must fail
// with the declared alert, sent by the declared side, and the peer must report that alert too when
// essl sent it.
#include "conformance/runner.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "crypto_glue/srp.hpp"

namespace essl::conformance {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

CellResult failed(std::string why) { return {Outcome::fail, std::move(why), {}, 0}; }

std::string tail(const std::string& log, size_t n = 600) {
  std::string t = log.size() > n ? "..." + log.substr(log.size() - n) : log;
  for (char& ch : t)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return t;
}

std::string describe_alert(AlertDescription d, bool sent) {
  return std::string(alert_atom(d)) + (sent ? " sent by essl" : " sent by the peer");
}

// What must be true of a connection essl made or accepted.
std::string check_negotiated(const Case& c, const ConnectionInfo& info, size_t n) {
  if (c.expect_version && info.protocol != c.expect_version)
    return "negotiated " + std::string(info.protocol ? version_atom(*info.protocol) : "nothing") + ", expected " +
           std::string(version_atom(*c.expect_version));
  if (c.expect_suite && info.cipher_suite_name != c.expect_suite->erlang)
    return "negotiated " + info.cipher_suite_name + ", expected " + std::string(c.expect_suite->erlang);
  bool want_resumed = c.resumes(n);
  if (info.resumed != want_resumed) return want_resumed ? "the session was not resumed" : "resumed unexpectedly";
  auto yes_no = [](bool b) { return std::string(b ? "used" : "not used"); };
  if (c.expect_etm && info.encrypt_then_mac != *c.expect_etm)
    return "encrypt_then_mac " + yes_no(info.encrypt_then_mac) + ", expected " + yes_no(*c.expect_etm);
  if (c.expect_ems && info.extended_master_secret != *c.expect_ems)
    return "extended_master_secret " + yes_no(info.extended_master_secret) + ", expected " + yes_no(*c.expect_ems);
  return {};
}

// ALPN and SNI as essl reports them: `protocol` from negotiated_protocol (nullopt: none).
std::string check_extensions(const Case& c, const ConnectionInfo& info, const std::optional<std::string>& protocol) {
  if (protocol.value_or("") != c.expect_protocol)
    return "negotiated protocol \"" + protocol.value_or("") + "\", expected \"" + c.expect_protocol + "\"";
  if (!c.expect_sni.empty() && info.sni_hostname.value_or("") != c.expect_sni)
    return "sni_hostname \"" + info.sni_hostname.value_or("") + "\", expected \"" + c.expect_sni + "\"";
  return {};
}

std::optional<std::string> protocol_of(const Socket& s) {
  auto p = s.negotiated_protocol();
  return p ? std::optional<std::string>(*p) : std::nullopt;
}

// The handshake failed as `e`: is it the declared failure? The peer's log is read again for a while,
// since a peer process may report the alert after essl returned.
CellResult check_failure(const Peer& peer, const Case& c, const Error& e, const std::function<std::string()>& peer_log) {
  CellResult r;
  if (e.kind == Error::Kind::tls_alert) r.alert = std::string(alert_atom(e.alert)) + (e.alert_sent ? " (sent)" : " (received)");
  if (!e.is_alert(c.expect_alert) || e.alert_sent != c.essl_sends_alert)
    return failed("essl: " + format_error(e) + "; expected " + describe_alert(c.expect_alert, c.essl_sends_alert) +
                  "; peer: " + tail(peer_log()));
  if (c.essl_sends_alert) {
    auto until = Clock::now() + 3s;
    while (!peer.reports_alert(peer_log(), c.expect_alert)) {
      if (Clock::now() > until)
        return failed("essl sent " + std::string(alert_atom(c.expect_alert)) + " but the peer did not report it: " + tail(peer_log()));
      std::this_thread::sleep_for(20ms);
    }
  }
  r.outcome = Outcome::pass;
  return r;
}

// Reads until a newline (or the timeout).
Res<std::string> recv_line(Socket& s) {
  std::string got;
  auto until = Clock::now() + io_timeout;
  while (got.find('\n') == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return fail(Error::timeout());
    auto data = s.recv(0, left);
    if (!data) return fail(data.error());
    got.append(data->begin(), data->end());
  }
  return got;
}

// essl renegotiates once if the case says so: completed, or refused with renegotiation_rejected and
// the connection still usable (the line exchange that follows shows it). "" when as expected.
std::string check_renegotiation(const Case& c, Socket& s) {
  if (!c.essl_renegotiates) return {};
  const auto before = s.connection_information();
  auto r = s.renegotiate(io_timeout);
  if (c.peer_refuses_renegotiation) {
    if (r) return "the peer went through a renegotiation it should refuse";
    if (r.error().kind != Error::Kind::other || r.error().detail != "renegotiation_rejected")
      return "renegotiate: " + format_error(r.error()) + "; expected renegotiation_rejected";
    return {};
  }
  if (!r) return "renegotiate: " + format_error(r.error());
  const auto after = s.connection_information();
  if (!before || !after || before->client_random == after->client_random)
    return "renegotiate returned but no new handshake took place";
  return {};
}

CellResult run_essl_client(Peer& peer, const Case& c) {
  std::string why;
  auto server = peer.serve(c, why);
  if (!server) return failed("the " + std::string(peer_name(peer.id())) + " server did not start: " + why);
  Options o = essl_options(c);
  for (size_t n = 0; n < (c.resume ? 2u : 1u); ++n) {
    auto s = connect("127.0.0.1", server->port(), o, io_timeout, passive_binary());
    if (!s) {
      if (!c.expect_ok && n == 0) return check_failure(peer, c, s.error(), [&] { return server->log(); });
      return failed("connection " + std::to_string(n) + ": " + format_error(s.error()) + "; peer: " + tail(server->log()));
    }
    if (!c.expect_ok) return failed("the handshake succeeded; expected " + describe_alert(c.expect_alert, c.essl_sends_alert));
    auto info = s->connection_information();
    if (!info) return failed(format_error(info.error()));
    if (auto bad = check_negotiated(c, *info, n); !bad.empty()) return failed("connection " + std::to_string(n) + ": " + bad);
    if (auto bad = check_extensions(c, *info, protocol_of(*s)); !bad.empty())
      return failed("connection " + std::to_string(n) + ": " + bad);
    if (auto bad = check_renegotiation(c, *s); !bad.empty())
      return failed("connection " + std::to_string(n) + ": " + bad + "; peer: " + tail(server->log()));
    std::string line = probe_line(c, n, "essl");
    if (auto sent = s->send(line); !sent) return failed("send: " + format_error(sent.error()));
    auto got = recv_line(*s);
    if (!got) return failed("no answer from the peer: " + format_error(got.error()) + "; peer: " + tail(server->log()));
    if (*got != server->answer(line)) return failed("the peer answered \"" + tail(*got, 80) + "\"");
    if (c.peer_renegotiates) {
      auto now = s->connection_information();
      if (!now || now->client_random == info->client_random)
        return failed("connection " + std::to_string(n) + ": the peer's renegotiation did not take place");
    }
    (void)s->close();
  }
  return {Outcome::pass, {}, {}, 0};
}

struct Accepted {
  std::string renegotiation;  // what went wrong with the case's renegotiation ("" = as expected)
  std::vector<uint8_t> last_client_random;  // after the echo: a renegotiation changes it
  bool ok = false;
  Error error;
  ConnectionInfo info;
  std::optional<std::string> protocol;
  bool peercert = false;
};

CellResult run_essl_server(Peer& peer, const Case& c) {
  SocketOptions sock = passive_binary();
  sock.ip = "127.0.0.1";
  auto ls = listen(0, essl_options(c), sock);
  if (!ls) return failed("listen: " + format_error(ls.error()));
  size_t conns = c.resume ? 2 : 1;
  std::vector<Accepted> seen;
  std::atomic<bool> client_done{false};
  std::thread server([&] {
    while (seen.size() < conns) {
      auto s = ls->transport_accept(200ms);
      if (!s) {
        if (client_done) return;  // the client made no more connections
        continue;
      }
      Accepted a;
      auto h = handshake(*s, io_timeout);
      a.ok = h.ok();
      if (!h) a.error = h.error();
      if (a.ok) {
        if (auto info = s->connection_information()) a.info = *info;
        a.peercert = s->peercert().ok();
        a.protocol = protocol_of(*s);
        a.renegotiation = check_renegotiation(c, *s);
        // Echo until the peer closes.
        for (;;) {
          auto data = s->recv(0, io_timeout);
          if (!data || !s->send(std::span<const uint8_t>(*data))) break;
        }
        if (auto info = s->connection_information()) a.last_client_random = info->client_random;
        (void)s->close();
      }
      seen.push_back(std::move(a));
    }
  });
  PeerClientRun run = peer.connect(c, ls->port());
  client_done = true;
  server.join();
  std::string peer_log = tail(run.log);
  if (!run.error.empty()) return failed(run.error + "; peer: " + peer_log);
  if (!c.expect_ok) {
    if (seen.empty()) return failed("the peer never connected; peer: " + peer_log);
    if (seen[0].ok) return failed("the handshake succeeded; expected " + describe_alert(c.expect_alert, c.essl_sends_alert));
    return check_failure(peer, c, seen[0].error, [&] { return run.log; });
  }
  for (size_t n = 0; n < conns; ++n) {
    std::string at = "connection " + std::to_string(n) + ": ";
    if (n >= seen.size()) return failed(at + "the peer did not connect; peer: " + peer_log);
    if (!seen[n].ok) return failed(at + format_error(seen[n].error) + "; peer: " + peer_log);
    if (auto bad = check_negotiated(c, seen[n].info, n); !bad.empty()) return failed(at + bad);
    if (auto bad = check_extensions(c, seen[n].info, seen[n].protocol); !bad.empty()) return failed(at + bad);
    if (seen[n].peercert != c.client_cert) return failed(at + (c.client_cert ? "no client certificate" : "an unexpected client certificate"));
    if (n >= run.connections.size() || !run.connections[n].handshake_ok)
      return failed(at + "the peer did not finish its handshake; peer: " + peer_log);
    if (!seen[n].renegotiation.empty()) return failed(at + seen[n].renegotiation + "; peer: " + peer_log);
    if (c.peer_renegotiates && seen[n].last_client_random == seen[n].info.client_random)
      return failed(at + "the peer's renegotiation did not take place; peer: " + peer_log);
    if (!run.connections[n].data_ok) return failed(at + "the line did not come back intact; peer: " + peer_log);
    auto resumed = run.connections[n].resumed;
    if (resumed && *resumed != c.resumes(n)) return failed(at + "the peer disagrees about resumption; peer: " + peer_log);
  }
  return {Outcome::pass, {}, {}, 0};
}

}  // namespace

Options essl_options(const Case& c) {
  Options o;
  o.versions = c.essl_versions;
  std::vector<SuiteSpec> specs;
  for (const SuiteInfo* s : c.essl_suites) specs.push_back(s->spec);
  if (!specs.empty()) o.ciphers = specs;
  if (!c.psk_key.empty()) {
    std::vector<uint8_t> key;
    for (size_t i = 0; i + 1 < c.psk_key.size(); i += 2) key.push_back(uint8_t(std::stoi(c.psk_key.substr(i, 2), nullptr, 16)));
    // The server knows the case's identity only; the client has its key whatever the hint.
    const std::string identity = c.server_psk_identity();
    const bool server = c.role == Role::server;
    o.user_lookup_fun = UserLookupFun{
        [key, identity, server](LookupKind kind, const std::optional<std::string>& id, const std::any&) {
          if (kind != LookupKind::psk || (server && id != identity)) return LookupResult{LookupError{}};
          return LookupResult{key};
        },
        {}};
    if (server && !c.psk_hint.empty()) o.psk_identity = c.psk_hint;
    if (!server) o.psk_identity = c.psk_identity;
  }
  if (!c.srp_user.empty() && c.role == Role::server) {
    // The verifier data for the case's user in srp_2048, with a fixed salt.
    const std::vector<uint8_t> salt = {0x45, 0x53, 0x53, 0x4c, 0x2d, 0x73, 0x61, 0x6c, 0x74};
    const codec::Bytes x = crypto::srp_derived_key(c.server_srp_user(), c.srp_password, salt);
    const SrpLookup found{SrpParam::srp_2048, salt, std::vector<uint8_t>(x.begin(), x.end())};
    o.user_lookup_fun = UserLookupFun{
        [found, user = c.server_srp_user()](LookupKind kind, const std::optional<std::string>& id, const std::any&) {
          return kind == LookupKind::srp && id == user ? LookupResult{found} : LookupResult{LookupError{}};
        },
        {}};
  }
  if (!c.srp_user.empty() && c.role == Role::client) o.srp_identity = std::make_pair(c.srp_user, c.srp_password);
  o.reuse_sessions = c.essl_reuse_sessions;
  if (c.essl_reuse_session_refuses)
    o.reuse_session = [](std::span<const uint8_t>, std::span<const uint8_t>, uint8_t, const SuiteSpec&) { return false; };
  if (c.role == Role::server) {
    const ServerCredential cred = server_credential(c);
    o.certfile = cred.certfile();
    o.keyfile = cred.keyfile();
    o.dhfile = pki("dh2048.pem");
    if (c.server_requires_cert) {
      o.verify = Verify::verify_peer;
      o.fail_if_no_peer_cert = true;
      o.cacertfile = pki(c.server_trusts_client ? "ca.pem" : "other-ca.pem");
    }
    if (!c.server_alpn.empty()) o.alpn_preferred_protocols = c.server_alpn;
    if (!c.server_npn.empty()) o.next_protocols_advertised = c.server_npn;
    if (c.sni_host_ecdsa) {
      SniOptions host;
      host.certfile = pki("server-ecdsa.pem");
      host.keyfile = pki("server-ecdsa-key.pem");
      o.sni_hosts = {{std::string(Case::sni_host_name), host}};
    }
  } else {
    o.verify = c.client_verifies ? Verify::verify_peer : Verify::verify_none;
    o.cacertfile = pki(c.client_trusts_server ? "ca.pem" : "other-ca.pem");
    if (c.client_depth) o.depth = *c.client_depth;
    if (c.client_cert) {
      o.certfile = pki("client-rsa.pem");
      o.keyfile = pki("client-rsa-key.pem");
    }
    if (!c.client_alpn.empty()) o.alpn_advertised_protocols = c.client_alpn;
    if (!c.client_npn.empty()) {
      NextProtocolPreference p;
      p.precedence = NextProtocolPreference::Precedence::client;
      p.protocols = c.client_npn;
      o.client_preferred_next_protocols = p;
    }
    // essl connects to 127.0.0.1, which sends no name unless the case gives one.
    if (!c.sni.empty()) o.server_name_indication = c.sni;
    o.fallback = c.client_fallback;
  }
  return o;
}

CellResult run_case(Peer& peer, const Case& c) {
  auto start = Clock::now();
  CellResult r = c.role == Role::client ? run_essl_client(peer, c) : run_essl_server(peer, c);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace essl::conformance
