// OpenSSL 3.0's s_server (-rev: answers each line reversed) and s_client. TLS 1.0/1.1 and SHA-1 need
// @SECLEVEL=0 in OpenSSL 3.0.
#include <algorithm>
#include <fstream>
#include <memory>

#include "conformance/process_peer.hpp"

namespace essl::conformance {
namespace {

const char* protocol_name(Version v) {
  return v == Version::tlsv1 ? "TLSv1" : v == Version::tlsv1_1 ? "TLSv1.1" : "TLSv1.2";
}

// OpenSSL takes a range of versions, not a set.
bool contiguous(std::vector<Version> vs) {
  std::sort(vs.begin(), vs.end());
  for (size_t i = 1; i < vs.size(); ++i)
    if (static_cast<int>(vs[i]) != static_cast<int>(vs[i - 1]) + 1) return false;
  return !vs.empty();
}

void add_common(std::vector<std::string>& argv, const Case& c) {
  auto [lo, hi] = std::minmax_element(c.peer_versions.begin(), c.peer_versions.end());
  argv.insert(argv.end(), {"-min_protocol", protocol_name(*lo), "-max_protocol", protocol_name(*hi)});
  std::string list;
  for (const SuiteInfo* s : c.peer_suites) list += std::string(s->openssl) + ":";
  argv.insert(argv.end(), {"-cipher", list + "@SECLEVEL=0"});
  if (c.peer_no_etm) argv.push_back("-no_etm");
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

class OpenSslPeer : public Peer {
 public:
  PeerId id() const override { return PeerId::openssl; }

  std::string availability() override {
    exe_ = find_program("openssl");
    if (exe_.empty()) return "openssl is not installed (no `openssl` in PATH)";
    // The suites this build of OpenSSL has at all (Debian's has no 3DES suites, for one).
    std::string why;
    // ALL leaves out the anonymous suites; COMPLEMENTOFALL adds them.
    auto list = Child::spawn({exe_, "ciphers", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"}, why);
    if (!list || list->wait_exit(io_timeout) != 0) return "`openssl ciphers` failed: " + why;
    std::string names = ":" + list->out();
    while (!names.empty() && (names.back() == '\n' || names.back() == '\r')) names.pop_back();
    names_ = names + ":";
    // A configuration that turns the extended master secret off (s_server and s_client have no switch).
    files_ = std::make_unique<TempDir>();
    no_ems_conf_ = files_->path("no-ems.cnf");
    std::ofstream(no_ems_conf_) << "openssl_conf = conf\n[conf]\nssl_conf = ssl_sect\n[ssl_sect]\n"
                                   "system_default = sd\n[sd]\nOptions = -ExtendedMasterSecret\n";
    return {};
  }

  // The command line's start: openssl `sub`, under the configuration the case needs.
  std::vector<std::string> command(const Case& c, const char* sub) const {
    if (c.peer_no_ems) return {"/usr/bin/env", "OPENSSL_CONF=" + no_ems_conf_, exe_, sub};
    return {exe_, sub};
  }

  std::string cannot(const Case& c) const override {
    if (!contiguous(c.peer_versions)) return "openssl takes a version range, not the set " + version_list(c.peer_versions);
    for (const SuiteInfo* s : c.peer_suites)
      if (names_.find(":" + std::string(s->openssl) + ":") == std::string::npos)
        return "this openssl build lacks " + std::string(s->openssl);
    // OpenSSL 3.0's s_server fails its SRP user lookup (a garbled user name, then a crash) even with its
    // own s_client, and s_client stalls after the ServerHelloDone of an SRP server.
    if (!c.srp_user.empty()) return "openssl 3.0's s_server/s_client SRP does not work (not even with each other)";
    // s_server switches to its -cert2 context for the -servername name, and that context has no ALPN
    // callback: it never answers ALPN there.
    if (c.role == Role::client && c.sni_host_ecdsa && c.sni == Case::sni_host_name && !c.server_alpn.empty())
      return "s_server answers no ALPN for the -servername name (its -cert2 context)";
    return {};
  }

  std::unique_ptr<PeerServer> serve(const Case& c, std::string& why) override {
    const ServerCredential cred = server_credential(c);
    auto argv_for = [&](uint16_t port) {
      std::vector<std::string> argv = command(c, "s_server");
      argv.insert(argv.end(), {"-accept", "127.0.0.1:" + std::to_string(port), "-dhparam",
                                       pki("dh2048.pem"), "-rev"});
      argv.insert(argv.end(), {"-cert", pki(cred.leaf + ".pem"), "-key", cred.keyfile()});
      if (!cred.intermediate.empty()) argv.insert(argv.end(), {"-cert_chain", pki(cred.intermediate + ".pem")});
      add_common(argv, c);
      if (c.server_requires_cert)
        argv.insert(argv.end(), {"-Verify", "1", "-verify_return_error", "-CAfile",
                                 pki(c.server_trusts_client ? "ca.pem" : "other-ca.pem")});
      if (!c.server_alpn.empty()) argv.insert(argv.end(), {"-alpn", join(c.server_alpn)});
      if (!c.server_npn.empty()) argv.insert(argv.end(), {"-nextprotoneg", join(c.server_npn)});
      // OpenSSL 3.0 refuses client-initiated renegotiation unless asked to allow it.
      if (c.essl_renegotiates && !c.peer_refuses_renegotiation) argv.push_back("-client_renegotiation");
      if (!c.psk_key.empty()) {
        argv.insert(argv.end(), {"-psk", c.psk_key, "-psk_identity", c.server_psk_identity()});
        if (!c.psk_hint.empty()) argv.insert(argv.end(), {"-psk_hint", c.psk_hint});
      }
      // The name's certificate; another name gets a warning unrecognized_name and the base certificate.
      if (c.sni_host_ecdsa)
        argv.insert(argv.end(), {"-servername", std::string(Case::sni_host_name), "-cert2", pki("server-ecdsa.pem"),
                                 "-key2", pki("server-ecdsa-key.pem")});
      return argv;
    };
    // -rev answers each line with its text reversed.
    return ProcessServer::start(argv_for, why, [](const std::string& line) {
      std::string body = line.substr(0, line.size() - 1);
      return std::string(body.rbegin(), body.rend()) + "\n";
    });
  }

  PeerClientRun connect(const Case& c, uint16_t port) override {
    PeerClientRun run;
    TempDir tmp;
    std::string sess = tmp.path("session.pem");
    for (size_t n = 0; n < (c.resume ? 2u : 1u); ++n) {
      ClientProcess p;
      p.argv = command(c, "s_client");
      p.argv.insert(p.argv.end(), {"-connect", "127.0.0.1:" + std::to_string(port), "-servername",
                                   c.sni.empty() ? "localhost" : c.sni, "-CAfile",
                                   pki(c.client_trusts_server ? "ca.pem" : "other-ca.pem"),
                                   n == 0 ? "-sess_out" : "-sess_in", sess});
      // A server that keeps no sessions gives s_client none to save: the second connection offers none.
      if (n == 1 && !std::ifstream(sess)) p.argv.resize(p.argv.size() - 2);
      add_common(p.argv, c);
      if (c.client_verifies) p.argv.push_back("-verify_return_error");
      if (c.client_cert) p.argv.insert(p.argv.end(), {"-cert", pki("client-rsa.pem"), "-key", pki("client-rsa-key.pem")});
      if (!c.client_alpn.empty()) p.argv.insert(p.argv.end(), {"-alpn", join(c.client_alpn)});
      if (!c.client_npn.empty()) p.argv.insert(p.argv.end(), {"-nextprotoneg", join(c.client_npn)});
      if (!c.psk_key.empty()) p.argv.insert(p.argv.end(), {"-psk", c.psk_key, "-psk_identity", c.psk_identity});
      if (c.peer_refuses_renegotiation) p.argv.push_back("-no_renegotiation");
      if (c.client_fallback) p.argv.push_back("-fallback_scsv");
      // s_client prints "New, TLSv1.2, Cipher is X" (or "Reused, ...") once the handshake is over.
      p.handshake_done = [](const std::string& o) {
        return o.find(", Cipher is ") != std::string::npos && o.find("Cipher is (NONE)") == std::string::npos;
      };
      p.resumed = [](const std::string& o) -> std::optional<bool> {
        if (o.find("Reused, ") != std::string::npos) return true;
        if (o.find("New, ") != std::string::npos) return false;
        return std::nullopt;
      };
      run.connections.push_back(run_client_process(p, probe_line(c, n, "openssl"), run.log, run.error));
      if (!run.connections.back().handshake_ok) break;
    }
    return run;
  }

 private:
  std::string exe_;
  std::unique_ptr<TempDir> files_;
  std::string no_ems_conf_;
  std::string names_;  // ":NAME:NAME:...:"
};

}  // namespace

std::unique_ptr<Peer> make_openssl_peer() { return std::make_unique<OpenSslPeer>(); }

}  // namespace essl::conformance
