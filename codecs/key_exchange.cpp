#include "codecs/key_exchange.hpp"

namespace essl::codec {

namespace {

constexpr size_t max8 = 0xff;
constexpr size_t max16 = 0xffff;

//= https://www.rfc-editor.org/rfc/rfc8422#section-5.4
//# enum { deprecated (1..2), named_curve (3), reserved(248..255) } ECCurveType;
constexpr uint8_t curve_type_named_curve = 3;

Bytes copy(ByteView b) { return Bytes(b.begin(), b.end()); }

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.3
//# struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>; opaque dh_Ys<1..2^16-1>; } ServerDHParams;
ServerDHParams read_dh_params(Reader& r) {
  ServerDHParams p;
  p.dh_p = copy(r.vec16(1, max16));
  p.dh_g = copy(r.vec16(1, max16));
  p.dh_Ys = copy(r.vec16(1, max16));
  return p;
}

//= https://www.rfc-editor.org/rfc/rfc8422#section-5.4
//# struct { ECCurveType curve_type; select (curve_type) { case named_curve: NamedCurve namedcurve; };
//# } ECParameters;
//# struct { opaque point <1..2^8-1>; } ECPoint;
//# struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
ServerECDHParams read_ecdh_params(Reader& r) {
  ServerECDHParams p{};
  if (r.u8() != curve_type_named_curve) r.fail(DecodeError::illegal_value);
  p.named_curve = r.u16();
  p.point = copy(r.vec8(1, max8));
  return p;
}

ServerSRPParams read_srp_params(Reader& r) {
  ServerSRPParams p;
  p.srp_N = copy(r.vec16(1, max16));
  p.srp_g = copy(r.vec16(1, max16));
  p.srp_s = copy(r.vec8(1, max8));
  p.srp_B = copy(r.vec16(1, max16));
  return p;
}

}  // namespace

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.3
//# struct { select (KeyExchangeAlgorithm) {
//#     case dh_anon: ServerDHParams params;
//#     case dhe_dss: case dhe_rsa: ServerDHParams params; digitally-signed struct { ... } signed_params;
//# }; } ServerKeyExchange;
//= https://www.rfc-editor.org/rfc/rfc4279#section-2
//# struct {
//#     select (KeyExchangeAlgorithm) {
//#         /* other cases for rsa, diffie_hellman, etc. */
//#         case psk:  /* NEW */
//#             opaque psk_identity_hint<0..2^16-1>;
//#     };
//# } ServerKeyExchange;
//= https://www.rfc-editor.org/rfc/rfc4279#section-3
//# case diffie_hellman_psk:  /* NEW */
//#     opaque psk_identity_hint<0..2^16-1>;
//#     ServerDHParams params;
DecodeResult<ServerKeyExchange> decode_server_key_exchange(ByteView body, KexFormat format, bool is_signed,
                                                           bool tls12, bool psk) {
  Reader r(body);
  ServerKeyExchange m;
  if (psk) m.psk_identity_hint = copy(r.vec16(0, max16));
  const size_t params_at = body.size() - r.remaining();
  switch (format) {
    case KexFormat::dhe: m.params = read_dh_params(r); break;
    case KexFormat::ecdhe: m.params = read_ecdh_params(r); break;
    case KexFormat::srp: m.params = read_srp_params(r); break;
    case KexFormat::none:
      m.params = NoParams{};
      if (!psk) r.fail(DecodeError::illegal_value);
      break;
    case KexFormat::rsa: r.fail(DecodeError::illegal_value); break;
  }
  if (!r.failed()) m.params_bytes = copy(body.subspan(params_at, body.size() - r.remaining() - params_at));
  if (is_signed) {
    DigitallySigned d;
    read_digitally_signed(r, tls12, d);
    m.signed_ = std::move(d);
  }
  return r.finish(std::move(m));
}

void encode_server_key_exchange_params(const ServerKeyExchange& m, Writer& w) {
  if (const auto* dh = std::get_if<ServerDHParams>(&m.params)) {
    w.vec16(dh->dh_p);
    w.vec16(dh->dh_g);
    w.vec16(dh->dh_Ys);
  } else if (const auto* ec = std::get_if<ServerECDHParams>(&m.params)) {
    w.u8(curve_type_named_curve);
    w.u16(ec->named_curve);
    w.vec8(ec->point);
  } else if (const auto* srp = std::get_if<ServerSRPParams>(&m.params)) {
    w.vec16(srp->srp_N);
    w.vec16(srp->srp_g);
    w.vec8(srp->srp_s);
    w.vec16(srp->srp_B);
  }
}

void encode_server_key_exchange(const ServerKeyExchange& m, Writer& w) {
  if (m.psk_identity_hint) w.vec16(*m.psk_identity_hint);
  encode_server_key_exchange_params(m, w);
  if (m.signed_) write_digitally_signed(*m.signed_, w);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.7.1
//# struct { public-key-encrypted PreMasterSecret pre_master_secret; } EncryptedPreMasterSecret;
//# Implementation note: Public-key-encrypted data is represented as an opaque vector <0..2^16-1>
//# [...] Note that this applies only to TLS; SSL 3.0 omits the length bytes.
//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.7.2
//# struct { select (PublicValueEncoding) { case implicit: struct { };
//#          case explicit: opaque dh_Yc<1..2^16-1>; } dh_public; } ClientDiffieHellmanPublic;
//= https://www.rfc-editor.org/rfc/rfc8422#section-5.7
//# struct { select (PublicValueEncoding) { case implicit: struct { }; case explicit: ECPoint ecdh_Yc; }
//# ecdh_public; } ClientECDiffieHellmanPublic;
// essl has no fixed-(EC)DH client certificates, so the public value is always explicit.
//= https://www.rfc-editor.org/rfc/rfc4279#section-2
//# struct {
//#     select (KeyExchangeAlgorithm) {
//#         case psk:   /* NEW */
//#             opaque psk_identity<0..2^16-1>;
//#     } exchange_keys;
//# } ClientKeyExchange;
// (diffie_hellman_psk: the identity, then ClientDiffieHellmanPublic; rsa_psk: the identity, then
// EncryptedPreMasterSecret; RFC 4279 3, 4.)
DecodeResult<ClientKeyExchange> decode_client_key_exchange(ByteView body, KexFormat format, bool ssl3, bool psk) {
  Reader r(body);
  ClientKeyExchange m;
  if (psk) m.psk_identity = copy(r.vec16(0, max16));
  switch (format) {
    case KexFormat::rsa: m.exchange_keys = copy(ssl3 ? r.rest() : r.vec16(0, max16)); break;
    case KexFormat::dhe: m.exchange_keys = copy(r.vec16(1, max16)); break;
    case KexFormat::ecdhe: m.exchange_keys = copy(r.vec8(1, max8)); break;
    //= https://www.rfc-editor.org/rfc/rfc5054#section-2.8.4
    //# opaque srp_A<1..2^16-1>;
    case KexFormat::srp: m.exchange_keys = copy(r.vec16(1, max16)); break;
    case KexFormat::none:
      if (!psk) r.fail(DecodeError::illegal_value);
      break;
  }
  return r.finish(std::move(m));
}

void encode_client_key_exchange(const ClientKeyExchange& m, KexFormat format, bool ssl3, Writer& w) {
  if (m.psk_identity) w.vec16(*m.psk_identity);
  switch (format) {
    case KexFormat::rsa:
      if (ssl3) w.bytes(m.exchange_keys);
      else w.vec16(m.exchange_keys);
      break;
    case KexFormat::dhe: w.vec16(m.exchange_keys); break;
    case KexFormat::ecdhe: w.vec8(m.exchange_keys); break;
    case KexFormat::srp: w.vec16(m.exchange_keys); break;
    case KexFormat::none: break;
  }
}

}  // namespace essl::codec
