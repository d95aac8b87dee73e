// Server: the ClientHello (RFC 5246 7.4.1.2) and the first flight: ServerHello, Certificate,
// ServerKeyExchange?, CertificateRequest?, ServerHelloDone — or, resuming, ServerHello, CCS, Finished.
#include <algorithm>

#include "codecs/certificate.hpp"
#include "crypto_glue/hash.hpp"
#include "statemachine/connection.hpp"
#include "statemachine/hello_options.hpp"

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
      case ExtensionType::alpn: {
        auto a = codec::decode_alpn(e.data);
        if (!a) return refuse(codec::alert_for(a.error()), "alpn");
        hs.peer_alpn = std::move(a->names);
        break;
      }
      case ExtensionType::next_protocol_negotiation:
        //= https://tools.ietf.org/html/draft-agl-tls-nextprotoneg-04#section-3
        //# The "extension_data" field of a "next_protocol_negotiation" extension in a
        //# "ClientHello" MUST be empty.
        if (!e.data.empty()) return refuse(AlertDescription::decode_error, "next_protocol_negotiation");
        hs.peer_npn = true;
        break;
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
      case ExtensionType::srp: {
        auto srp = codec::decode_srp(e.data);
        if (!srp) return refuse(codec::alert_for(srp.error()), "srp");
        hs.srp_user = std::string(srp->srp_I.begin(), srp->srp_I.end());
        break;
      }
      case ExtensionType::extended_master_secret:
        //= https://www.rfc-editor.org/rfc/rfc7627#section-5.1
        //# The "extension_data" field of this extension is empty.
        if (!e.data.empty()) return refuse(AlertDescription::decode_error, "extended_master_secret");
        hs.peer_ems = true;
        break;
      case ExtensionType::encrypt_then_mac:
        if (!e.data.empty()) return refuse(AlertDescription::decode_error, "encrypt_then_mac");
        hs.peer_etm = true;
        break;
      case ExtensionType::renegotiation_info: {
        auto ri = codec::decode_renegotiation_info(e.data);
        if (!ri) return refuse(codec::alert_for(ri.error()), "renegotiation_info");
        //= https://www.rfc-editor.org/rfc/rfc5746#section-3.6
        //# The server MUST then verify that the length of the
        //# "renegotiated_connection" field is zero, and if it is not, MUST
        //# abort the handshake.
        //= https://www.rfc-editor.org/rfc/rfc5746#section-3.7
        //# The server MUST verify that the value of the
        //# "renegotiated_connection" field is equal to the saved
        //# client_verify_data value; if it is not, the server MUST abort the
        //# handshake.
        if (c.established && !c.secure_renegotiation)
          return refuse(AlertDescription::handshake_failure, "renegotiation_info in an insecure renegotiation");
        if (!crypto::equal_ct(ri->renegotiated_connection, c.renegotiation_info(false)))
          return refuse(AlertDescription::handshake_failure, "renegotiation_info mismatch");
        hs.peer_secure_reneg = true;
        break;
      }
      default:
        break;  // RFC 5246 7.4.1.4: extensions the server does not understand are ignored
    }
  }
  const bool scsv = contains(ch.cipher_suites, codec::scsv_empty_renegotiation_info);
  if (!c.established) {
    if (scsv) hs.peer_secure_reneg = true;
    if (c.cfg->options.secure_renegotiate && !hs.peer_secure_reneg)
      return refuse(AlertDescription::no_renegotiation, "peer lacks RFC 5746");
  } else if (c.secure_renegotiation) {
    //= https://www.rfc-editor.org/rfc/rfc5746#section-3.7
    //# When a ClientHello is received, the server MUST verify that it
    //# does not contain the TLS_EMPTY_RENEGOTIATION_INFO_SCSV SCSV.  If
    //# the SCSV is present, the server MUST abort the handshake.
    if (scsv) return refuse(AlertDescription::handshake_failure, "SCSV in a renegotiation");
    //# The server MUST verify that the "renegotiation_info" extension is
    //# present; if it is not, the server MUST abort the handshake.
    if (!hs.peer_secure_reneg) return refuse(AlertDescription::handshake_failure, "no renegotiation_info");
  } else if (c.cfg->options.secure_renegotiate) {
    // An insecure renegotiation, which secure_renegotiate refuses.
    return refuse(AlertDescription::no_renegotiation, "insecure renegotiation");
  }
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
uint16_t choose_group(const Config& cfg, const HandshakeState& hs) {
  for (uint16_t g : config_groups(cfg))
    if (!hs.peer_groups_sent || contains(hs.peer_groups, g)) return g;
  return 0;
}

bool usable(const Conn& c, const SuiteInfo& s, Version v) {
  const HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  if (!suite_allowed_at(s, v)) return false;
  KeyExchange k = s.spec.key_exchange;
  if (kex_no_client_auth(k) && cfg.options.verify == Verify::verify_peer) return false;
  if (kex_psk(k) && !cfg.options.user_lookup_fun) return false;
  // RFC 5054 2.5.1.2: SRP needs the client's user name (the srp extension) and a lookup fun.
  if (kex_srp(k) && (!hs.srp_user || !cfg.options.user_lookup_fun)) return false;
  if (kex_no_server_cert(k)) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.4
    //# A non-anonymous server can optionally request a certificate from
    //# the client
    // A server that verifies its clients does not choose suites without client authentication (above).
    return !suite_is_ecc(s.spec) || choose_group(cfg, hs) != 0;
  }
  if (cfg.chain.empty()) return false;
  const crypto::Certificate& leaf = cfg.chain.front();
  if (leaf.key_algo() != suite_cert_algo(k)) return false;
  if (suite_is_ecc(s.spec) && choose_group(cfg, hs) == 0) return false;
  // RFC 8422 5.1: an ECDSA certificate's curve must be one the client listed in supported_groups; for
  // static ECDH (RFC 4492 2.1, 2.3) it is also the curve of the key agreement.
  if ((k == KeyExchange::ecdhe_ecdsa || kex_static_ecdh(k)) && hs.peer_groups_sent &&
      !contains(hs.peer_groups, leaf.ec_named_group()))
    return false;
  if (kex_static_ecdh(k) && !crypto::group_supported(leaf.ec_named_group())) return false;
  //= https://www.rfc-editor.org/rfc/rfc4492#section-2.3
  //# ECDH_RSA:   Same as ECDH_ECDSA except that the server's certificate
  //#    MUST be signed with RSA rather than ECDSA.
  // RFC 5246 7.4.2 lifts the restriction in TLS 1.2 ("the signature algorithm restrictions are relaxed").
  if (kex_static_ecdh(k) && v < Version::tlsv1_2 &&
      leaf.signed_with() != (k == KeyExchange::ecdh_ecdsa ? crypto::KeyAlgo::ecdsa : crypto::KeyAlgo::rsa))
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
// offered, made under the verification settings in force now, and accepted by the reuse_session fun.
std::optional<SessionState> resumable(Conn& c, const codec::ClientHello& ch, Version v) {
  const Config& cfg = *c.cfg;
  if (ch.session_id.empty() || !cfg.options.reuse_sessions || !cfg.session_cache) return std::nullopt;
  auto s = cfg.session_cache->lookup(SessionKey{c.partial_key(), ch.session_id});
  if (!s || s->version != v || !contains(ch.cipher_suites, s->cipher_suite)) return std::nullopt;
  //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
  //# If the original session did not use the "extended_master_secret"
  //# extension but the new ClientHello contains the extension, then the
  //# server MUST NOT perform the abbreviated handshake.  Instead, it
  //# SHOULD continue with a full handshake (as described in
  //# Section 5.2) to negotiate a new session.
  // (The opposite case ends the handshake: server_on_client_hello.)
  if (!s->extended_master_secret && c.hs->ems) return std::nullopt;
  if (s->verify_fingerprint != cfg.verify_fingerprint) return std::nullopt;
  //= https://www.rfc-editor.org/rfc/rfc6066#section-3
  //# A server that implements this extension MUST NOT accept the request to
  //# resume the session if the server_name extension contains a different
  //# name.
  if (s->sni != c.sni.value_or("")) return std::nullopt;
  if (std::none_of(cfg.suites.begin(), cfg.suites.end(), [&](const SuiteInfo* i) { return i->id == s->cipher_suite; }))
    return std::nullopt;
  // {reuse_session, fun(SuggestedSessionId, PeerCert, Compression, CipherSuite) -> boolean()}: the
  // server's own policy, asked last. Compression is always null (0) in essl.
  if (cfg.options.reuse_session) {
    static const std::vector<uint8_t> no_cert;
    const auto& peer_cert = s->peer_certificates.empty() ? no_cert : s->peer_certificates.front();
    const SuiteInfo* suite = find_suite(s->cipher_suite);
    if (!suite || !cfg.options.reuse_session(s->id, peer_cert, 0, suite->spec)) return std::nullopt;
  }
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
  //= https://www.rfc-editor.org/rfc/rfc6066#section-3
  //# When resuming a session, the server MUST NOT include a server_name
  //# extension in the server hello.
  // Otherwise the name is acknowledged only when it chose the configuration (sni_hosts, sni_fun).
  if (hs.sni_used && !c.resumed) add(ExtensionType::server_name, {});
  if (c.negotiated_protocol) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_alpn(codec::ProtocolNameList{{*c.negotiated_protocol}}, w);
    add(ExtensionType::alpn, std::move(b));
  } else if (c.has(table::f_npn)) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_npn_protocols(codec::ProtocolNameList{*c.cfg->options.next_protocols_advertised}, w);
    add(ExtensionType::next_protocol_negotiation, std::move(b));
  }
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
  //= https://www.rfc-editor.org/rfc/rfc5746#section-3.7
  //# The server MUST include a "renegotiation_info" extension
  //# containing the saved client_verify_data and server_verify_data in
  //# the ServerHello.
  if (hs.peer_secure_reneg) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_renegotiation_info(codec::RenegotiationInfo{c.renegotiation_info(true)}, w);
    add(ExtensionType::renegotiation_info, std::move(b));
  }
  if (hs.ems) add(ExtensionType::extended_master_secret, {});
  if (hs.etm) add(ExtensionType::encrypt_then_mac, {});
  sh.extensions_present = !sh.extensions.empty();
  codec::Bytes body;
  codec::Writer w(body);
  codec::encode_server_hello(sh, w);
  c.queue_handshake(codec::HandshakeType::server_hello, body);
}

// sni_hosts / sni_fun: the configuration for the name the client sent, if the server knows it. An
// unknown name leaves the base options in force and the handshake goes on without an alert (as the
// reference does; RFC 6066 3 does not recommend a warning unrecognized_name).
Step choose_host_config(Conn& c, const codec::ClientHello& ch) {
  if (!c.cfg->sni) return {};
  const codec::Extension* e = codec::find_extension(ch.extensions, ExtensionType::server_name);
  if (!e) return {};
  auto sn = codec::decode_server_name(e->data);
  if (!sn) return refuse(codec::alert_for(sn.error()), "server_name");
  if (sn->host_names.empty()) return {};
  auto host = c.cfg->sni->lookup(*c.cfg, sn->host_names.front());
  if (!host) return refuse(AlertDescription::internal_error, host.error());
  std::shared_ptr<const Config> chosen = std::move(host).value();
  if (!chosen) return {};
  // A test or fuzzer's deterministic RNG, and the session cache in force, stay with the connection.
  if (chosen->rng != c.cfg->rng || chosen->session_cache != c.cfg->session_cache) {
    auto copy = std::make_shared<Config>(*chosen);
    copy->rng = c.cfg->rng;
    copy->session_cache = c.cfg->session_cache;
    chosen = std::move(copy);
  }
  c.cfg = std::move(chosen);
  c.hs->sni_used = true;
  return {};
}

// ALPN first (RFC 7301 3.2: the server's preference among the client's protocols; none in common is
// fatal), then NPN, as the reference does: NPN is answered only when ALPN did not settle the protocol.
Step choose_protocol(Conn& c) {
  const HandshakeState& hs = *c.hs;
  const Options& o = c.cfg->options;
  if (hs.peer_alpn && o.alpn_preferred_protocols) {
    for (const std::string& p : *o.alpn_preferred_protocols)
      if (std::find(hs.peer_alpn->begin(), hs.peer_alpn->end(), p) != hs.peer_alpn->end()) {
        c.negotiated_protocol = p;
        return {};
      }
    //= https://www.rfc-editor.org/rfc/rfc7301#section-3.2
    //# In the event that the server supports no
    //# protocols that the client advertises, then the server SHALL respond
    //# with a fatal "no_application_protocol" alert.
    return refuse(AlertDescription::no_application_protocol, "no common application protocol");
  }
  if (hs.peer_npn && o.next_protocols_advertised) c.set(table::f_npn);
  return {};
}

//= https://www.rfc-editor.org/rfc/rfc7366#section-2
//# The client and server MUST NOT use encrypt-then-MAC unless both sides
//# have successfully exchanged encrypt_then_mac extensions.
// And only with a block cipher (RFC 7366 3), from TLS 1.0 on.
bool etm_agreed(const Conn& c) {
  return c.hs->peer_etm && c.cfg->options.encrypt_then_mac && *c.version >= Version::tlsv1 &&
         suite_is_cbc(c.suite->spec);
}

}  // namespace

Step server_on_client_hello(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  auto ch = codec::decode_client_hello(in.body);
  if (!ch) return refuse(codec::alert_for(ch.error()), "client_hello");
  if (auto host = choose_host_config(c, *ch); !host) return host;
  const Config& cfg = *c.cfg;
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
  // A renegotiation keeps the version the connection has.
  if (c.established && v != c.version) return refuse(AlertDescription::protocol_version, "version changed");
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
  // RFC 7627 and RFC 7366 do not apply to SSL 3.0.
  hs.ems = hs.peer_ems && cfg.options.extended_master_secret && *v >= Version::tlsv1;

  if (auto s = resumable(c, *ch, *v)) {
    //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
    //# If the original session used the "extended_master_secret"
    //# extension but the new ClientHello does not contain it, the server
    //# MUST abort the abbreviated handshake.
    if (s->extended_master_secret && !hs.ems)
      return refuse(AlertDescription::handshake_failure, "resumption without extended_master_secret");
    c.suite = find_suite(s->cipher_suite);
    hs.etm = etm_agreed(c);
    c.session_id = s->id;
    c.master = s->master_secret;
    c.peer_certs_der = s->peer_certificates;
    c.resumed = true;
    c.session_cached = true;
    c.set(table::f_resuming);
    if (auto p = choose_protocol(c); !p) return p;
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
  hs.etm = etm_agreed(c);
  if (auto p = choose_protocol(c); !p) return p;
  if (suite_is_ecc(c.suite->spec)) hs.group = choose_group(cfg, hs);
  if (cfg.session_cache && cfg.options.reuse_sessions) {
    c.session_id.resize(32);
    c.rng().fill(c.session_id);
  }
  send_server_hello(c);
  const KeyExchange kx = c.suite->spec.key_exchange;
  if (!kex_no_server_cert(kx)) {
    codec::Certificate cert;
    for (const crypto::Certificate& x : cfg.chain) cert.certificate_list.push_back(x.der());
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_certificate(cert, w);
    c.queue_handshake(codec::HandshakeType::certificate, body);
  }
  //= https://www.rfc-editor.org/rfc/rfc4279#section-2
  //# If no hint is provided, the ServerKeyExchange message is omitted.
  if (kex_sends_ske(kx) || (kex_ske_optional(kx) && cfg.options.psk_identity)) {
    c.set(table::f_kex_sends_ske);
    if (auto k = server_send_key_exchange(c); !k) return k;
  } else if (kex_static_ecdh(kx)) {
    hs.kex = crypto::ecdh_static(*cfg.key);
    if (!hs.kex) return refuse(AlertDescription::internal_error, "static ECDH key");
  }
  if (cfg.options.verify == Verify::verify_peer && !kex_no_client_auth(kx)) {
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
