// GnuTLS 3.7's gnutls-serv (--echo) and gnutls-cli, configured with priority strings.
#include <algorithm>
#include <fstream>
#include <set>

#include "conformance/process_peer.hpp"

namespace essl::conformance {
namespace {

size_t count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// NORMAL with the versions, ciphers, MACs and key exchanges replaced by the case's; each suite adds its
// parts (a list of several suites may allow combinations beyond the list, which no case relies on).
std::string priority(const Case& c) {
  std::string p = "NORMAL:-VERS-ALL:-CIPHER-ALL:-MAC-ALL:-KX-ALL:+SIGN-ALL";
  for (Version v : c.peer_versions)
    p += v == Version::tlsv1 ? ":+VERS-TLS1.0" : v == Version::tlsv1_1 ? ":+VERS-TLS1.1" : ":+VERS-TLS1.2";
  std::set<std::string> parts;
  for (const SuiteInfo* s : c.peer_suites) {
    switch (s->spec.key_exchange) {
      case KeyExchange::rsa: parts.insert("+RSA"); break;
      case KeyExchange::dhe_rsa: parts.insert("+DHE-RSA"); break;
      case KeyExchange::ecdhe_rsa: parts.insert("+ECDHE-RSA"); break;
      case KeyExchange::ecdhe_ecdsa: parts.insert("+ECDHE-ECDSA"); break;
      case KeyExchange::dhe_dss:  // SIGN-ALL leaves DSA out
        parts.insert("+DHE-DSS:+SIGN-DSA-SHA256:+SIGN-DSA-SHA384:+SIGN-DSA-SHA512:+SIGN-DSA-SHA1");
        break;
      case KeyExchange::dh_anon: parts.insert("+ANON-DH"); break;
      case KeyExchange::ecdh_anon: parts.insert("+ANON-ECDH"); break;
      case KeyExchange::psk: parts.insert("+PSK"); break;
      case KeyExchange::dhe_psk: parts.insert("+DHE-PSK"); break;
      case KeyExchange::rsa_psk: parts.insert("+RSA-PSK"); break;
      case KeyExchange::srp_anon: parts.insert("+SRP"); break;
      case KeyExchange::srp_rsa: parts.insert("+SRP-RSA"); break;
      case KeyExchange::srp_dss:
        parts.insert("+SRP-DSS:+SIGN-DSA-SHA256:+SIGN-DSA-SHA384:+SIGN-DSA-SHA512:+SIGN-DSA-SHA1");
        break;
      default: break;
    }
    switch (s->spec.cipher) {
      case Cipher::aes_128_cbc: parts.insert("+AES-128-CBC"); break;
      case Cipher::aes_256_cbc: parts.insert("+AES-256-CBC"); break;
      case Cipher::aes_128_gcm: parts.insert("+AES-128-GCM"); break;
      case Cipher::aes_256_gcm: parts.insert("+AES-256-GCM"); break;
      case Cipher::des3_ede_cbc: parts.insert("+3DES-CBC"); break;
      case Cipher::rc4_128: parts.insert("+ARCFOUR-128"); break;
      default: break;
    }
    switch (s->spec.mac) {
      case Hash::null: parts.insert("+AEAD"); break;
      case Hash::md5: parts.insert("+MD5"); break;
      case Hash::sha: parts.insert("+SHA1"); break;
      case Hash::sha256: parts.insert("+SHA256"); break;
      case Hash::sha384: parts.insert("+SHA384"); break;
      default: break;
    }
  }
  for (const auto& part : parts) p += ":" + part;
  if (c.peer_no_etm) p += ":%NO_ETM";
  if (c.peer_no_ems) p += ":%NO_SESSION_HASH";
  return p;
}

class GnutlsPeer : public Peer {
 public:
  PeerId id() const override { return PeerId::gnutls; }

  std::string availability() override {
    serv_ = find_program("gnutls-serv");
    cli_ = find_program("gnutls-cli");
    if (serv_.empty() || cli_.empty()) return "gnutls-serv/gnutls-cli are not installed (package gnutls-bin)";
    files_ = std::make_unique<TempDir>();
    srptool_ = find_program("srptool");
    return {};
  }

  std::string cannot(const Case& c) const override {
    for (const SuiteInfo* s : c.peer_suites)
      if (s->spec.cipher == Cipher::des_cbc) return "GnuTLS has no single-DES suites";
    for (const SuiteInfo* s : c.peer_suites)
      if (s->spec.key_exchange == KeyExchange::ecdh_ecdsa || s->spec.key_exchange == KeyExchange::ecdh_rsa)
        return "GnuTLS has no static ECDH suites";
    // gnutls-cli 3.7 never completes a DHE-PSK handshake (it stalls after the ServerKeyExchange against
    // openssl s_server as well); gnutls-serv does them.
    if (c.role == Role::server)
      for (const SuiteInfo* s : c.peer_suites)
        if (s->spec.key_exchange == KeyExchange::dhe_psk) return "gnutls-cli 3.7 stalls in DHE-PSK handshakes";
    // gnutls-serv refuses --require-client-cert with --echo; --verify-client-cert asks for a certificate
    // and verifies the one it gets, but also accepts a client without one.
    if (c.role == Role::client && !c.srp_user.empty() && srptool_.empty())
      return "srptool (package gnutls-bin) is not installed: no SRP verifier file for gnutls-serv";
    if (c.role == Role::client && c.server_requires_cert && (!c.client_cert || !c.server_trusts_client))
      return "gnutls-serv cannot insist on a client certificate in --echo mode (it accepts one it cannot verify)";
    return {};
  }

  // gnutls-serv names no alert it receives; it says "A TLS fatal alert has been received".
  bool reports_alert(const std::string& log, AlertDescription d) const override {
    return Peer::reports_alert(log, d) || log.find("A TLS fatal alert has been received") != std::string::npos;
  }

  std::unique_ptr<PeerServer> serve(const Case& c, std::string& why) override {
    const ServerCredential cred = server_credential(c);
    // The certificate file holds the chain to send (gnutls-serv sends every certificate in it).
    const std::string certfile = cred.certfile();
    // gnutls-serv has no option for the listening address: it listens on every address.
    return ProcessServer::start([&](uint16_t port) {
      std::vector<std::string> argv{serv_, "--echo", "-p", std::to_string(port), "--x509certfile", certfile,
                                      "--x509keyfile", cred.keyfile(), "--dhparams", pki("dh2048.pem"),
                                      "--priority", priority(c)};
      if (c.server_requires_cert) argv.insert(argv.end(), {"--verify-client-cert", "--x509cafile", pki("ca.pem")});
      if (!c.srp_user.empty()) {
        // srptool makes the group file and the user's verifier file.
        const std::string tag = std::to_string(port);  // one pair of files per server
        const std::string conf = files_->path("tpasswd-" + tag + ".conf"), passwd = files_->path("tpasswd-" + tag);
        if (!srp_files(conf, passwd, c)) return std::vector<std::string>{};
        argv.insert(argv.end(), {"--srppasswd", passwd, "--srppasswdconf", conf});
      }
      if (!c.psk_key.empty()) {
        // gnutls-serv reads the keys from a file of "identity:hex-key" lines.
        const std::string passwd = files_->path("psk-" + std::to_string(port) + ".txt");  // one per server
        std::ofstream(passwd) << c.server_psk_identity() << ":" << c.psk_key << "\n";
        argv.insert(argv.end(), {"--pskpasswd", passwd});
        if (!c.psk_hint.empty()) argv.insert(argv.end(), {"--pskhint", c.psk_hint});
      }
      return argv;
    }, why);
  }

  PeerClientRun connect(const Case& c, uint16_t port) override {
    PeerClientRun run;
    ClientProcess p;
    p.argv = {cli_, "127.0.0.1", "-p", std::to_string(port), "--priority", priority(c), "--verify-hostname", "localhost",
              "--x509cafile", pki(c.client_trusts_server ? "ca.pem" : "other-ca.pem")};
    if (!c.client_verifies) p.argv.push_back("--insecure");
    if (c.client_cert) p.argv.insert(p.argv.end(), {"--x509certfile", pki("client-rsa.pem"), "--x509keyfile", pki("client-rsa-key.pem")});
    if (!c.psk_key.empty()) p.argv.insert(p.argv.end(), {"--pskusername", c.psk_identity, "--pskkey", c.psk_key});
    if (!c.srp_user.empty()) p.argv.insert(p.argv.end(), {"--srpusername", c.srp_user, "--srppasswd", c.srp_password});
    // With --resume, gnutls-cli makes the full handshake, disconnects, resumes, and only then reads
    // stdin: the first connection carries no data.
    size_t handshakes = c.resume ? 2 : 1;
    if (c.resume) p.argv.push_back("--resume");
    p.handshake_done = [handshakes](const std::string& o) { return count(o, "Handshake was completed") >= handshakes; };
    p.resumed = [](const std::string& o) -> std::optional<bool> {
      if (o.find("This is a resumed session") != std::string::npos) return true;
      if (o.find("was NOT resumed") != std::string::npos) return false;
      return std::nullopt;
    };
    PeerConnection last = run_client_process(p, probe_line(c, handshakes - 1, "gnutls"), run.log, run.error);
    if (c.resume) {
      PeerConnection first;
      first.handshake_ok = count(run.log, "Handshake was completed") >= 1;
      first.data_ok = first.handshake_ok;  // no data on it, see above
      first.resumed = false;
      run.connections.push_back(first);
    }
    run.connections.push_back(last);
    return run;
  }

 private:
  // srptool --create-conf CONF, then srptool --passwd PASSWD -u USER with the password on stdin.
  bool srp_files(const std::string& conf, const std::string& passwd, const Case& c) const {
    if (srptool_.empty()) return false;
    std::string why;
    auto make_conf = Child::spawn({srptool_, "--create-conf", conf}, why, true);
    if (!make_conf || make_conf->wait_exit(io_timeout) != 0) return false;
    auto add = Child::spawn({srptool_, "--passwd", passwd, "--passwd-conf", conf, "-u", c.server_srp_user()}, why, true);
    if (!add) return false;
    const std::string line = c.srp_password + "\n";
    add->write_stdin(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
    add->close_stdin();
    return add->wait_exit(io_timeout) == 0;
  }

  std::string srptool_;
  std::string serv_, cli_;
  std::unique_ptr<TempDir> files_;  // key files the servers read
};

}  // namespace

std::unique_ptr<Peer> make_gnutls_peer() { return std::make_unique<GnutlsPeer>(); }

}  // namespace essl::conformance
