// Client: the ServerHello (RFC 5246 7.4.1.3): version, suite, extensions, and whether the session resumes.
#include <algorithm>

#include "crypto_glue/hash.hpp"
#include "statemachine/connection.hpp"

namespace essl {
namespace {

using codec::ExtensionType;

bool listed(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

Step on_alpn(Conn& c, codec::ByteView data) {
  if (!c.hs->offered_alpn) return refuse(AlertDescription::unsupported_extension, "alpn");
  auto a = codec::decode_alpn(data);
  if (!a) return refuse(codec::alert_for(a.error()), "alpn");
  //= https://www.rfc-editor.org/rfc/rfc7301#section-3.1
  //# The "extension_data" field of the ("application_layer_protocol_negotiation(16)")
  //# extension is structured the same as described above for the client
  //# "extension_data", except that the "ProtocolNameList" MUST contain
  //# exactly one "ProtocolName".
  if (a->names.size() != 1) return refuse(AlertDescription::handshake_failure, "alpn: not exactly one protocol");
  if (!listed(*c.cfg->options.alpn_advertised_protocols, a->names.front()))
    return refuse(AlertDescription::illegal_parameter, "alpn: protocol not offered");
  if (c.hs->npn_choice) return refuse(AlertDescription::illegal_parameter, "both alpn and next_protocol_negotiation");
  c.negotiated_protocol = a->names.front();
  return {};
}

// The client's choice among the server's advertised protocols, by client_preferred_next_protocols.
Step on_npn(Conn& c, codec::ByteView data) {
  if (!c.hs->offered_npn) return refuse(AlertDescription::unsupported_extension, "next_protocol_negotiation");
  if (c.negotiated_protocol)
    return refuse(AlertDescription::illegal_parameter, "both alpn and next_protocol_negotiation");
  auto adv = codec::decode_npn_protocols(data);
  if (!adv) return refuse(codec::alert_for(adv.error()), "next_protocol_negotiation");
  const NextProtocolPreference& pref = *c.cfg->options.client_preferred_next_protocols;
  std::optional<std::string> choice;
  if (pref.precedence == NextProtocolPreference::Precedence::client) {
    for (const std::string& p : pref.protocols)
      if (!choice && listed(adv->names, p)) choice = p;
  } else {
    for (const std::string& p : adv->names)
      if (!choice && listed(pref.protocols, p)) choice = p;
  }
  // No protocol in common (or none advertised): the default, else the first of the client's list.
  if (!choice) choice = pref.default_protocol ? *pref.default_protocol : pref.protocols.front();
  c.hs->npn_choice = std::move(choice);
  return {};
}

Step check_extensions(Conn& c, const codec::ServerHello& sh) {
  HandshakeState& hs = *c.hs;
  std::vector<uint16_t> seen;
  for (const codec::Extension& e : sh.extensions) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4
    //# There MUST NOT be more than one extension of the same type.
    if (std::find(seen.begin(), seen.end(), e.type) != seen.end())
      return refuse(AlertDescription::decode_error, "duplicate extension");
    seen.push_back(e.type);
    switch (ExtensionType(e.type)) {
      case ExtensionType::server_name:
        //= https://www.rfc-editor.org/rfc/rfc6066#section-3
        //# the "extension_data" field of this extension SHALL be
        //# empty.
        if (!hs.offered_sni) return refuse(AlertDescription::unsupported_extension, "server_name");
        if (!e.data.empty()) return refuse(AlertDescription::decode_error, "server_name");
        break;
      case ExtensionType::ec_point_formats: {
        if (!hs.offered_point_formats) return refuse(AlertDescription::unsupported_extension, "ec_point_formats");
        auto f = codec::decode_ec_point_formats(e.data);
        if (!f) return refuse(codec::alert_for(f.error()), "ec_point_formats");
        // RFC 8422 5.2: the server's list must include uncompressed (0).
        if (std::find(f->formats.begin(), f->formats.end(), 0) == f->formats.end())
          return refuse(AlertDescription::illegal_parameter, "ec_point_formats without uncompressed");
        break;
      }
      case ExtensionType::supported_groups:
        // TLS 1.2 gives the server no use for this extension, but the client did request it, which is
        // all RFC 5246 7.4.1.4 asks; some servers echo it. Its contents are not used.
        if (hs.offered_groups.empty()) return refuse(AlertDescription::unsupported_extension, "supported_groups");
        break;
      case ExtensionType::alpn:
        if (auto r = on_alpn(c, e.data); !r) return r;
        break;
      case ExtensionType::next_protocol_negotiation:
        if (auto r = on_npn(c, e.data); !r) return r;
        break;
      case ExtensionType::extended_master_secret:
        if (!hs.offered_ems) return refuse(AlertDescription::unsupported_extension, "extended_master_secret");
        if (!e.data.empty()) return refuse(AlertDescription::decode_error, "extended_master_secret");
        // SSL 3.0 has its own master secret derivation: an answer there changes nothing.
        hs.ems = *c.version >= Version::tlsv1;
        break;
      case ExtensionType::encrypt_then_mac:
        if (!hs.offered_etm) return refuse(AlertDescription::unsupported_extension, "encrypt_then_mac");
        if (!e.data.empty()) return refuse(AlertDescription::decode_error, "encrypt_then_mac");
        //= https://www.rfc-editor.org/rfc/rfc7366#section-3
        //# If a server receives an encrypt-then-MAC request extension from a
        //# client and then selects a stream or Authenticated Encryption with
        //# Associated Data (AEAD) ciphersuite, it MUST NOT send an encrypt-
        //# then-MAC response extension back to the client.
        // A server that answers anyway is ignored there, as OpenSSL does: only CBC suites use it.
        hs.etm = *c.version >= Version::tlsv1 && suite_is_cbc(c.suite->spec);
        break;
      case ExtensionType::renegotiation_info: {
        auto ri = codec::decode_renegotiation_info(e.data);
        if (!ri) return refuse(codec::alert_for(ri.error()), "renegotiation_info");
        //= https://www.rfc-editor.org/rfc/rfc5746#section-3.4
        //# The client MUST then verify that the length of the
        //# "renegotiated_connection" field is zero, and if it is not, MUST
        //# abort the handshake (by sending a fatal handshake_failure alert).
        //= https://www.rfc-editor.org/rfc/rfc5746#section-3.5
        //# The client MUST then verify that the first half of the
        //# "renegotiated_connection" field is equal to the saved
        //# client_verify_data value, and the second half is equal to the
        //# saved server_verify_data value.  If they are not, the client MUST
        //# abort the handshake.
        if (c.established && !c.secure_renegotiation)
          return refuse(AlertDescription::handshake_failure, "renegotiation_info in an insecure renegotiation");
        if (!crypto::equal_ct(ri->renegotiated_connection, c.renegotiation_info(true)))
          return refuse(AlertDescription::handshake_failure, "renegotiation_info mismatch");
        hs.peer_secure_reneg = true;
        break;
      }
      default:
        //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4
        //# If a client receives an extension type in ServerHello that it did
        //# not request in the associated ClientHello, it MUST abort the
        //# handshake with an unsupported_extension fatal alert.
        return refuse(AlertDescription::unsupported_extension, "unrequested extension");
    }
  }
  //= https://www.rfc-editor.org/rfc/rfc5746#section-3.5
  //# If the extension is not present, the server does not support
  //# secure renegotiation; set secure_renegotiation flag to FALSE.
  if (c.established && c.secure_renegotiation && !hs.peer_secure_reneg)
    return refuse(AlertDescription::handshake_failure, "no renegotiation_info in a secure renegotiation");
  if (c.cfg->options.secure_renegotiate && !hs.peer_secure_reneg)
    return refuse(AlertDescription::no_renegotiation, "peer lacks RFC 5746");
  // The spec: when the server does not answer Next Protocol Negotiation (and ALPN did not settle the
  // protocol), a client with a default protocol goes on with it, one without ends the handshake.
  const auto& pref = c.cfg->options.client_preferred_next_protocols;
  if (hs.offered_npn && !hs.npn_choice && !c.negotiated_protocol && pref) {
    if (!pref->default_protocol)
      return refuse(AlertDescription::handshake_failure, "server does not support next protocol negotiation");
    c.negotiated_protocol = pref->default_protocol;
  }
  return {};
}

}  // namespace

Step client_on_server_hello(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  auto sh = codec::decode_server_hello(in.body);
  if (!sh) return refuse(codec::alert_for(sh.error()), "server_hello");

  auto v = Version(sh->server_version);
  if (sh->server_version > hs.client_version ||
      std::find(cfg.versions.begin(), cfg.versions.end(), v) == cfg.versions.end())
    return refuse(AlertDescription::protocol_version, "server chose a version not offered");
  // A renegotiation keeps the version the connection has.
  if (c.established && v != c.version) return refuse(AlertDescription::protocol_version, "version changed");
  c.version = v;

  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.3
  //# The single cipher suite selected by the server from the list in
  //# ClientHello.cipher_suites.
  if (std::find(hs.offered_suites.begin(), hs.offered_suites.end(), sh->cipher_suite) == hs.offered_suites.end())
    return refuse(AlertDescription::illegal_parameter, "suite not offered");
  c.suite = find_suite(sh->cipher_suite);
  if (!c.suite || !suite_allowed_at(*c.suite, v)) return refuse(AlertDescription::illegal_parameter, "suite not for version");
  if (sh->compression_method != 0) return refuse(AlertDescription::illegal_parameter, "compression");
  if (auto ext = check_extensions(c, *sh); !ext) return ext;

  hs.server_random = sh->random;
  c.session_id = sh->session_id;
  c.rl.expect_version(sh->server_version);
  c.rl.set_write_version(sh->server_version);

  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.3
  //# If the ClientHello.session_id was non-empty, the server will look in
  //# its session cache for a match.  If a match is found and the server is
  //# willing to establish the new connection using the specified session
  //# state, the server will respond with the same value as was supplied
  //# by the client.
  if (hs.session && !sh->session_id.empty() && sh->session_id == hs.session->id) {
    if (hs.session->version != v || hs.session->cipher_suite != sh->cipher_suite)
      return refuse(AlertDescription::illegal_parameter, "resumed session with other parameters");
    //= https://www.rfc-editor.org/rfc/rfc7627#section-5.3
    //# If the original session did not use the "extended_master_secret"
    //# extension but the new ServerHello contains the extension, the
    //# client MUST abort the handshake.
    //# If the original session used the extension but the new ServerHello
    //# does not contain the extension, the client MUST abort the
    //# handshake.
    if (hs.session->extended_master_secret != hs.ems)
      return refuse(AlertDescription::handshake_failure, "resumption changes extended_master_secret");
    c.set(table::f_resuming);
    c.resumed = true;
    c.session_cached = true;
    c.master = hs.session->master_secret;
    c.peer_certs_der = hs.session->peer_certificates;
    if (!hs.session->sni.empty()) c.sni = hs.session->sni;
    return c.make_pending_states();
  }
  hs.session.reset();
  if (kex_sends_ske(c.suite->spec.key_exchange)) c.set(table::f_kex_sends_ske);
  if (kex_no_client_auth(c.suite->spec.key_exchange)) c.set(table::f_kex_no_client_auth);
  if (kex_no_server_cert(c.suite->spec.key_exchange)) c.set(table::f_kex_no_cert);
  return {};
}

}  // namespace essl
