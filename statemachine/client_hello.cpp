// Client: the ClientHello (RFC 5246 7.4.1.2) with the extensions it offers.
#include <algorithm>

#include "statemachine/connection.hpp"

namespace essl {
namespace {

// RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"."
bool is_ip_literal(const std::string& h) {
  if (h.find(':') != std::string::npos) return true;
  return !h.empty() && std::all_of(h.begin(), h.end(), [](char ch) { return (ch >= '0' && ch <= '9') || ch == '.'; });
}

std::optional<std::string> sni_host(const Conn& c) {
  const auto& o = c.cfg->options.server_name_indication;
  if (std::holds_alternative<DisableSni>(o)) return std::nullopt;
  std::string h = std::holds_alternative<std::string>(o) ? std::get<std::string>(o) : c.peer.host;
  if (h.empty() || is_ip_literal(h)) return std::nullopt;
  return h;
}

void add(std::vector<codec::Extension>& exts, codec::ExtensionType t, codec::Bytes body) {
  exts.push_back(codec::Extension{uint16_t(t), std::move(body)});
}

// The newest session cached for this host and port (select_session) that was made under the
// verification settings in force now, and whose version and suite are still enabled.
std::optional<SessionState> resumable(const Conn& c) {
  const Config& cfg = *c.cfg;
  if (!cfg.options.reuse_sessions || !cfg.session_cache) return std::nullopt;
  for (SessionState& s : cfg.session_cache->select(c.partial_key())) {
    if (s.verify_fingerprint != cfg.verify_fingerprint) continue;
    // RFC 7627 5.3: the server would refuse to resume it without the extension.
    if (s.extended_master_secret && !cfg.options.extended_master_secret) continue;
    if (std::find(cfg.versions.begin(), cfg.versions.end(), s.version) == cfg.versions.end()) continue;
    if (std::none_of(cfg.suites.begin(), cfg.suites.end(), [&](const SuiteInfo* i) { return i->id == s.cipher_suite; }))
      continue;
    return std::move(s);
  }
  return std::nullopt;
}

// ALPN when alpn_advertised_protocols is set, NPN (an empty extension) when
// client_preferred_next_protocols is.
void add_protocol_extensions(Conn& c, std::vector<codec::Extension>& exts) {
  const Options& o = c.cfg->options;
  if (o.alpn_advertised_protocols) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_alpn(codec::ProtocolNameList{*o.alpn_advertised_protocols}, w);
    add(exts, codec::ExtensionType::alpn, std::move(b));
    c.hs->offered_alpn = true;
  }
  //= https://tools.ietf.org/html/draft-agl-tls-nextprotoneg-04#section-3
  //# The "extension_data" field of a "next_protocol_negotiation" extension in a
  //# "ClientHello" MUST be empty.
  if (o.client_preferred_next_protocols) {
    add(exts, codec::ExtensionType::next_protocol_negotiation, {});
    c.hs->offered_npn = true;
  }
}

}  // namespace

Step client_send_hello(Conn& c) {
  HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  if (cfg.versions.empty() || cfg.suites.empty()) return refuse(AlertDescription::internal_error, "nothing enabled");
  Version max = cfg.versions.front();
  c.rng().fill(hs.client_random);

  codec::ClientHello ch;
  ch.client_version = uint16_t(max);
  ch.random = hs.client_random;
  hs.client_version = ch.client_version;
  // A renegotiation is a full handshake.
  if (!c.established) hs.session = resumable(c);
  if (hs.session) ch.session_id = hs.session->id;

  bool any_ecc = false, any_dss = false, any_srp = false, any_cbc = false;
  for (const SuiteInfo* s : cfg.suites)
    if (s->min_version <= max && s->max_version >= cfg.versions.back()) {
      ch.cipher_suites.push_back(s->id);
      any_ecc = any_ecc || suite_is_ecc(s->spec);
      any_dss = any_dss || suite_cert_algo(s->spec.key_exchange) == crypto::KeyAlgo::dsa;
      any_srp = any_srp || kex_srp(s->spec.key_exchange);
      any_cbc = any_cbc || suite_is_cbc(s->spec);
    }
  hs.offered_suites = ch.cipher_suites;
  //= https://www.rfc-editor.org/rfc/rfc7507#section-4
  //# If a client sends a ClientHello.client_version containing a lower
  //# value than the latest (highest-valued) version supported by the
  //# client, it SHOULD include the TLS_FALLBACK_SCSV cipher suite value
  if (cfg.options.fallback) ch.cipher_suites.push_back(codec::scsv_fallback);
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.2
  //# This vector MUST contain, and all implementations MUST support,
  //# CompressionMethod.null.
  ch.compression_methods = {0};

  ch.extensions_present = true;
  if (auto host = sni_host(c)) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_server_name(codec::ServerNameList{{*host}}, w);
    add(ch.extensions, codec::ExtensionType::server_name, std::move(b));
    hs.offered_sni = true;
    c.sni = *host;
  }
  if (any_ecc) {
    hs.offered_groups = config_groups(*c.cfg);
    codec::Bytes g, f;
    codec::Writer wg(g), wf(f);
    codec::encode_supported_groups(codec::SupportedGroups{hs.offered_groups}, wg);
    codec::encode_ec_point_formats(codec::EcPointFormats{{0}}, wf);
    add(ch.extensions, codec::ExtensionType::supported_groups, std::move(g));
    add(ch.extensions, codec::ExtensionType::ec_point_formats, std::move(f));
    hs.offered_point_formats = true;
  }
  if (max >= Version::tlsv1_2) {
    hs.offered_sig_algs = own_signature_schemes();
    if (any_dss)
      for (uint16_t d : dsa_signature_schemes()) hs.offered_sig_algs.push_back(d);
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_signature_algorithms(codec::SignatureAlgorithms{hs.offered_sig_algs}, w);
    add(ch.extensions, codec::ExtensionType::signature_algorithms, std::move(b));
  }
  //= https://www.rfc-editor.org/rfc/rfc5054#section-2.8.1
  //# A new extension "srp", with value 12, has been added to the
  //# enumerated ExtensionType defined in [TLSEXT].
  // Sent with the SRP suites: the user name of srp_identity (Config keeps SRP suites only with one).
  if (any_srp && cfg.options.srp_identity) {
    const std::string& user = cfg.options.srp_identity->first;
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_srp(codec::SrpExtension{codec::Bytes(user.begin(), user.end())}, w);
    add(ch.extensions, codec::ExtensionType::srp, std::move(b));
  }
  add_protocol_extensions(c, ch.extensions);
  //= https://www.rfc-editor.org/rfc/rfc7627#section-5.1
  //# The "extension_data" field of this extension is empty.
  //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
  //# When offering an abbreviated handshake, the client MUST send the
  //# "extended_master_secret" extension in its ClientHello.
  // Neither extension exists in SSL 3.0.
  if (cfg.options.extended_master_secret && max >= Version::tlsv1) {
    add(ch.extensions, codec::ExtensionType::extended_master_secret, {});
    hs.offered_ems = true;
  }
  if (cfg.options.encrypt_then_mac && max >= Version::tlsv1 && any_cbc) {
    add(ch.extensions, codec::ExtensionType::encrypt_then_mac, {});
    hs.offered_etm = true;
  }
  //= https://www.rfc-editor.org/rfc/rfc5746#section-3.4
  //# The client MUST include either an empty "renegotiation_info"
  //# extension, or the TLS_EMPTY_RENEGOTIATION_INFO_SCSV signaling
  //# cipher suite value in the ClientHello.
  //= https://www.rfc-editor.org/rfc/rfc5746#section-3.5
  //# The client MUST include the "renegotiation_info" extension in the
  //# ClientHello, containing the saved client_verify_data.  The SCSV MUST
  //# NOT be included.
  // An insecure renegotiation (the server lacked RFC 5746; secure_renegotiate false) carries neither.
  if (!c.established || c.secure_renegotiation) {
    codec::Bytes b;
    codec::Writer w(b);
    codec::encode_renegotiation_info(codec::RenegotiationInfo{c.renegotiation_info(false)}, w);
    add(ch.extensions, codec::ExtensionType::renegotiation_info, std::move(b));
  }

  codec::Bytes body;
  codec::Writer w(body);
  codec::encode_client_hello(ch, w);
  //= https://www.rfc-editor.org/rfc/rfc5246#appendix-E.1
  //# TLS clients that wish to negotiate with older servers MAY send any
  //# value {03,XX} as the record layer version number.
  // (A renegotiation keeps the negotiated version.)
  if (!c.established) c.rl.set_write_version(uint16_t(std::min(cfg.versions.back(), Version::tlsv1)));
  c.queue_handshake(codec::HandshakeType::client_hello, body);
  c.flush_handshake();
  return {};
}

}  // namespace essl
