// Client: the ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4): signature check (none for the anonymous
// key exchanges), then our half of the (EC)DH agreement.
#include <algorithm>

#include "codecs/key_exchange.hpp"
#include "crypto_glue/srp.hpp"
#include "statemachine/connection.hpp"

namespace essl {

namespace {

// The signature over the randoms and the params, by the server certificate's key.
Step check_server_signature(Conn& c, const codec::ServerKeyExchange& m) {
  HandshakeState& hs = *c.hs;
  if (!m.signed_) return refuse(AlertDescription::decode_error, "unsigned server_key_exchange");

  const crypto::Certificate& leaf = hs.peer_chain.front();
  uint16_t scheme = 0;
  if (c.tls12()) {
    scheme = m.signed_->algorithm.value_or(0);
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.3
    //# If the client has offered the "signature_algorithms" extension, the
    //# signature algorithm and hash algorithm MUST be a pair listed in that
    //# extension.
    if (std::find(hs.offered_sig_algs.begin(), hs.offered_sig_algs.end(), scheme) == hs.offered_sig_algs.end() ||
        choose_scheme(leaf.key_algo(), {scheme}) != scheme)
      return refuse(AlertDescription::illegal_parameter, "signature algorithm not offered");
  }
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.3
  //# digitally-signed struct {
  //#     opaque client_random[32];
  //#     opaque server_random[32];
  //#     ServerDHParams params;
  //# } signed_params;
  codec::Bytes signed_data;
  signed_data.reserve(64 + m.params_bytes.size());
  signed_data.insert(signed_data.end(), hs.client_random.begin(), hs.client_random.end());
  signed_data.insert(signed_data.end(), hs.server_random.begin(), hs.server_random.end());
  signed_data.insert(signed_data.end(), m.params_bytes.begin(), m.params_bytes.end());
  if (!crypto::verify_signature(leaf, scheme, signed_data, m.signed_->signature))
    return refuse(AlertDescription::decrypt_error, "bad server_key_exchange signature");
  return {};
}

// Our half of the (EC)DH agreement with the server's params; the premaster secret.
Step agree_server_params(Conn& c, const codec::ServerKeyExchange& m) {
  HandshakeState& hs = *c.hs;
  if (std::holds_alternative<codec::NoParams>(m.params)) return {};
  if (auto* srp = std::get_if<codec::ServerSRPParams>(&m.params)) {
    const auto& id = c.cfg->options.srp_identity;
    if (!id) return refuse(AlertDescription::internal_error, "no srp_identity");
    hs.kex = crypto::srp_client(id->first, id->second, srp->srp_N, srp->srp_g, srp->srp_s, c.rng());
    if (!hs.kex) return refuse(AlertDescription::insufficient_security, "unknown SRP group");
    auto s = hs.kex->agree(srp->srp_B);
    if (!s) return refuse(s.error(), "SRP B");
    hs.premaster = std::move(s.value());
    return {};
  }
  Result<codec::Bytes, AlertDescription> premaster = codec::Bytes{};
  if (auto* dh = std::get_if<codec::ServerDHParams>(&m.params)) {
    hs.kex = crypto::dh(crypto::DhParams{dh->dh_p, dh->dh_g}, c.rng());
    if (!hs.kex) return refuse(AlertDescription::insufficient_security, "DH parameters");
    premaster = hs.kex->agree(dh->dh_Ys);
  } else {
    const auto& ec = std::get<codec::ServerECDHParams>(m.params);
    // RFC 8422 5.4: the server picks one of the groups the client offered.
    if (std::find(hs.offered_groups.begin(), hs.offered_groups.end(), ec.named_curve) == hs.offered_groups.end())
      return refuse(AlertDescription::illegal_parameter, "group not offered");
    hs.kex = crypto::ecdh(ec.named_curve, c.rng());
    if (!hs.kex) return refuse(AlertDescription::illegal_parameter, "group");
    hs.group = ec.named_curve;
    premaster = hs.kex->agree(ec.point);
  }
  if (!premaster) return refuse(premaster.error(), "server key exchange value");
  hs.premaster = std::move(premaster.value());
  return {};
}

}  // namespace

Step client_on_server_key_exchange(Conn& c, const In& in) {
  const KeyExchange k = c.suite->spec.key_exchange;
  codec::KexFormat format = kex_format(k);
  // RSA_PSK's ClientKeyExchange carries an RSA-encrypted secret; its ServerKeyExchange only the hint.
  if (format == codec::KexFormat::rsa) format = codec::KexFormat::none;
  const bool anonymous = kex_unsigned_ske(k);
  auto m = codec::decode_server_key_exchange(in.body, format, /*is_signed=*/!anonymous, c.tls12(), kex_psk(k));
  if (!m) return refuse(codec::alert_for(m.error()), "server_key_exchange");
  // An empty hint (DHE_PSK's ServerKeyExchange always carries the field) is no hint: the lookup fun
  // gets undefined.
  if (m->psk_identity_hint && !m->psk_identity_hint->empty())
    c.hs->psk_hint = std::string(m->psk_identity_hint->begin(), m->psk_identity_hint->end());
  if (!anonymous) {
    if (auto ok = check_server_signature(c, *m); !ok) return ok;
  }
  return agree_server_params(c, *m);
}

}  // namespace essl
