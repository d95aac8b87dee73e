// Server: the client's Certificate (RFC 5246 7.4.6) and CertificateVerify (7.4.8).
#include <algorithm>

#include "codecs/certificate.hpp"
#include "statemachine/connection.hpp"

namespace essl {

Step server_on_certificate(Conn& c, const In& in) {
  const Config& cfg = *c.cfg;
  auto m = codec::decode_certificate(in.body);
  if (!m) return refuse(codec::alert_for(m.error()), "certificate");
  if (m->certificate_list.empty()) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.6
    //# If the client does not send any certificates, the
    //# server MAY at its discretion either continue the handshake without
    //# client authentication, or respond with a fatal handshake_failure
    //# alert.
    if (cfg.options.verify == Verify::verify_peer && cfg.options.fail_if_no_peer_cert)
      return refuse(AlertDescription::handshake_failure, "no peer certificate");
    return {};
  }
  if (auto ok = accept_peer_chain(c, m->certificate_list); !ok) return ok;
  crypto::KeyAlgo a = c.hs->peer_chain.front().key_algo();
  if (a != crypto::KeyAlgo::rsa && a != crypto::KeyAlgo::ecdsa)
    return refuse(AlertDescription::unsupported_certificate, "client certificate key");
  c.set(table::f_peer_cert_nonempty);
  return {};
}

Step server_on_certificate_verify(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  auto m = codec::decode_certificate_verify(in.body, c.tls12());
  if (!m) return refuse(codec::alert_for(m.error()), "certificate_verify");
  const crypto::Certificate& leaf = hs.peer_chain.front();
  uint16_t scheme = 0;
  if (c.tls12()) {
    scheme = m->signed_.algorithm.value_or(0);
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.8
    //# The hash and signature algorithms used in the signature MUST be
    //# one of those present in the supported_signature_algorithms field
    //# of the CertificateRequest message.
    if (choose_scheme(leaf.key_algo(), {scheme}) != scheme)
      return refuse(AlertDescription::bad_certificate, "certificate_verify algorithm");
  }
  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.8
  //# Here handshake_messages refers to all handshake messages sent or
  //# received, starting at client hello and up to, but not including,
  //# this message
  codec::ByteView signed_data = codec::ByteView(hs.transcript).first(in.transcript_before);
  if (!crypto::verify_signature(leaf, scheme, signed_data, m->signed_.signature))
    return refuse(AlertDescription::bad_certificate, "bad certificate_verify");
  return {};
}

}  // namespace essl
