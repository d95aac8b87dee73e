// ServerKeyExchange and ClientKeyExchange (RFC 5246 7.4.3, 7.4.7; RFC 4492 5.4, 5.7; RFC 8422; RFC 4279
// for PSK).
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
  none,   // PSK: no params; ServerKeyExchange holds the identity hint, ClientKeyExchange the identity
  srp,    // ServerSRPParams (+ signature for SRP_RSA, SRP_DSS); ClientSRPPublic (RFC 5054 2.8)
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

//= https://www.rfc-editor.org/rfc/rfc5054#section-2.8.3
//# struct {
//#    opaque srp_N<1..2^16-1>;
//#    opaque srp_g<1..2^16-1>;
//#    opaque srp_s<1..2^8-1>;
//#    opaque srp_B<1..2^16-1>;
//# } ServerSRPParams;     /* SRP parameters */
struct ServerSRPParams {
  Bytes srp_N, srp_g, srp_s, srp_B;
  bool operator==(const ServerSRPParams&) const = default;
};

// The PSK and RSA_PSK key exchanges' ServerKeyExchange has no params, only the hint.
struct NoParams {
  bool operator==(const NoParams&) const = default;
};

struct ServerKeyExchange {
  std::variant<ServerDHParams, ServerECDHParams, NoParams, ServerSRPParams> params;
  Bytes params_bytes;  // the exact encoded params: what the signature covers (set by decode and encode)
  std::optional<DigitallySigned> signed_;  // absent for anonymous key exchanges
  // RFC 4279 2, 3, 4: PSK key exchanges put `opaque psk_identity_hint<0..2^16-1>` before the params.
  std::optional<Bytes> psk_identity_hint;
  bool operator==(const ServerKeyExchange& o) const {
    return psk_identity_hint == o.psk_identity_hint && params == o.params && signed_ == o.signed_;
  }
};
// format must be dhe, ecdhe or none (none only with psk); `is_signed` false for anonymous and PSK key
// exchanges; tls12 selects the signature layout; psk: the identity hint comes first.
DecodeResult<ServerKeyExchange> decode_server_key_exchange(ByteView body, KexFormat format, bool is_signed,
                                                           bool tls12, bool psk = false);
// The params alone (what the signature covers), then the whole message (params and signature).
void encode_server_key_exchange_params(const ServerKeyExchange& m, Writer& w);
void encode_server_key_exchange(const ServerKeyExchange& m, Writer& w);

struct ClientKeyExchange {
  // rsa: encrypted premaster; dhe: dh_Yc; ecdhe: the ECPoint; none: empty; srp: srp_A.
  Bytes exchange_keys;
  // RFC 4279: PSK key exchanges put `opaque psk_identity<0..2^16-1>` before the above.
  std::optional<Bytes> psk_identity;
  bool operator==(const ClientKeyExchange&) const = default;
};
// rsa: opaque<0..2^16-1> for TLS, the raw remainder for SSL 3.0 (`ssl3`); dhe: opaque dh_Yc<1..2^16-1>;
// ecdhe: opaque point <1..2^8-1>; none (only with psk): nothing; srp: opaque srp_A<1..2^16-1>. psk: the
// identity first.
DecodeResult<ClientKeyExchange> decode_client_key_exchange(ByteView body, KexFormat format, bool ssl3,
                                                           bool psk = false);
// Writes the identity when m.psk_identity is set.
void encode_client_key_exchange(const ClientKeyExchange& m, KexFormat format, bool ssl3, Writer& w);

}  // namespace essl::codec
