// Client: the server's Certificate (RFC 5246 7.4.2) and CertificateRequest (7.4.4).
#include <algorithm>

#include "codecs/certificate.hpp"
#include "statemachine/connection.hpp"

namespace essl {

Step client_on_certificate(Conn& c, const In& in) {
  auto m = codec::decode_certificate(in.body);
  if (!m) return refuse(codec::alert_for(m.error()), "certificate");
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.2
  //# The server MUST send a Certificate message whenever the agreed-
  //# upon key exchange method uses certificates for authentication
  if (m->certificate_list.empty()) return refuse(AlertDescription::bad_certificate, "empty server certificate");
  if (auto ok = accept_peer_chain(c, m->certificate_list); !ok) return ok;
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.2
  //# The end entity certificate's public key (and associated
  //# restrictions) MUST be compatible with the selected key exchange
  //# algorithm.
  if (c.hs->peer_chain.front().key_algo() != suite_cert_algo(c.suite->spec.key_exchange))
    return refuse(AlertDescription::unsupported_certificate, "certificate key does not suit the key exchange");
  if (kex_static_ecdh(c.suite->spec.key_exchange)) {
    //= https://www.rfc-editor.org/rfc/rfc4492#section-2.1
    //# In ECDH_ECDSA, the server's certificate MUST contain an ECDH-capable
    //# public key [...] The client generates an ECDH key pair on the same curve
    //# as the server's long-term public key
    HandshakeState& hs = *c.hs;
    const crypto::Certificate& leaf = hs.peer_chain.front();
    hs.group = leaf.ec_named_group();
    if (hs.group == 0 || std::find(hs.offered_groups.begin(), hs.offered_groups.end(), hs.group) == hs.offered_groups.end())
      return refuse(AlertDescription::illegal_parameter, "certificate curve not offered");
    hs.kex = crypto::ecdh(hs.group, c.rng());
    if (!hs.kex) return refuse(AlertDescription::illegal_parameter, "certificate curve");
    auto premaster = hs.kex->agree(crypto::ec_public_point(leaf));
    if (!premaster) return refuse(premaster.error(), "certificate ECDH key");
    hs.premaster = std::move(premaster.value());
  }
  return {};
}

Step client_on_certificate_request(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  auto m = codec::decode_certificate_request(in.body, c.tls12());
  if (!m) return refuse(codec::alert_for(m.error()), "certificate_request");
  c.set(table::f_cert_requested);
  hs.cert_req_sig_algs = m->supported_signature_algorithms;
  const Config& cfg = *c.cfg;
  if (cfg.chain.empty() || !cfg.key) return {};
  // Our certificate goes only where the server can use it: a type it lists and, in TLS 1.2, a
  // signature algorithm it lists. Otherwise an empty Certificate (RFC 5246 7.4.6).
  crypto::KeyAlgo algo = cfg.key->algo();
  auto type = algo == crypto::KeyAlgo::rsa     ? codec::ClientCertificateType::rsa_sign
              : algo == crypto::KeyAlgo::ecdsa ? codec::ClientCertificateType::ecdsa_sign
                                               : codec::ClientCertificateType::dss_sign;
  const auto& types = m->certificate_types;
  if (std::find(types.begin(), types.end(), uint8_t(type)) == types.end()) return {};
  if (c.tls12()) {
    hs.sig_scheme = choose_scheme(algo, m->supported_signature_algorithms);
    if (hs.sig_scheme == 0) return {};
  }
  hs.client_sends_cert = true;
  return {};
}

}  // namespace essl
