// Erlang/OTP's ssl (Debian's erlang-ssl, OTP 25) through conformance/erlang/essl_peer.escript: one VM for
// the whole run (starting one per case would cost about a second each), driven by tagged commands.
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "conformance/child.hpp"
#include "conformance/peer.hpp"

namespace essl::conformance {
namespace {

using namespace std::chrono_literals;

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out + "\"";
}

// [<<"h2">>,<<"http/1.1">>]
std::string binaries(const std::vector<std::string>& names) {
  std::string o = "[";
  for (size_t i = 0; i < names.size(); ++i) o += (i ? ",<<" : "<<") + quoted(names[i]) + ">>";
  return o + "]";
}

std::string version_term(Version v) {
  return v == Version::tlsv1 ? "tlsv1" : "'" + std::string(version_atom(v)) + "'";
}

// The case's options as an Erlang list (ciphers by IANA value; the escript converts them).
std::string options(const Case& c, bool server) {
  std::string o = "[{versions,[";
  for (size_t i = 0; i < c.peer_versions.size(); ++i) o += (i ? "," : "") + version_term(c.peer_versions[i]);
  o += "]},{ciphers,[";
  for (size_t i = 0; i < c.peer_suites.size(); ++i) o += (i ? "," : "") + std::to_string(c.peer_suites[i]->id);
  o += "]}";
  if (c.peer_renegotiates) o += ",{peer_renegotiates,true}";
  // {psk_key, Hex} becomes a user_lookup_fun in the escript; the server knows the case's identity only.
  if (!c.psk_key.empty()) {
    o += ",{psk_key," + quoted(c.psk_key) + "," + quoted(server ? c.server_psk_identity() : "") + "}";
    if (server && !c.psk_hint.empty()) o += ",{psk_identity," + quoted(c.psk_hint) + "}";
    if (!server) o += ",{psk_identity," + quoted(c.psk_identity) + "}";
  }
  // {srp_user, User, Password} becomes the server's user_lookup_fun in the escript.
  if (!c.srp_user.empty())
    o += server ? ",{srp_user," + quoted(c.server_srp_user()) + "," + quoted(c.srp_password) + "}"
                : ",{srp_identity,{" + quoted(c.srp_user) + "," + quoted(c.srp_password) + "}}";
  if (server) {
    const ServerCredential cred = server_credential(c);
    // The certificate file holds the chain to send after the leaf (OTP sends it; with client
    // authentication the cacertfile holds the CA that verifies clients, so the chain cannot come from
    // there).
    o += ",{certfile," + quoted(cred.certfile()) + "},{keyfile," + quoted(cred.keyfile()) + "},{dhfile," +
         quoted(pki("dh2048.pem")) + "}";
    if (c.server_requires_cert)
      o += ",{verify,verify_peer},{fail_if_no_peer_cert,true},{cacertfile," +
           quoted(pki(c.server_trusts_client ? "ca.pem" : "other-ca.pem")) + "}";
    else
      o += ",{verify,verify_none}";
    if (!c.server_alpn.empty()) o += ",{alpn_preferred_protocols," + binaries(c.server_alpn) + "}";
    if (c.peer_refuses_renegotiation) o += ",{client_renegotiation,false}";
    if (c.sni_host_ecdsa)
      o += ",{sni_hosts,[{" + quoted(std::string(Case::sni_host_name)) + ",[{certfile," + quoted(pki("server-ecdsa.pem")) +
           "},{keyfile," + quoted(pki("server-ecdsa-key.pem")) + "}]}]}";
  } else {
    o += std::string(",{verify,") + (c.client_verifies ? "verify_peer" : "verify_none") + "},{cacertfile," +
         quoted(pki(c.client_trusts_server ? "ca.pem" : "other-ca.pem")) + "},{server_name_indication," +
         quoted(c.sni.empty() ? "localhost" : c.sni) + "}";
    if (!c.client_alpn.empty()) o += ",{alpn_advertised_protocols," + binaries(c.client_alpn) + "}";
    if (c.client_fallback) o += ",{fallback,true}";
    if (c.client_cert) o += ",{certfile," + quoted(pki("client-rsa.pem")) + "},{keyfile," + quoted(pki("client-rsa-key.pem")) + "}";
  }
  return o + "]";
}

// The running VM; commands from several threads are told apart by their tags.
class Vm {
 public:
  std::string start(const std::string& escript) {
    std::lock_guard lock(mu_);
    if (child_ && child_->running()) return {};
    std::string why;
    child_ = Child::spawn({escript}, why);
    if (!child_) return "cannot start " + escript + ": " + why;
    if (!child_->wait_stdout([](const std::string& o) { return o.find("ready\n") != std::string::npos; }, 30s))
      return "the Erlang peer did not start: " + child_->err();
    return {};
  }
  // Sends a command built for a fresh tag; returns the tag.
  int send(const std::function<std::string(int)>& command) {
    std::lock_guard lock(mu_);
    int tag = ++tag_;
    std::string line = command(tag) + "\n";
    child_->write_stdin(std::span(reinterpret_cast<const uint8_t*>(line.data()), line.size()));
    return tag;
  }
  // This tag's lines (without the tag).
  std::vector<std::string> lines(int tag) const {
    std::vector<std::string> out;
    std::istringstream all(child_->out());
    std::string line, prefix = std::to_string(tag) + " ";
    while (std::getline(all, line))
      if (line.rfind(prefix, 0) == 0) out.push_back(line.substr(prefix.size()));
    return out;
  }
  bool wait(int tag, std::string_view what, std::chrono::milliseconds timeout) {
    std::string a = std::to_string(tag) + " " + std::string(what), b = "\n" + a;
    return child_->wait_stdout([&](const std::string& o) { return o.rfind(a, 0) == 0 || o.find(b) != std::string::npos; },
                               timeout);
  }
  std::string log(int tag) const {
    std::string out;
    for (const auto& l : lines(tag)) out += l + "\n";
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::unique_ptr<Child> child_;
  int tag_ = 0;
};

class ErlangServer : public PeerServer {
 public:
  ErlangServer(Vm& vm, int tag, uint16_t port) : vm_(vm), tag_(tag), port_(port) {}
  uint16_t port() const override { return port_; }
  std::string log() const override { return vm_.log(tag_); }

 private:
  Vm& vm_;
  int tag_;
  uint16_t port_;
};

class ErlangPeer : public Peer {
 public:
  PeerId id() const override { return PeerId::erlang; }

  std::string availability() override {
    std::string erl = find_program("escript");
    if (erl.empty()) return "Erlang/OTP is not installed (packages erlang-base erlang-ssl erlang-public-key erlang-crypto)";
    if (std::string why = vm_.start(source_root() + "/conformance/erlang/essl_peer.escript"); !why.empty()) return why;
    // The suites OTP has, per version, as its ssl application lists them.
    int tag = vm_.send([](int t) { return "{suites," + std::to_string(t) + "}."; });
    if (!vm_.wait(tag, "done", 30s)) return "the Erlang peer did not list its suites: " + vm_.log(tag);
    for (const auto& l : vm_.lines(tag)) {
      std::istringstream in(l);
      std::string word, version, ids;
      in >> word >> version >> ids;
      auto v = version_from_atom(version);
      if (word != "suites" || !v) continue;
      std::istringstream list(ids);
      for (std::string id; std::getline(list, id, ',');) suites_[*v].insert(static_cast<uint16_t>(std::stoul(id, nullptr, 16)));
    }
    if (suites_.empty()) return "the Erlang peer listed no suites: " + vm_.log(tag);
    return {};
  }

  // OTP's ssl has a suite at a version when ssl:cipher_suites(all | anonymous, Version) lists it.
  std::string cannot(const Case& c) const override {
    for (const SuiteInfo* s : c.peer_suites) {
      bool listed = false;
      for (Version v : c.peer_versions)
        if (auto at = suites_.find(v); at != suites_.end() && at->second.count(s->id)) listed = true;
      if (!listed)
        return "OTP's ssl lists no " + std::string(s->erlang) + " at " + version_list(c.peer_versions) +
               " (ssl:cipher_suites(all | anonymous, Version))";
    }
    return {};
  }

  std::unique_ptr<PeerServer> serve(const Case& c, std::string& why) override {
    int tag = vm_.send([&](int t) {
      return "{server," + std::to_string(t) + "," + std::to_string(c.resume ? 2 : 1) + "," + options(c, true) + "}.";
    });
    if (!vm_.wait(tag, "port ", 10s)) {
      why = "the Erlang server did not listen: " + vm_.log(tag);
      return nullptr;
    }
    for (const auto& l : vm_.lines(tag))
      if (l.rfind("port ", 0) == 0) return std::make_unique<ErlangServer>(vm_, tag, static_cast<uint16_t>(std::stoi(l.substr(5))));
    why = "no port in the Erlang server's answer";
    return nullptr;
  }

  PeerClientRun connect(const Case& c, uint16_t port) override {
    PeerClientRun run;
    size_t conns = c.resume ? 2 : 1;
    int tag = vm_.send([&](int t) {
      std::string lines;
      for (size_t n = 0; n < conns; ++n) lines += (n ? "," : "") + quoted(probe_line(c, n, "erlang"));
      return "{client," + std::to_string(t) + "," + std::to_string(port) + "," + options(c, false) + ",[" + lines + "]}.";
    });
    if (!vm_.wait(tag, "done", std::chrono::milliseconds(io_timeout * (conns + 1)))) run.error = "the Erlang client did not finish";
    run.log = vm_.log(tag);
    for (const auto& l : vm_.lines(tag)) {
      if (l.rfind("conn ", 0) != 0) continue;
      PeerConnection pc;
      pc.handshake_ok = l.find(" ok ") != std::string::npos;
      pc.data_ok = l.find("data=ok") != std::string::npos;
      if (l.find("resumed=true") != std::string::npos) pc.resumed = true;
      else if (l.find("resumed=false") != std::string::npos) pc.resumed = false;
      run.connections.push_back(pc);
    }
    return run;
  }

 private:
  Vm vm_;
  std::map<Version, std::set<uint16_t>> suites_;
};

}  // namespace

std::unique_ptr<Peer> make_erlang_peer() { return std::make_unique<ErlangPeer>(); }

}  // namespace essl::conformance
