// Botan 2.19's command-line `botan tls_server` (echoes) and `botan tls_client`, restricted by a text
// policy written for each case.
#include <algorithm>
#include <fstream>
#include <set>

#include "conformance/process_peer.hpp"

namespace essl::conformance {
namespace {

// Botan's names for the suite parts ("AES-128/GCM", "SHA-1", "ECDH" ...).
std::string policy_text(const Case& c) {
  std::set<std::string> ciphers, macs, kex, sigs;
  for (const SuiteInfo* s : c.peer_suites) {
    switch (s->spec.cipher) {
      case Cipher::aes_128_cbc: ciphers.insert("AES-128"); break;
      case Cipher::aes_256_cbc: ciphers.insert("AES-256"); break;
      case Cipher::aes_128_gcm: ciphers.insert("AES-128/GCM"); break;
      case Cipher::aes_256_gcm: ciphers.insert("AES-256/GCM"); break;
      case Cipher::des3_ede_cbc: ciphers.insert("3DES"); break;
      default: break;
    }
    macs.insert(s->spec.mac == Hash::null ? "AEAD" : s->spec.mac == Hash::sha ? "SHA-1"
                : s->spec.mac == Hash::sha256 ? "SHA-256" : "SHA-384");
    switch (s->spec.key_exchange) {
      case KeyExchange::rsa: kex.insert("RSA"); break;
      case KeyExchange::dhe_rsa: kex.insert("DH"); break;
      default: kex.insert("ECDH"); break;
    }
    // Static RSA suites authenticate implicitly, by decrypting the premaster secret.
    sigs.insert(s->spec.key_exchange == KeyExchange::ecdhe_ecdsa ? "ECDSA"
                : s->spec.key_exchange == KeyExchange::rsa       ? "IMPLICIT"
                                                                 : "RSA");
  }
  auto join = [](const std::set<std::string>& s) {
    std::string out;
    for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
    return out;
  };
  auto flag = [&](Version v) { return has_version(c.peer_versions, v) ? "true" : "false"; };
  return std::string("allow_tls10 = ") + flag(Version::tlsv1) + "\nallow_tls11 = " + flag(Version::tlsv1_1) +
         "\nallow_tls12 = " + flag(Version::tlsv1_2) + "\nallow_dtls10 = false\nallow_dtls12 = false\nciphers = " +
         join(ciphers) + "\nmacs = " + join(macs) + "\nkey_exchange_methods = " + join(kex) +
         "\nsignature_methods = " + join(sigs) + "\n";
}

// A server that keeps its policy file alive as long as it runs.
class BotanServer : public PeerServer {
 public:
  BotanServer(std::unique_ptr<TempDir> dir, std::unique_ptr<ProcessServer> s) : dir_(std::move(dir)), s_(std::move(s)) {}
  uint16_t port() const override { return s_->port(); }
  std::string log() const override { return s_->log(); }

 private:
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ProcessServer> s_;
};

class BotanPeer : public Peer {
 public:
  PeerId id() const override { return PeerId::botan; }

  std::string availability() override {
    exe_ = find_program("botan");
    stdbuf_ = find_program("stdbuf");
    if (exe_.empty()) return "botan is not installed (Debian package botan)";
    return stdbuf_.empty() ? "stdbuf (coreutils) is not installed" : "";
  }

  std::string cannot(const Case& c) const override {
    if (c.peer_no_etm || c.peer_no_ems)
      return "the botan command's policies always use encrypt-then-MAC and the extended master secret";
    for (const SuiteInfo* s : c.peer_suites)
      if (s->spec.cipher == Cipher::rc4_128 || s->spec.cipher == Cipher::des_cbc || s->spec.mac == Hash::md5)
        return "Botan 2's TLS has no RC4, DES or MD5 suites";
    for (const SuiteInfo* s : c.peer_suites)
      switch (s->spec.key_exchange) {
        case KeyExchange::rsa:
        case KeyExchange::dhe_rsa:
        case KeyExchange::ecdhe_rsa:
        case KeyExchange::ecdhe_ecdsa: break;
        default: return "Botan 2's TLS has no " + std::string(atom(s->spec.key_exchange)) + " suites";
      }
    if (c.role == Role::server && c.client_cert) return "botan tls_client has no option for a client certificate";
    if (c.role == Role::client && c.server_requires_cert) return "botan tls_server cannot request a client certificate";
    if (c.role == Role::server && c.resume) return "botan tls_client makes one connection per run and does not resume across runs";
    if (c.role == Role::server && c.client_verifies && !c.client_trusts_server)
      return "botan tls_client reports an untrusted certificate but continues the handshake";
    return {};
  }

  std::unique_ptr<PeerServer> serve(const Case& c, std::string& why) override {
    auto dir = std::make_unique<TempDir>();
    std::string policy = dir->path("policy.txt");
    std::ofstream(policy) << policy_text(c);
    const ServerCredential cred = server_credential(c);
    // The certificate file holds the chain to send (tls_server sends every certificate in it).
    const std::string certfile = cred.certfile();
    // botan tls_server has no option for the listening address: it listens on every address.
    auto s = ProcessServer::start([&](uint16_t port) {
      return std::vector<std::string>{exe_, "tls_server", certfile, cred.keyfile(),
                                      "--port=" + std::to_string(port), "--policy=" + policy};
    }, why);
    if (!s) return nullptr;
    return std::make_unique<BotanServer>(std::move(dir), std::move(s));
  }

  PeerClientRun connect(const Case& c, uint16_t port) override {
    PeerClientRun run;
    TempDir dir;
    std::string policy = dir.path("policy.txt");
    std::ofstream(policy) << policy_text(c);
    ClientProcess p;
    // Botan writes through a buffered std::cout: stdbuf makes it line-buffered, so that the handshake
    // report shows up while the connection is open. --tls1.x names the highest version to offer.
    Version top = *std::max_element(c.peer_versions.begin(), c.peer_versions.end());
    p.argv = {stdbuf_, "-oL", exe_, "tls_client", "127.0.0.1", "--port=" + std::to_string(port), "--policy=" + policy,
              "--skip-system-cert-store", "--trusted-cas=" + pki(c.client_trusts_server ? "ca.pem" : "other-ca.pem"),
              top == Version::tlsv1 ? "--tls1.0" : top == Version::tlsv1_1 ? "--tls1.1" : "--tls1.2"};
    p.handshake_done = [](const std::string& o) { return o.find("Handshake complete") != std::string::npos; };
    run.connections.push_back(run_client_process(p, probe_line(c, 0, "botan"), run.log, run.error));
    return run;
  }

 private:
  std::string exe_, stdbuf_;
};

}  // namespace

std::unique_ptr<Peer> make_botan_peer() { return std::make_unique<BotanPeer>(); }

}  // namespace essl::conformance
