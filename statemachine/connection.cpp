#include "statemachine/connection.hpp"


#include "codecs/extensions.hpp"
#include "codecs/finished.hpp"
#include "crypto_glue/prf.hpp"
#include "pkix/validate.hpp"

namespace essl {

using codec::ContentType;
using codec::HandshakeType;

void Conn::queue_handshake(HandshakeType t, codec::ByteView body) {
  size_t at = hs->hs_out.size();
  codec::Writer w(hs->hs_out);
  codec::encode_handshake(t, body, w);
  hs->transcript.insert(hs->transcript.end(), hs->hs_out.begin() + ptrdiff_t(at), hs->hs_out.end());
}

void Conn::flush_handshake() {
  if (!hs || hs->hs_out.empty()) return;
  rl.write(ContentType::handshake, hs->hs_out, rng());
  hs->hs_out.clear();
}

void Conn::send_change_cipher_spec() {
  flush_handshake();
  static constexpr uint8_t ccs[] = {1};
  rl.write(ContentType::change_cipher_spec, ccs, rng());
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.1
  //# Immediately after sending this message, the sender MUST instruct the
  //# record layer to make the write pending state the write active state.
  rl.activate_write(std::move(hs->pending_write));
  // The 1/n-1 split only matters where the IV is the previous record's last block.
  rl.set_split_app_data(*version == Version::tlsv1 && suite->spec.cipher != Cipher::aes_128_gcm &&
                        suite->spec.cipher != Cipher::aes_256_gcm && suite->spec.cipher != Cipher::rc4_128);
}

codec::Bytes Conn::expected_finished(size_t len) const {
  // The peer's Finished: the label is the peer's.
  bool from_client = role == Role::server;
  return crypto::finished_verify_data(*version, crypto::prf_hash(*version, suite->spec), master, from_client,
                                      codec::ByteView(hs->transcript).first(len));
}

void Conn::send_finished() {
  queue_next_protocol(*this);
  codec::Finished f{crypto::finished_verify_data(*version, crypto::prf_hash(*version, suite->spec), master,
                                                 role == Role::client, hs->transcript)};
  hs->own_verify_data = f.verify_data;
  codec::Bytes body;
  codec::Writer w(body);
  codec::encode_finished(f, w);
  queue_handshake(HandshakeType::finished, body);
  flush_handshake();
}

Step Conn::derive_from_premaster(codec::ByteView premaster) {
  //= https://www.rfc-editor.org/rfc/rfc5246#section-8.1
  //# master_secret = PRF(pre_master_secret, "master secret",
  //#                     ClientHello.random + ServerHello.random)
  //#                     [0..47];
  //= https://www.rfc-editor.org/rfc/rfc7627#section-4
  //# When the extended master secret extension is negotiated in a full
  //# handshake, the "master_secret" is computed as
  //#
  //# master_secret = PRF(pre_master_secret, "extended master secret",
  //#                     session_hash)
  //#                     [0..47];
  // The transcript now ends with the ClientKeyExchange (sent or received).
  const Hash h = crypto::prf_hash(*version, suite->spec);
  master = hs->ems ? crypto::extended_master_secret(h, premaster, hs->transcript)
                   : crypto::master_secret(*version, h, premaster, hs->client_random, hs->server_random);
  if (master.size() != 48) return refuse(AlertDescription::internal_error, "master secret");
  return make_pending_states();
}

Step Conn::make_pending_states() {
  crypto::KeyLengths kl = crypto::key_lengths(*version, suite->spec);
  size_t total = 2 * (kl.mac_key + kl.enc_key + kl.iv);
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6.3
  //# key_block = PRF(SecurityParameters.master_secret,
  //#                 "key expansion",
  //#                 SecurityParameters.server_random +
  //#                 SecurityParameters.client_random);
  codec::Bytes kb = crypto::key_block(*version, crypto::prf_hash(*version, suite->spec), master,
                                      hs->client_random, hs->server_random, total);
  if (kb.size() != total) return refuse(AlertDescription::internal_error, "key block");
  codec::ByteView k(kb);
  auto take = [&](size_t n) {
    codec::ByteView r = k.first(n);
    k = k.subspan(n);
    return r;
  };
  codec::ByteView c_mac = take(kl.mac_key), s_mac = take(kl.mac_key);
  codec::ByteView c_key = take(kl.enc_key), s_key = take(kl.enc_key);
  codec::ByteView c_iv = take(kl.iv), s_iv = take(kl.iv);
  bool pc = cfg->options.padding_check;
  auto client_state = crypto::make_record_protection(*version, suite->spec, c_mac, c_key, c_iv, pc, hs->etm);
  auto server_state = crypto::make_record_protection(*version, suite->spec, s_mac, s_key, s_iv, pc, hs->etm);
  if (!client_state || !server_state) return refuse(AlertDescription::internal_error, "record protection");
  if (role == Role::client) {
    hs->pending_write = std::move(client_state);
    hs->pending_read = std::move(server_state);
  } else {
    hs->pending_write = std::move(server_state);
    hs->pending_read = std::move(client_state);
  }
  return {};
}

PartialKey Conn::partial_key() const {
  if (role == Role::client) return PartialKey{peer.host, peer.port};
  return PartialKey{{}, peer.local_port};
}

void Conn::forget_session() {
  if (!session_cached || !cfg->session_cache || session_id.empty()) return;
  cfg->session_cache->erase(session_key());
  session_cached = false;
}

codec::Bytes Conn::renegotiation_info(bool server_hello) const {
  if (!established) return {};
  codec::Bytes v = client_verify_data;
  if (server_hello) v.insert(v.end(), server_verify_data.begin(), server_verify_data.end());
  return v;
}

void Conn::complete_handshake(FinishedVerified) {
  client_random = hs->client_random;
  server_random = hs->server_random;
  established = true;
  ++handshakes;
  secure_renegotiation = hs->peer_secure_reneg;
  extended_master_secret = hs->ems;
  encrypt_then_mac = hs->etm;
  client_verify_data = role == Role::client ? hs->own_verify_data : hs->peer_verify_data;
  server_verify_data = role == Role::client ? hs->peer_verify_data : hs->own_verify_data;
  if (cfg->session_cache && cfg->options.reuse_sessions && !session_id.empty() && !resumed) {
    SessionState s;
    s.id = session_id;
    s.version = *version;
    s.cipher_suite = suite->id;
    s.master_secret = master;
    s.extended_master_secret = hs->ems;
    s.peer_certificates = peer_certs_der;
    s.sni = sni.value_or("");
    s.verify_fingerprint = cfg->verify_fingerprint;
    cfg->session_cache->update(session_key(), std::move(s));
    session_cached = true;
  }
  // Only the negotiated parameters stay; transcript, key exchange and parsed chain go.
  hs.reset();
}

// ---- shared helpers

bool suite_is_cbc(const SuiteSpec& s) {
  switch (s.cipher) {
    case Cipher::des_cbc:
    case Cipher::des3_ede_cbc:
    case Cipher::aes_128_cbc:
    case Cipher::aes_256_cbc: return true;
    default: return false;
  }
}

codec::KexFormat kex_format(KeyExchange k) {
  switch (k) {
    case KeyExchange::dhe_rsa:
    case KeyExchange::dhe_dss:
    case KeyExchange::dh_anon:
    case KeyExchange::dhe_psk: return codec::KexFormat::dhe;
    case KeyExchange::psk: return codec::KexFormat::none;
    case KeyExchange::srp_anon:
    case KeyExchange::srp_rsa:
    case KeyExchange::srp_dss: return codec::KexFormat::srp;
    case KeyExchange::ecdhe_rsa:
    case KeyExchange::ecdhe_ecdsa:
    case KeyExchange::ecdh_anon:
    case KeyExchange::ecdh_ecdsa:  // ClientECDiffieHellmanPublic, explicit (RFC 4492 5.7)
    case KeyExchange::ecdh_rsa: return codec::KexFormat::ecdhe;
    default: return codec::KexFormat::rsa;
  }
}

//= https://www.rfc-editor.org/rfc/rfc4492#section-5.4
//# This message is sent when using the ECDHE_ECDSA, ECDHE_RSA, and
//# ECDH_anon key exchange algorithms.
bool kex_sends_ske(KeyExchange k) {
  const codec::KexFormat f = kex_format(k);
  return (f == codec::KexFormat::dhe || f == codec::KexFormat::ecdhe || f == codec::KexFormat::srp) &&
         !kex_static_ecdh(k);
}

//= https://www.rfc-editor.org/rfc/rfc4279#section-2
//# If no hint is provided, the ServerKeyExchange message is omitted.
bool kex_ske_optional(KeyExchange k) { return k == KeyExchange::psk || k == KeyExchange::rsa_psk; }

bool kex_static_ecdh(KeyExchange k) { return k == KeyExchange::ecdh_ecdsa || k == KeyExchange::ecdh_rsa; }

bool kex_no_server_cert(KeyExchange k) {
  switch (k) {
    case KeyExchange::dh_anon:
    case KeyExchange::ecdh_anon:
    case KeyExchange::psk:
    case KeyExchange::dhe_psk:
    case KeyExchange::srp_anon: return true;
    default: return false;
  }
}

bool kex_unsigned_ske(KeyExchange k) { return kex_no_server_cert(k) || k == KeyExchange::rsa_psk; }

bool kex_no_client_auth(KeyExchange k) { return kex_no_server_cert(k) || kex_psk(k) || kex_srp(k); }

bool kex_psk(KeyExchange k) {
  return k == KeyExchange::psk || k == KeyExchange::dhe_psk || k == KeyExchange::rsa_psk;
}

bool kex_srp(KeyExchange k) {
  return k == KeyExchange::srp_anon || k == KeyExchange::srp_rsa || k == KeyExchange::srp_dss;
}

bool suite_is_ecc(const SuiteSpec& s) {
  switch (s.key_exchange) {
    case KeyExchange::ecdh_anon:
    case KeyExchange::ecdh_ecdsa:
    case KeyExchange::ecdhe_ecdsa:
    case KeyExchange::ecdh_rsa:
    case KeyExchange::ecdhe_rsa: return true;
    default: return false;
  }
}

crypto::KeyAlgo suite_cert_algo(KeyExchange k) {
  switch (k) {
    case KeyExchange::rsa:
    case KeyExchange::dhe_rsa:
    case KeyExchange::ecdhe_rsa:
    case KeyExchange::rsa_psk:
    case KeyExchange::srp_rsa: return crypto::KeyAlgo::rsa;
    case KeyExchange::ecdhe_ecdsa:
    case KeyExchange::ecdh_ecdsa:  // the certificate holds the server's ECDH key (RFC 4492 2.1, 2.3)
    case KeyExchange::ecdh_rsa: return crypto::KeyAlgo::ecdsa;
    case KeyExchange::dhe_dss:
    case KeyExchange::srp_dss: return crypto::KeyAlgo::dsa;
    default: return crypto::KeyAlgo::other;
  }
}

std::optional<codec::Bytes> lookup_psk(const Config& cfg, const std::optional<std::string>& identity) {
  const auto& f = cfg.options.user_lookup_fun;
  if (!f || !f->fun) return std::nullopt;
  LookupResult r = f->fun(LookupKind::psk, identity, f->user_state);
  // RFC 4279 2: opaque psk<0..2^16-1>.
  if (auto* secret = std::get_if<std::vector<uint8_t>>(&r); secret && secret->size() <= 0xffff)
    return codec::Bytes(secret->begin(), secret->end());
  return std::nullopt;
}

//= https://www.rfc-editor.org/rfc/rfc4279#section-2
//# struct {
//#     opaque other_secret<0..2^16-1>;
//#     opaque psk<0..2^16-1>;
//# };
codec::Bytes psk_premaster(codec::ByteView other_secret, codec::ByteView psk) {
  codec::Bytes out;
  codec::Writer w(out);
  w.vec16(other_secret);
  w.vec16(psk);
  return out;
}

std::vector<uint16_t> own_signature_schemes() {
  namespace sig = codec::sig;
  static const std::vector<uint16_t> all = [] {
    std::vector<uint16_t> v;
    for (sig::Hash h : {sig::sha256, sig::sha384, sig::sha512, sig::sha224, sig::sha1})
      for (sig::Algo a : {sig::ecdsa, sig::rsa}) {
        uint16_t s = sig::scheme(h, a);
        if (crypto::scheme_supported(s)) v.push_back(s);
      }
    return v;
  }();
  return all;
}

std::vector<uint16_t> dsa_signature_schemes() {
  namespace sig = codec::sig;
  static const std::vector<uint16_t> all = [] {
    std::vector<uint16_t> v;
    for (sig::Hash h : {sig::sha256, sig::sha384, sig::sha512, sig::sha224, sig::sha1})
      if (crypto::scheme_supported(sig::scheme(h, sig::dsa))) v.push_back(sig::scheme(h, sig::dsa));
    return v;
  }();
  return all;
}

uint16_t choose_scheme(crypto::KeyAlgo key, const std::vector<uint16_t>& peer) {
  uint8_t want = key == crypto::KeyAlgo::rsa     ? codec::sig::rsa
                 : key == crypto::KeyAlgo::ecdsa ? codec::sig::ecdsa
                 : key == crypto::KeyAlgo::dsa   ? codec::sig::dsa
                                                 : 0xff;
  for (uint16_t s : key == crypto::KeyAlgo::dsa ? dsa_signature_schemes() : own_signature_schemes())
    if ((s & 0xff) == want && std::find(peer.begin(), peer.end(), s) != peer.end()) return s;
  return 0;
}

const std::vector<uint16_t>& own_groups() {
  static const std::vector<uint16_t> groups = [] {
    std::vector<uint16_t> v;
    for (auto g : {codec::NamedGroup::x25519, codec::NamedGroup::secp256r1, codec::NamedGroup::secp384r1,
                   codec::NamedGroup::secp521r1})
      if (crypto::group_supported(uint16_t(g))) v.push_back(uint16_t(g));
    return v;
  }();
  return groups;
}

const std::vector<uint16_t>& config_groups(const Config& cfg) {
  return cfg.groups.empty() ? own_groups() : cfg.groups;
}

namespace {

// The name a client checks the server's certificate against: server_name_indication, else the host it
// connected to (a name or an address literal); none with server_name_indication disable.
std::string verified_host(const Conn& c) {
  const auto& o = c.cfg->options.server_name_indication;
  if (std::holds_alternative<DisableSni>(o)) return {};
  if (const auto* name = std::get_if<std::string>(&o)) return *name;
  return c.peer.host;
}

}  // namespace

Step accept_peer_chain(Conn& c, const std::vector<codec::Bytes>& ders) {
  c.hs->peer_chain.clear();
  for (const codec::Bytes& d : ders) {
    auto cert = crypto::Certificate::from_der(d);
    if (!cert) return refuse(AlertDescription::certificate_unknown, "certificate does not decode");
    c.hs->peer_chain.push_back(std::move(cert.value()));
  }
  c.peer_certs_der = ders;
  const Config& cfg = *c.cfg;
  const Options& o = cfg.options;
  // verify_none with the default fun accepts every path error: validation could only say `valid`.
  if (ders.empty() || (o.verify == Verify::verify_none && !o.verify_fun && o.crl_check == CrlCheck::off)) return {};
  pkix::Request req;
  req.chain = ders;
  req.anchor_views = cfg.trusted_views;
  req.verify_fun = o.verify_fun ? *o.verify_fun
                   : o.verify == Verify::verify_peer ? default_verify_fun_verify_peer()
                                                     : default_verify_fun_verify_none();
  req.depth = o.depth;
  req.partial_chain = o.partial_chain;
  req.crl_check = o.crl_check;
  req.crl_cache = o.crl_cache.get();
  if (cfg.role == Role::client) {
    req.hostname = verified_host(c);
    req.purpose = pkix::Purpose::server_auth;
  } else {
    req.purpose = pkix::Purpose::client_auth;
  }
  if (auto ok = pkix::validate(req); !ok) return refuse(ok.error().alert, ok.error().reason);
  return {};
}


}  // namespace essl
