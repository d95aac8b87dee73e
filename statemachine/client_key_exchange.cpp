// Client: on ServerHelloDone (RFC 5246 7.4.5), the second flight as one write: Certificate?,
// ClientKeyExchange (7.4.7), CertificateVerify? (7.4.8), ChangeCipherSpec, Finished.
#include "codecs/certificate.hpp"
#include "codecs/key_exchange.hpp"
#include "statemachine/connection.hpp"

namespace essl {
namespace {

void wipe(codec::Bytes& b) {
  volatile uint8_t* p = b.data();
  for (size_t i = 0; i < b.size(); ++i) p[i] = 0;
  b.clear();
}

}  // namespace

Step client_on_server_hello_done(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  if (auto m = codec::decode_server_hello_done(in.body); !m) return refuse(codec::alert_for(m.error()), "server_hello_done");

  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.6
  //# If no suitable certificate is available,
  //# the client MUST send a certificate message containing no
  //# certificates.
  if (c.has(table::f_cert_requested)) {
    codec::Certificate cert;
    if (hs.client_sends_cert)
      for (const crypto::Certificate& x : cfg.chain) cert.certificate_list.push_back(x.der());
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_certificate(cert, w);
    c.queue_handshake(codec::HandshakeType::certificate, body);
  }

  const KeyExchange k = c.suite->spec.key_exchange;
  codec::KexFormat format = kex_format(k);
  codec::ClientKeyExchange cke;
  codec::Bytes premaster;
  std::optional<codec::Bytes> psk;
  if (kex_psk(k)) {
    // The spec: the client calls user_lookup_fun with the server's hint, or undefined without one.
    psk = lookup_psk(cfg, hs.psk_hint);
    if (!psk) return refuse(AlertDescription::illegal_parameter, "user_lookup_fun has no PSK for the hint");
    const std::string identity = cfg.options.psk_identity.value_or("");
    cke.psk_identity = codec::Bytes(identity.begin(), identity.end());
  }
  if (format == codec::KexFormat::none) {
    premaster.assign(psk->size(), 0);  // RFC 4279 2: N zero octets
  } else if (format == codec::KexFormat::rsa) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.7.1
    //# client_version
    //#    The latest (newest) version supported by the client.  This is
    //#    used to detect version rollback attacks.
    premaster.resize(48);
    c.rng().fill(premaster);
    premaster[0] = uint8_t(hs.client_version >> 8);
    premaster[1] = uint8_t(hs.client_version);
    auto enc = crypto::rsa_encrypt_premaster(hs.peer_chain.front(), premaster, c.rng());
    if (!enc) return refuse(enc.error(), "rsa encryption");
    cke.exchange_keys = std::move(enc.value());
  } else {
    if (!hs.kex) return refuse(AlertDescription::internal_error, "no key agreement");
    cke.exchange_keys = hs.kex->public_value();
    premaster = std::move(hs.premaster);
  }
  {
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_client_key_exchange(cke, format, *c.version == Version::sslv3, w);
    c.queue_handshake(codec::HandshakeType::client_key_exchange, body);
  }
  if (psk) {
    codec::Bytes other = std::move(premaster);
    premaster = psk_premaster(other, *psk);
    wipe(other);
    wipe(*psk);
  }
  Step keys = c.derive_from_premaster(premaster);
  wipe(premaster);
  hs.kex.reset();
  if (!keys) return keys;

  //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.8
  //# This message is used to provide explicit verification of a client
  //# certificate.  This message is only sent following a client
  //# certificate that has signing capability
  if (hs.client_sends_cert) {
    auto sig = cfg.key->sign(c.tls12() ? hs.sig_scheme : 0, hs.transcript, c.rng());
    if (!sig) return refuse(AlertDescription::internal_error, "signing: " + sig.error());
    codec::CertificateVerify cv;
    if (c.tls12()) cv.signed_.algorithm = hs.sig_scheme;
    cv.signed_.signature = std::move(sig.value());
    codec::Bytes body;
    codec::Writer w(body);
    codec::encode_certificate_verify(cv, w);
    c.queue_handshake(codec::HandshakeType::certificate_verify, body);
  }
  c.send_change_cipher_spec();
  c.send_finished();
  return {};
}

}  // namespace essl
