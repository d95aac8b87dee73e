// ServerKeyExchange and ClientKeyExchange (RFC 5246 7.4.3, 7.4.7; RFC 4492 5.4, 5.7; RFC 8422).
// Their layout depends on the negotiated key exchange, so the decoders take it as a parameter.
#pragma once
#include <variant>

#include "codecs/certificate.hpp"

namespace essl::codec {

// The wire layouts a key exchange can use (a kex name maps to one of these in the handler).
enum class KexFormat {
  rsa,    // ClientKeyExchange: EncryptedPreMasterSecret; no ServerKeyExchange
  dhe,    // ServerDHParams (+ signature unless anonymous); ClientDiffieHellmanPublic
  ecdhe,  // ServerECDHParams (+ signature unless anonymous); ClientECDiffieHellmanPublic
};

struct ServerDHParams {
  Bytes dh_p;   // <1..2^16-1>
  Bytes dh_g;   // <1..2^16-1>
  Bytes dh_Ys;  // <1..2^16-1>
  bool operator==(const ServerDHParams&) const = default;
};

// ECParameters with curve_type named_curve(3) only (explicit curves -> illegal_value).
struct ServerECDHParams {
  uint16_t named_curve;
  Bytes point;  // ECPoint <1..2^8-1>
  bool operator==(const ServerECDHParams&) const = default;
};

struct ServerKeyExchange {
  std::variant<ServerDHParams, ServerECDHParams> params;
  Bytes params_bytes;  // the exact encoded params: what the signature covers (set by decode and encode)
  std::optional<DigitallySigned> signed_;  // absent for anonymous key exchanges
  bool operator==(const ServerKeyExchange& o) const { return params == o.params && signed_ == o.signed_; }
};
// format must be dhe or ecdhe; `is_signed` false for anonymous; tls12 selects the signature layout.
DecodeResult<ServerKeyExchange> decode_server_key_exchange(ByteView body, KexFormat format, bool is_signed,
                                                           bool tls12);
// The params alone (what the signature covers), then the whole message (params and signature).
void encode_server_key_exchange_params(const ServerKeyExchange& m, Writer& w);
void encode_server_key_exchange(const ServerKeyExchange& m, Writer& w);

struct ClientKeyExchange {
  // rsa: encrypted premaster; dhe: dh_Yc; ecdhe: the ECPoint.
  Bytes exchange_keys;
  bool operator==(const ClientKeyExchange&) const = default;
};
// rsa: opaque<0..2^16-1> for TLS, the raw remainder for SSL 3.0 (`ssl3`); dhe: opaque dh_Yc<1..2^16-1>;
// ecdhe: opaque point <1..2^8-1>.
DecodeResult<ClientKeyExchange> decode_client_key_exchange(ByteView body, KexFormat format, bool ssl3);
void encode_client_key_exchange(const ClientKeyExchange& m, KexFormat format, bool ssl3, Writer& w);

}  // namespace essl::codec
