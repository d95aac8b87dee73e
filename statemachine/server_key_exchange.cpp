// Server: its ServerKeyExchange (RFC 5246 7.4.3, RFC 8422 5.4) and the client's ClientKeyExchange
// (RFC 5246 7.4.7), which yields the premaster secret.
#include "codecs/key_exchange.hpp"
#include "crypto_glue/srp.hpp"
#include "statemachine/connection.hpp"

namespace essl {

Step server_send_key_exchange(Conn& c);

namespace {

size_t srp_bits(SrpParam p) {
  switch (p) {
    case SrpParam::srp_1024: return 1024;
    case SrpParam::srp_1536: return 1536;
    case SrpParam::srp_2048: return 2048;
    case SrpParam::srp_3072: return 3072;
    case SrpParam::srp_4096: return 4096;
    case SrpParam::srp_6144: return 6144;
    case SrpParam::srp_8192: return 8192;
  }
  return 0;
}

// The spec: the server calls user_lookup_fun(srp, Username, UserState) for {SRPParams, Salt,
// DerivedKey}; `error` (an unknown user) is a fatal illegal_parameter.
Step srp_params(Conn& c, codec::ServerKeyExchange& m) {
  HandshakeState& hs = *c.hs;
  const auto& f = c.cfg->options.user_lookup_fun;
  if (!f || !f->fun || !hs.srp_user) return refuse(AlertDescription::internal_error, "no SRP user");
  LookupResult r = f->fun(LookupKind::srp, *hs.srp_user, f->user_state);
  const SrpLookup* found = std::get_if<SrpLookup>(&r);
  if (!found) return refuse(AlertDescription::illegal_parameter, "unknown SRP user");
  auto group = crypto::srp_group(srp_bits(found->params));
  //= https://www.rfc-editor.org/rfc/rfc5054#section-2.8.3
  //# opaque srp_s<1..2^8-1>;
  if (!group || found->salt.empty() || found->salt.size() > 0xff)
    return refuse(AlertDescription::internal_error, "user_lookup_fun: bad SRP parameters or salt");
  hs.kex = crypto::srp_server(srp_bits(found->params), found->derived_key, c.rng());
  if (!hs.kex) return refuse(AlertDescription::internal_error, "user_lookup_fun: bad SRP derived key");
  m.params = codec::ServerSRPParams{group->N, group->g, codec::Bytes(found->salt.begin(), found->salt.end()),
                                    hs.kex->public_value()};
  return {};
}

Step queue_server_key_exchange(Conn& c, const codec::ServerKeyExchange& m) {
  codec::Bytes body;
  codec::Writer w(body);
  codec::encode_server_key_exchange(m, w);
  c.queue_handshake(codec::HandshakeType::server_key_exchange, body);
  return {};
}

}  // namespace

Step server_send_key_exchange(Conn& c) {
  HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  codec::ServerKeyExchange m;
  const KeyExchange k = c.suite->spec.key_exchange;
  //= https://www.rfc-editor.org/rfc/rfc4279#section-2
  //# psk_identity_hint
  //#    In the absence of an application profile specification specifying
  //#    otherwise, servers SHOULD NOT provide an identity hint and clients
  //#    MUST ignore the identity hint field.
  // The spec's psk_identity option on a server is its hint; DHE_PSK without one sends it empty.
  if (kex_psk(k)) {
    const std::string hint = cfg.options.psk_identity.value_or("");
    m.psk_identity_hint = codec::Bytes(hint.begin(), hint.end());
  }
  if (kex_srp(k)) {
    if (auto p = srp_params(c, m); !p) return p;
  } else if (kex_psk(k) && kex_format(k) != codec::KexFormat::dhe) {
    m.params = codec::NoParams{};
  } else if (kex_format(k) == codec::KexFormat::dhe) {
    hs.kex = crypto::dh(cfg.dh, c.rng());
    if (!hs.kex) return refuse(AlertDescription::insufficient_security, "DH parameters");
    m.params = codec::ServerDHParams{cfg.dh.p, cfg.dh.g, hs.kex->public_value()};
  } else {
    hs.kex = crypto::ecdh(hs.group, c.rng());
    if (!hs.kex) return refuse(AlertDescription::insufficient_security, "no common group");
    m.params = codec::ServerECDHParams{hs.group, hs.kex->public_value()};
  }
  {
    codec::Writer w(m.params_bytes);
    codec::encode_server_key_exchange_params(m, w);
  }
  if (kex_unsigned_ske(c.suite->spec.key_exchange)) return queue_server_key_exchange(c, m);
  codec::Bytes signed_data;
  signed_data.reserve(64 + m.params_bytes.size());
  signed_data.insert(signed_data.end(), hs.client_random.begin(), hs.client_random.end());
  signed_data.insert(signed_data.end(), hs.server_random.begin(), hs.server_random.end());
  signed_data.insert(signed_data.end(), m.params_bytes.begin(), m.params_bytes.end());
  uint16_t scheme = 0;
  if (c.tls12()) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.3
    //# If the client has offered the "signature_algorithms" extension, the
    //# signature algorithm and hash algorithm MUST be a pair listed in that
    //# extension.
    scheme = choose_scheme(cfg.key->algo(), hs.peer_sig_algs);
    if (scheme == 0) return refuse(AlertDescription::insufficient_security, "no common signature algorithm");
  }
  hs.sig_scheme = scheme;
  auto sig = cfg.key->sign(scheme, signed_data, c.rng());
  if (!sig) return refuse(AlertDescription::internal_error, "signing: " + sig.error());
  codec::DigitallySigned ds;
  if (c.tls12()) ds.algorithm = scheme;
  ds.signature = std::move(sig.value());
  m.signed_ = std::move(ds);
  return queue_server_key_exchange(c, m);
}

Step server_on_client_key_exchange(Conn& c, const In& in) {
  HandshakeState& hs = *c.hs;
  const Config& cfg = *c.cfg;
  const KeyExchange k = c.suite->spec.key_exchange;
  codec::KexFormat format = kex_format(k);
  auto m = codec::decode_client_key_exchange(in.body, format, *c.version == Version::sslv3, kex_psk(k));
  if (!m) return refuse(codec::alert_for(m.error()), "client_key_exchange");
  std::optional<codec::Bytes> psk;
  if (kex_psk(k)) {
    // The spec: the server calls user_lookup_fun with the identity the client presented; `error` (an
    // unknown identity) is a fatal illegal_parameter (reference-behaviour.md).
    psk = lookup_psk(cfg, std::string(m->psk_identity->begin(), m->psk_identity->end()));
    if (!psk) return refuse(AlertDescription::illegal_parameter, "unknown PSK identity");
  }
  codec::Bytes premaster;
  if (format == codec::KexFormat::none) {
    //= https://www.rfc-editor.org/rfc/rfc4279#section-2
    //# The premaster secret is formed as follows: if the PSK is N octets
    //# long, concatenate a uint16 with the value N, N zero octets, a second
    //# uint16 with the value N, and the PSK itself.
    premaster.assign(psk->size(), 0);
  } else if (format == codec::KexFormat::rsa) {
    //= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.7.1
    //# In any case, a TLS server MUST NOT generate an alert if processing an
    //# RSA-encrypted premaster secret message fails, or the version number
    //# is not as expected.  Instead, it MUST continue the handshake with a
    //# randomly generated premaster secret.
    premaster = crypto::rsa_decrypt_premaster(*cfg.key, m->exchange_keys, hs.client_version, c.rng());
  } else {
    if (!hs.kex) return refuse(AlertDescription::internal_error, "no key agreement");
    auto agreed = hs.kex->agree(m->exchange_keys);
    if (!agreed) return refuse(agreed.error(), "client key exchange value");
    premaster = std::move(agreed.value());
  }
  hs.kex.reset();
  if (psk) premaster = psk_premaster(premaster, *psk);
  Step keys = c.derive_from_premaster(premaster);
  volatile uint8_t* p = premaster.data();
  for (size_t i = 0; i < premaster.size(); ++i) p[i] = 0;
  return keys;
}

}  // namespace essl
