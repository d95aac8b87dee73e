// Server: the ClientHello (RFC 5246 7.4.1.2) and the first flight: ServerHello, Certificate,
// ServerKeyExchange?, CertificateRequest?, ServerHelloDone — or, resuming, ServerHello, CCS, Finished.
#include <algorithm>

#include "codecs/certificate.hpp"
#include "statemachine/connection.hpp"

namespace essl {

Step server_send_key_exchange(Conn& c);  // server_key_exchange.cpp

namespace {

using codec::ExtensionType;

bool contains(const std::vector<uint16_t>& v, uint16_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

Step read_extensions(Conn& c, const codec::ClientHello& ch) {
  HandshakeState& hs = *c.hs;
  std::vector<uint16_t> seen;
  for (const codec::Extension& e : ch.extensions) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4
    //# There MUST NOT be more than one extension of the same type.
    if (contains(seen, e.type)) return refuse(AlertDescription::decode_error, "duplicate extension");
    seen.push_back(e.type);
    switch (ExtensionType(e.type)) {
      case ExtensionType::server_name: {
        auto sn = codec::decode_server_name(e.data);
        if (!sn) return refuse(codec::alert_for(sn.error()), "server_name");
        if (!sn->host_names.empty()) c.sni = sn->host_names.front();
        break;
      }
      case ExtensionType::supported_groups: {
        auto g = codec::decode_supported_groups(e.data);
        if (!g) return refuse(codec::alert_for(g.error()), "supported_groups");
        hs.peer_groups = g->groups;
        hs.peer_groups_sent = true;
        break;
      }
      case ExtensionType::ec_point_formats: {
        auto f = codec::decode_ec_point_formats(e.data);
        if (!f) return refuse(codec::alert_for(f.error()), "ec_point_formats");
        // RFC 8422 5.1.2: uncompressed points are mandatory; a list without them is illegal_parameter.
        if (!contains(std::vector<uint16_t>(f->formats.begin(), f->formats.end()), 0))
          return refuse(AlertDescription::illegal_parameter, "ec_point_formats without uncompressed");
        hs.peer_point_formats_sent = true;
        break;
      }
      case ExtensionType::signature_algorithms: {
        auto s = codec::decode_signature_algorithms(e.data);
        if (!s) return refuse(codec::alert_for(s.error()), "signature_algorithms");
        hs.peer_sig_algs = s->algorithms;
        hs.peer_sig_algs_sent = true;
        break;
      }
      case ExtensionType::renegotiation_info: {
        auto ri = codec::decode_renegotiation_info(e.data);
        if (!ri) return refuse(codec::alert_for(ri.error()), "renegotiation_info");
        //= https://www.rfc-editor.org/rfc/rfc5746#section-3.6
        //# The server MUST then verify that the length of the
        //# "renegotiated_connection" field is zero, and if it is not, MUST
        //# abort the handshake.
        if (!ri->renegotiated_connection.empty())
          return refuse(AlertDescription::handshake_failure, "renegotiation_info mismatch");
        hs.peer_secure_reneg = true;
        break;
      }
      default:
        break;  // RFC 5246 7.4.1.4: extensions the server does not understand are ignored
    }
  }
  if (contains(ch.cipher_suites, codec::scsv_empty_renegotiation_info)) hs.peer_secure_reneg = true;
  if (c.cfg->options.secure_renegotiate && !hs.peer_secure_reneg)
    return refuse(AlertDescription::no_renegotiation, "peer lacks RFC 5746");
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1
  //# If the client does not send the signature_algorithms extension, the
  //# server MUST do the following: [...] behave as if client had sent the
  //# value {sha1,rsa} [...] {sha1,dsa} [...] {sha1,ecdsa}.
  if (!hs.peer_sig_algs_sent)
    hs.peer_sig_algs = {codec::sig::scheme(codec::sig::sha1, codec::sig::rsa),
                        codec::sig::scheme(codec::sig::sha1, codec::sig::dsa),
                        codec::sig::scheme(codec::sig::sha1, codec::sig::ecdsa)};
  return {};
}

// The ECDHE group: ours in preference order, among the client's (RFC 8422 5.1.1: none sent means any).
uint16_t choose_group(const HandshakeState& hs) {
  for (uint16_t g : own_groups())
    if (!hs.peer_groups_sent || contains(hs.peer_groups, g)) return g;
  return 0;
}

bool usable(const Conn& c, const SuiteInfo& s, Version v) {
  const HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  if (s.min_version > v || cfg.chain.empty()) return false;
  const crypto::Certificate& leaf = cfg.chain.front();
  KeyExchange k = s.spec.key_exchange;
  if (leaf.key_algo() != suite_cert_algo(k)) return false;
  if (suite_is_ecc(s.spec) && choose_group(hs) == 0) return false;
  // RFC 8422 5.1: an ECDSA certificate's curve must be one the client listed in supported_groups.
  if (k == KeyExchange::ecdhe_ecdsa && hs.peer_groups_sent && !contains(hs.peer_groups, leaf.ec_named_group()))
    return false;
  if (v >= Version::tlsv1_2 && kex_sends_ske(k) && choose_scheme(leaf.key_algo(), hs.peer_sig_algs) == 0) return false;
  return true;
}

const SuiteInfo* choose_suite(const Conn& c, const codec::ClientHello& ch, Version v) {
  const Config& cfg = *c.cfg;
  auto ours = [&](uint16_t id) -> const SuiteInfo* {
    for (const SuiteInfo* s : cfg.suites)
      if (s->id == id) return s;
    return nullptr;
  };
  if (cfg.options.honor_cipher_order) {
    for (const SuiteInfo* s : cfg.suites)
      if (contains(ch.cipher_suites, s->id) && usable(c, *s, v)) return s;
  } else {
    for (uint16_t id : ch.cipher_suites)
      if (const SuiteInfo* s = ours(id); s && usable(c, *s, v)) return s;
  }
  return nullptr;
}

// The session the client asked for, if it may be resumed now: same version, a suite still enabled and
// offered, and made under the verification settings in force now.
std::optional<Session> resumable(Conn& c, const codec::ClientHello& ch, Version v) {
  const Config& cfg = *c.cfg;
  if (ch.session_id.empty() || !cfg.options.reuse_sessions || !cfg.session_cache) return std::nullopt;
  c.session_id = ch.session_id;
  auto s = cfg.session_cache->lookup(c.session_key());
  c.session_id.clear();
  if (!s || s->version != v || !contains(ch.cipher_suites, s->cipher_suite)) return std::nullopt;
  if (s->verify_fingerprint != verify_fingerprint(cfg)) return std::nullopt;
  if (std::none_of(cfg.suites.begin(), cfg.suites.end(), [&](const SuiteInfo* i) { return i->id == s->cipher_suite; }))
    return std::nullopt;
  return s;
}

void send_server_hello(Conn& c) {
  HandshakeState& hs = *c.hs;
  codec::ServerHello sh;
  sh.server_version = uint16_t(*c.version);
  sh.random = hs.server_random;
  sh.session_id = c.session_id;
  sh.cipher_suite = c.suite->id;
  sh.compression_method = 0;
  auto add = [&](ExtensionType t, codec::Bytes b) { sh.extensions.push_back(codec::Extension{uint16_t(t), std::move(b)}); };
  if (c.sni) add(ExtensionType::server_name, {});
  if (suite_is_ecc(c.suite->spec) && hs.peer_point_formats_sent) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_ec_point_formats(codec::EcPointFormats{{0}}, w);
    add(ExtensionType::ec_point_formats, std::move(b));
  }
  //= https://www.rfc-editor.org/rfc/rfc5746#section-3.6
  //# If the secure_renegotiation flag is set to TRUE, the server MUST
  //# include an empty "renegotiation_info" extension in the ServerHello
  //# message.
  if (hs.peer_secure_reneg) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_renegotiation_info(codec::RenegotiationInfo{}, w);
    add(ExtensionType::renegotiation_info, std::move(b));
  }
  sh.extensions_present = !sh.extensions.empty();
  codec::Bytes body;
  codec::Writer w(body);
  codec::encode_server_hello(sh, w);
  c.queue_handshake(codec::HandshakeType::server_hello, body);
}

}  // namespace

Step server_on_client_hello(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  auto ch = codec::decode_client_hello(in.body);
  if (!ch) return refuse(codec::alert_for(ch.error()), "client_hello");
  hs.client_random = ch->random;
  hs.client_version = ch->client_version;

  //= https://www.rfc-editor.org/rfc/rfc5246#appendix-E.1
  //# If a TLS server receives a ClientHello containing a version number
  //# greater than the highest version supported by the server, it MUST
  //# reply according to the highest version supported by the server.
  // Below our lowest enabled version there is nothing to agree on: protocol_version.
  std::optional<Version> v;
  for (Version e : cfg.versions)
    if (uint16_t(e) <= ch->client_version) {
      v = e;
      break;
    }
  if (!v) return refuse(AlertDescription::protocol_version, "no common version");
  //= https://www.rfc-editor.org/rfc/rfc7507#section-3
  //# If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the
  //# highest protocol version supported by the server is higher than the
  //# version indicated in ClientHello.client_version, the server MUST
  //# respond with a fatal inappropriate_fallback alert
  if (contains(ch->cipher_suites, codec::scsv_fallback) && uint16_t(cfg.versions.front()) > ch->client_version)
    return refuse(AlertDescription::inappropriate_fallback, "fallback");
  if (std::find(ch->compression_methods.begin(), ch->compression_methods.end(), 0) == ch->compression_methods.end())
    return refuse(AlertDescription::illegal_parameter, "no null compression");
  if (auto ext = read_extensions(c, *ch); !ext) return ext;

  c.version = *v;
  c.rl.expect_version(uint16_t(*v));
  c.rl.set_write_version(uint16_t(*v));
  c.rng().fill(hs.server_random);

  if (auto s = resumable(c, *ch, *v)) {
    c.suite = find_suite(s->cipher_suite);
    c.session_id = s->id;
    c.master = s->master_secret;
    c.peer_certs_der = s->peer_certificates;
    c.resumed = true;
    c.set(table::f_resuming);
    send_server_hello(c);
    if (auto k = c.make_pending_states(); !k) return k;
    c.send_change_cipher_spec();
    c.send_finished();
    return {};
  }

  c.suite = choose_suite(c, *ch, *v);
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.3
  //# If no acceptable choices are presented, return a handshake failure
  //# alert and close the connection.
  // The reference answers insufficient_security here.
  if (!c.suite) return refuse(AlertDescription::insufficient_security, "no common cipher suite");
  if (suite_is_ecc(c.suite->spec)) hs.group = choose_group(hs);
  if (cfg.session_cache && cfg.options.reuse_sessions) {
    c.session_id.resize(32);
    c.rng().fill(c.session_id);
  }
  send_server_hello(c);
  {
    codec::Certificate cert;
    for (const crypto::Certificate& x : cfg.chain) cert.certificate_list.push_back(x.der());
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_certificate(cert, w);
    c.queue_handshake(codec::HandshakeType::certificate, body);
  }
  if (kex_sends_ske(c.suite->spec.key_exchange)) {
    c.set(table::f_kex_sends_ske);
    if (auto k = server_send_key_exchange(c); !k) return k;
  }
  if (cfg.options.verify == Verify::verify_peer) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.4
    //# A non-anonymous server can optionally request a certificate from
    //# the client, if appropriate for the selected cipher suite.
    codec::CertificateRequest cr;
    cr.certificate_types = {uint8_t(codec::ClientCertificateType::rsa_sign),
                            uint8_t(codec::ClientCertificateType::ecdsa_sign)};
    cr.supported_signature_algorithms = own_signature_schemes();
    for (const crypto::Certificate& t : cfg.trusted) cr.certificate_authorities.push_back(t.subject_dn());
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_certificate_request(cr, c.tls12(), w);
    c.queue_handshake(codec::HandshakeType::certificate_request, body);
    c.set(table::f_cert_requested);
  }
  c.queue_handshake(codec::HandshakeType::server_hello_done, {});
  c.flush_handshake();
  return {};
}

}  // namespace essl
