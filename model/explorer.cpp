// State fuzzing against the reference: drives the real Engine, as client and as server, through every
// sequence of abstract messages up to a depth and compares each answer with model/reference_mealy.cpp.
//
//   essl_explorer [--depth N] [--verbose]      exit status 1 on any mismatch
//
// The explorer plays the peer with the codecs and crypto_glue: it builds each abstract message as a
// concrete record that is valid wherever the reference expects progress (the right randoms, an RSA
// premaster it knows, a CertificateVerify over the real transcript, a correct Finished, records protected
// under the negotiated keys once it has sent ChangeCipherSpec), and it reads the engine's records back
// (decrypting them after the engine's ChangeCipherSpec) to name what the engine sent. Both sides use
// deterministic RNGs, so a prefix replays exactly; each sequence is replayed from a fresh engine, and
// sequences whose prefix ended the connection are not extended (errors are sticky).
#include <chrono>
#include <optional>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "codecs/certificate.hpp"
#include "codecs/finished.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/key_exchange.hpp"
#include "codecs/next_protocol.hpp"
#include "codecs/record.hpp"
#include "crypto_glue/prf.hpp"
#include "model/reference_mealy.hpp"
#include "statemachine/connection.hpp"
#include "statemachine/engine.hpp"

namespace essl::model {
namespace {

using codec::Bytes;
using codec::ByteView;
using codec::ContentType;
using codec::HandshakeType;

constexpr uint16_t tls12 = 0x0303;
constexpr uint16_t suite_id = 0x009c;  // TLS_RSA_WITH_AES_128_GCM_SHA256: no ServerKeyExchange
constexpr uint16_t rsa_pkcs1_sha256 = 0x0401;

std::string data_path(const std::string& name) {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/data/" + name;
}

[[noreturn]] void die(const std::string& why) {
  std::cerr << "explorer: " << why << "\n";
  std::exit(2);
}

std::shared_ptr<const Config> config(Role role, const Scenario& sc, std::shared_ptr<SessionStore> cache) {
  Options o;
  o.versions = {Version::tlsv1_2};
  o.ciphers = std::vector<SuiteSpec>{find_suite(suite_id)->spec};
  o.reuse_sessions = cache != nullptr;
  if (role == Role::server) {
    o.certfile = data_path("server-rsa.pem");
    o.keyfile = data_path("server-rsa-key.pem");
    if (sc.cert_requested) {
      o.verify = Verify::verify_peer;
      o.cacertfile = data_path("ca.pem");
      o.fail_if_no_peer_cert = sc.fail_if_no_peer_cert;
    }
    if (sc.npn) o.next_protocols_advertised = std::vector<std::string>{"h2"};
  } else if (sc.client_cert) {
    o.certfile = data_path("client-rsa.pem");
    o.keyfile = data_path("client-rsa-key.pem");
  }
  auto c = Config::make(role, o, std::move(cache));
  if (!c) die("config: " + c.error().detail + " " + c.error().option);
  return c.value();
}

const Bytes session_id(32, 0x5e);
const Bytes resumed_master(48, 0x4d);

// The session the resuming scenarios start from, as the engine under test would have stored it.
struct StartSession {
  SessionKey key;
  SessionState state;
};
StartSession resumable_session(Role role, const Config& cfg) {
  SessionState s;
  s.id = session_id;
  s.version = Version::tlsv1_2;
  s.cipher_suite = suite_id;
  s.master_secret = resumed_master;
  s.verify_fingerprint = cfg.verify_fingerprint;
  // The keys of engines made with PeerId{"localhost", 443}: client {{Host, Port}, Id}, server {0, Id}.
  const PartialKey partial = role == Role::client ? PartialKey{"localhost", 443} : PartialKey{};
  return StartSession{SessionKey{partial, session_id}, std::move(s)};
}

// Private-key operations are deterministic here; each is done once.
std::map<Bytes, Bytes> rsa_decrypt_cache, sign_cache;

// The explorer's side of one connection.
class Peer {
 public:
  Peer(const Scenario& sc, const Config& own) : sc_(sc), own_(own), rng_(crypto::deterministic_rng(7)) {
    client_ = !sc.test_client;
    if (client_) {
      client_random_.fill(0xc1);
      auto certs = crypto::parse_certificates(read_file(data_path("server-rsa.pem")));
      if (!certs || certs.value().empty()) die("server certificate");
      server_cert_ = certs.value().front();
    } else {
      server_random_.fill(0x5a);
    }
    if (sc.resume) master_ = resumed_master;
  }

  // The record carrying abstract input `i`.
  Bytes make(In i) {
    switch (i) {
      case In::client_hello: {
        codec::ClientHello ch;
        ch.client_version = tls12;
        ch.random = client_random_;
        if (sc_.resume) ch.session_id = session_id;
        ch.cipher_suites = {suite_id};
        ch.compression_methods = {0};
        ch.extensions_present = true;
        Bytes sa, ri;
        codec::Writer wsa(sa), wri(ri);
        codec::encode_signature_algorithms(codec::SignatureAlgorithms{{rsa_pkcs1_sha256}}, wsa);
        codec::encode_renegotiation_info(codec::RenegotiationInfo{}, wri);
        ch.extensions = {{uint16_t(codec::ExtensionType::signature_algorithms), sa},
                         {uint16_t(codec::ExtensionType::renegotiation_info), ri}};
        if (sc_.npn) ch.extensions.push_back({uint16_t(codec::ExtensionType::next_protocol_negotiation), {}});
        return handshake(HandshakeType::client_hello, encoded(ch, codec::encode_client_hello));
      }
      case In::server_hello: {
        codec::ServerHello sh;
        sh.server_version = tls12;
        sh.random = server_random_;
        sh.session_id = session_id;
        sh.cipher_suite = suite_id;
        sh.compression_method = 0;
        sh.extensions_present = true;
        Bytes ri;
        codec::Writer wri(ri);
        codec::encode_renegotiation_info(codec::RenegotiationInfo{}, wri);
        sh.extensions = {{uint16_t(codec::ExtensionType::renegotiation_info), ri}};
        Bytes rec = handshake(HandshakeType::server_hello, encoded(sh, codec::encode_server_hello));
        if (sc_.resume) make_keys();
        return rec;
      }
      case In::certificate: {
        codec::Certificate c;
        if (!client_ || sc_.client_cert)
          for (const crypto::Certificate& x : own_.chain) c.certificate_list.push_back(x.der());
        return handshake(HandshakeType::certificate, encoded(c, codec::encode_certificate));
      }
      case In::server_key_exchange: return handshake(HandshakeType::server_key_exchange, Bytes{0, 1, 0});
      case In::certificate_request: {
        codec::CertificateRequest cr;
        cr.certificate_types = {uint8_t(codec::ClientCertificateType::rsa_sign)};
        cr.supported_signature_algorithms = {rsa_pkcs1_sha256};
        Bytes body;
        codec::Writer w(body);
        codec::encode_certificate_request(cr, true, w);
        return handshake(HandshakeType::certificate_request, body);
      }
      case In::server_hello_done: return handshake(HandshakeType::server_hello_done, {});
      case In::client_key_exchange: {
        codec::ClientKeyExchange cke;
        if (client_) {
          Bytes pre(48, 0x33);
          pre[0] = 3;
          pre[1] = 3;
          auto enc = crypto::rsa_encrypt_premaster(server_cert_, pre, *rng_);
          if (!enc) die("rsa encryption");
          cke.exchange_keys = enc.value();
          premaster_ = pre;
        } else {
          cke.exchange_keys = Bytes(16, 0x11);
        }
        Bytes body;
        codec::Writer w(body);
        codec::encode_client_key_exchange(cke, codec::KexFormat::rsa, false, w);
        Bytes rec = handshake(HandshakeType::client_key_exchange, body);
        if (client_ && have_server_random_) make_keys();
        return rec;
      }
      case In::certificate_verify: {
        codec::CertificateVerify cv;
        cv.signed_.algorithm = rsa_pkcs1_sha256;
        if (client_ && own_.key) {
          Bytes& sig = sign_cache[transcript_];
          if (sig.empty()) {
            auto s = own_.key->sign(rsa_pkcs1_sha256, transcript_, *rng_);
            if (!s) die("signing");
            sig = s.value();
          }
          cv.signed_.signature = sig;
        } else {
          cv.signed_.signature = Bytes(64, 0x22);
        }
        return handshake(HandshakeType::certificate_verify, encoded(cv, codec::encode_certificate_verify));
      }
      case In::next_protocol:
        return handshake(HandshakeType::next_protocol,
                         encoded(codec::make_next_protocol("h2"), codec::encode_next_protocol));
      case In::change_cipher_spec: {
        Bytes rec = record(ContentType::change_cipher_spec, Bytes{1});
        if (pending_write_) {
          write_ = std::move(pending_write_);
          write_seq_ = 0;
        }
        return rec;
      }
      case In::finished: {
        codec::Finished f;
        f.verify_data = master_.empty() ? Bytes(12, 0)
                                        : crypto::finished_verify_data(Version::tlsv1_2, prf(), master_, client_,
                                                                        transcript_);
        return handshake(HandshakeType::finished, encoded(f, codec::encode_finished));
      }
      case In::application_data: return record(ContentType::application_data, Bytes{'p', 'i', 'n', 'g'});
      case In::alert: return record(ContentType::alert, Bytes{2, uint8_t(AlertDescription::handshake_failure)});
      case In::hello_request: {
        Bytes msg;
        codec::Writer w(msg);
        codec::encode_handshake(HandshakeType::hello_request, {}, w);
        return record(ContentType::handshake, msg);  // RFC 5246 7.4.1.1: not in the transcript
      }
      case In::empty_record: return record(ContentType::handshake, {});
      case In::garbage: return Bytes{0x63, 0x03, 0x03, 0x00, 0x01, 0x00};
    }
    return {};
  }

  // Names what the engine wrote: handshake messages, CCS, alerts.
  std::string observe(ByteView out) {
    std::string r;
    auto add = [&](const std::string& s) { r += (r.empty() ? "" : ",") + s; };
    Bytes buf(out.begin(), out.end());
    size_t at = 0;
    while (buf.size() - at >= codec::record_header_size) {
      uint8_t type = buf[at];
      uint16_t version = uint16_t(buf[at + 1] << 8 | buf[at + 2]);
      size_t len = size_t(buf[at + 3]) << 8 | buf[at + 4];
      if (buf.size() - at - codec::record_header_size < len) die("partial record from the engine");
      std::span<uint8_t> frag(buf.data() + at + codec::record_header_size, len);
      at += codec::record_header_size + len;
      if (read_) {
        auto p = read_->unprotect(type, version, read_seq_++, frag);
        if (!p) {
          add("undecryptable");
          continue;
        }
        frag = p.value();
      }
      switch (ContentType(type)) {
        case ContentType::change_cipher_spec:
          add("CCS");
          if (pending_read_) {
            read_ = std::move(pending_read_);
            read_seq_ = 0;
          }
          break;
        case ContentType::alert:
          if (frag.size() == 2)
            add(std::string(frag[0] == 1 ? "warning:" : "alert:") +
                std::string(alert_atom(AlertDescription(frag[1]))));
          else
            add("bad_alert");
          break;
        case ContentType::application_data: add("appdata"); break;
        case ContentType::handshake: {
          size_t p = 0;
          while (frag.size() - p >= codec::handshake_header_size) {
            size_t n = size_t(frag[p + 1]) << 16 | size_t(frag[p + 2]) << 8 | frag[p + 3];
            ByteView raw = ByteView(frag).subspan(p, codec::handshake_header_size + n);
            on_engine_message(HandshakeType(frag[p]), raw, add);
            p += raw.size();
          }
          break;
        }
        default: add("unknown_record"); break;
      }
    }
    return r;
  }

 private:
  template <class M>
  static Bytes encoded(const M& m, void (*enc)(const M&, codec::Writer&)) {
    Bytes b;
    codec::Writer w(b);
    enc(m, w);
    return b;
  }

  static Bytes read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), {});
  }

  Hash prf() const { return crypto::prf_hash(Version::tlsv1_2, find_suite(suite_id)->spec); }

  Bytes handshake(HandshakeType t, ByteView body) {
    Bytes msg;
    codec::Writer w(msg);
    codec::encode_handshake(t, body, w);
    transcript_.insert(transcript_.end(), msg.begin(), msg.end());
    return record(ContentType::handshake, msg);
  }

  Bytes record(ContentType t, ByteView plain) {
    Bytes frag;
    if (write_)
      write_->protect(uint8_t(t), tls12, write_seq_++, plain, frag, *rng_);
    else
      frag.assign(plain.begin(), plain.end());
    Bytes rec{uint8_t(t), 3, 3, uint8_t(frag.size() >> 8), uint8_t(frag.size())};
    rec.insert(rec.end(), frag.begin(), frag.end());
    return rec;
  }

  template <class Add>
  void on_engine_message(HandshakeType t, ByteView raw, Add& add) {
    static const std::map<HandshakeType, const char*> names = {
        {HandshakeType::hello_request, "HR"},      {HandshakeType::client_hello, "CH"},
        {HandshakeType::server_hello, "SH"},       {HandshakeType::certificate, "Cert"},
        {HandshakeType::server_key_exchange, "SKE"}, {HandshakeType::certificate_request, "CR"},
        {HandshakeType::server_hello_done, "SHD"}, {HandshakeType::certificate_verify, "CV"},
        {HandshakeType::client_key_exchange, "CKE"}, {HandshakeType::finished, "Fin"}};
    auto n = names.find(t);
    add(n == names.end() ? "unknown_handshake" : n->second);
    ByteView body = raw.subspan(codec::handshake_header_size);
    if (t == HandshakeType::client_hello && body.size() >= 34) std::copy_n(body.begin() + 2, 32, client_random_.begin());
    if (t == HandshakeType::server_hello && body.size() >= 34) {
      std::copy_n(body.begin() + 2, 32, server_random_.begin());
      have_server_random_ = true;
    }
    if (t != HandshakeType::hello_request) transcript_.insert(transcript_.end(), raw.begin(), raw.end());
    if (t == HandshakeType::server_hello && sc_.resume) make_keys();
    if (t == HandshakeType::client_key_exchange && body.size() > 2) {
      Bytes enc(body.begin() + 2, body.end());
      Bytes& pre = rsa_decrypt_cache[enc];
      if (pre.empty()) pre = crypto::rsa_decrypt_premaster(*own_.key, enc, tls12, *rng_);
      premaster_ = pre;
      make_keys();
    }
  }

  // The pending states, from the premaster (full) or the resumed master secret.
  void make_keys() {
    const SuiteSpec& spec = find_suite(suite_id)->spec;
    if (master_.empty())
      master_ = crypto::master_secret(Version::tlsv1_2, prf(), premaster_, client_random_, server_random_);
    crypto::KeyLengths kl = crypto::key_lengths(Version::tlsv1_2, spec);
    Bytes kb = crypto::key_block(Version::tlsv1_2, prf(), master_, client_random_, server_random_,
                                 2 * (kl.mac_key + kl.enc_key + kl.iv));
    ByteView k(kb);
    auto take = [&](size_t n) {
      ByteView r = k.first(n);
      k = k.subspan(n);
      return r;
    };
    ByteView cm = take(kl.mac_key), sm = take(kl.mac_key), ck = take(kl.enc_key), sk = take(kl.enc_key),
             ci = take(kl.iv), si = take(kl.iv);
    auto c = crypto::make_record_protection(Version::tlsv1_2, spec, cm, ck, ci, true);
    auto s = crypto::make_record_protection(Version::tlsv1_2, spec, sm, sk, si, true);
    pending_write_ = client_ ? std::move(c) : std::move(s);
    pending_read_ = client_ ? std::move(s) : std::move(c);
  }

  const Scenario& sc_;
  const Config& own_;
  std::unique_ptr<crypto::Rng> rng_;
  bool client_;
  crypto::Certificate server_cert_;
  codec::Random client_random_{}, server_random_{};
  bool have_server_random_ = false;
  Bytes transcript_, premaster_, master_;
  std::unique_ptr<crypto::RecordProtection> pending_write_, pending_read_, write_, read_;
  uint64_t write_seq_ = 0, read_seq_ = 0;
};

// What the engine answered, in the reference's terms.
std::string answer(Peer& peer, Engine& e, bool was_dead) {
  std::string r = peer.observe(e.pending_output());
  e.consume_output(e.pending_output().size());
  auto add = [&](const std::string& s) { r += (r.empty() ? "" : ",") + s; };
  if (!e.app_data().empty()) {
    add("data");
    e.consume_app_data(e.app_data().size());
  }
  if (!was_dead && e.error() && !e.error()->alert_sent) add("closed");
  return r.empty() ? "-" : r;
}

struct Run {
  std::vector<std::string> outs;
  std::string engine_state;
  bool over = false;
};

struct Explorer {
  const Scenario& sc;
  std::shared_ptr<const Config> engine_cfg, peer_cfg;
  int depth;
  bool verbose;
  size_t sequences = 0, mismatches = 0;
  std::set<std::string> ref_states, engine_states;
  std::set<std::string> ref_transitions, engine_transitions;
  std::optional<StartSession> start_session;  // resuming scenarios

  Run run(const std::vector<In>& seq) {
    ++sequences;
    auto rng = crypto::deterministic_rng(sc.test_client ? 1 : 2);
    auto cfg = std::make_shared<Config>(*engine_cfg);
    cfg->rng = rng.get();
    if (start_session) {
      // Every sequence starts from the same cache: one that ends in a fatal alert deletes the session.
      cfg->session_cache = SessionStore::memory(cfg->role);
      cfg->session_cache->update(start_session->key, start_session->state);
    }
    Engine e(cfg, PeerId{"localhost", 443});
    Peer peer(sc, *peer_cfg);
    e.start();
    std::string first = peer.observe(e.pending_output());  // the client's ClientHello
    e.consume_output(e.pending_output().size());
    Run r;
    for (In i : seq) {
      std::string before = std::string(e.state_id());
      bool dead = e.error().has_value();
      Bytes rec = peer.make(i);
      e.feed(rec);
      r.outs.push_back(answer(peer, e, dead));
      engine_transitions.insert(before + " --" + std::string(in_name(i)) + "/" + r.outs.back() + "--> " +
                                (e.error() ? "over" : std::string(e.state_id())));
    }
    r.engine_state = e.error() ? "over" : std::string(e.state_id());
    engine_states.insert(r.engine_state);
    r.over = e.error().has_value();
    (void)first;
    return r;
  }

  void explore(std::vector<In>& seq, Reference ref) {
    if (int(seq.size()) == depth) return;
    for (In i : all_inputs) {
      Reference next = ref;
      std::string from(next.state());
      std::string want = next.step(i);
      ref_transitions.insert(from + " " + std::string(in_name(i)));
      ref_states.insert(std::string(next.state()));
      seq.push_back(i);
      Run got = run(seq);
      if (got.outs.back() != want || got.over != next.over()) {
        ++mismatches;
        std::cout << "MISMATCH " << sc.name << ":";
        for (In x : seq) std::cout << " " << in_name(x);
        std::cout << "\n  reference: " << want << (next.over() ? " (over)" : "") << "\n  engine:    " << got.outs.back()
                  << (got.over ? " (over)" : "") << " in " << got.engine_state << "\n";
      } else if (verbose) {
        for (In x : seq) std::cout << in_name(x) << " ";
        std::cout << "-> " << want << "\n";
      }
      if (!next.over()) explore(seq, next);
      seq.pop_back();
    }
  }
};

}  // namespace
}  // namespace essl::model

int main(int argc, char** argv) {
  using namespace essl;
  using namespace essl::model;
  int depth = 7;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--depth") == 0 && i + 1 < argc) depth = std::atoi(argv[++i]);
    else if (std::strcmp(argv[i], "--verbose") == 0) verbose = true;
    else {
      std::cerr << "usage: essl_explorer [--depth N] [--verbose]\n";
      return 2;
    }
  }
  const Scenario scenarios[] = {
      // name, test_client, cert_requested, client_cert, fail_if_no_peer_cert, resume[, npn]
      {"client", true, false, false, false, false},
      {"client_with_cert", true, false, true, false, false},
      {"client_resume", true, false, false, false, true},
      {"server_client_auth", false, true, true, true, false},
      {"server_no_client_cert_fail", false, true, false, true, false},
      {"server_no_client_cert_optional", false, true, false, false, false},
      {"server_no_auth", false, false, false, false, false},
      {"server_resume", false, false, false, false, true},
      {"server_npn", false, false, false, false, false, true},
      {"server_resume_npn", false, false, false, false, true, true},
  };
  auto t0 = std::chrono::steady_clock::now();
  size_t total_seq = 0, total_mismatch = 0, ref_states = 0, ref_trans = 0, eng_states = 0, eng_trans = 0;
  for (const Scenario& sc : scenarios) {
    Role role = sc.test_client ? Role::client : Role::server;
    Role peer_role = sc.test_client ? Role::server : Role::client;
    auto engine_cfg = config(role, sc, sc.resume ? SessionStore::memory(role) : nullptr);
    Explorer ex{sc, engine_cfg, config(peer_role, sc, nullptr), depth, verbose, 0, 0, {}, {}, {}, {}, std::nullopt};
    if (sc.resume) ex.start_session = resumable_session(role, *engine_cfg);
    std::vector<model::In> seq;
    ex.explore(seq, Reference(sc));
    std::cout << sc.name << ": " << ex.sequences << " sequences to depth " << depth << "; reference "
              << ex.ref_states.size() << " states, " << ex.ref_transitions.size() << " transitions; engine "
              << ex.engine_states.size() << " states, " << ex.engine_transitions.size()
              << " distinct transitions; " << ex.mismatches << " mismatches\n";
    total_seq += ex.sequences;
    total_mismatch += ex.mismatches;
    ref_states += ex.ref_states.size();
    ref_trans += ex.ref_transitions.size();
    eng_states += ex.engine_states.size();
    eng_trans += ex.engine_transitions.size();
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "total: " << total_seq << " sequences, reference " << ref_states << " states / " << ref_trans
            << " transitions, engine " << eng_states << " states / " << eng_trans << " transitions, "
            << total_mismatch << " mismatches, " << secs << " s\n";
  return total_mismatch == 0 ? 0 : 1;
}
