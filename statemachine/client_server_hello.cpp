// Client: the ServerHello (RFC 5246 7.4.1.3): version, suite, extensions, and whether the session resumes.
#include <algorithm>

#include "statemachine/connection.hpp"

namespace essl {
namespace {

using codec::ExtensionType;

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
      case ExtensionType::renegotiation_info: {
        auto ri = codec::decode_renegotiation_info(e.data);
        if (!ri) return refuse(codec::alert_for(ri.error()), "renegotiation_info");
        //= https://www.rfc-editor.org/rfc/rfc5746#section-3.4
        //# The client MUST then verify that the length of the
        //# "renegotiated_connection" field is zero, and if it is not, MUST
        //# abort the handshake (by sending a fatal handshake_failure alert).
        if (!ri->renegotiated_connection.empty())
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
  if (c.cfg->options.secure_renegotiate && !hs.peer_secure_reneg)
    return refuse(AlertDescription::no_renegotiation, "peer lacks RFC 5746");
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
  c.version = v;

  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.3
  //# The single cipher suite selected by the server from the list in
  //# ClientHello.cipher_suites.
  if (std::find(hs.offered_suites.begin(), hs.offered_suites.end(), sh->cipher_suite) == hs.offered_suites.end())
    return refuse(AlertDescription::illegal_parameter, "suite not offered");
  c.suite = find_suite(sh->cipher_suite);
  if (!c.suite || c.suite->min_version > v) return refuse(AlertDescription::illegal_parameter, "suite not for version");
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
    c.set(table::f_resuming);
    c.resumed = true;
    c.master = hs.session->master_secret;
    c.peer_certs_der = hs.session->peer_certificates;
    if (!hs.session->sni.empty()) c.sni = hs.session->sni;
    return c.make_pending_states();
  }
  hs.session.reset();
  if (kex_sends_ske(c.suite->spec.key_exchange)) c.set(table::f_kex_sends_ske);
  return {};
}

}  // namespace essl
