// Certificate, CertificateRequest, CertificateVerify (RFC 5246 7.4.2, 7.4.4, 7.4.8).
#pragma once
#include <optional>

#include "codecs/wire.hpp"

namespace essl::codec {

struct Certificate {
  std::vector<Bytes> certificate_list;  // ASN.1Cert<1..2^24-1> each, list <0..2^24-1>
  bool operator==(const Certificate&) const = default;
};
DecodeResult<Certificate> decode_certificate(ByteView body);
void encode_certificate(const Certificate& m, Writer& w);

// ClientCertificateType
enum class ClientCertificateType : uint8_t { rsa_sign = 1, dss_sign = 2, rsa_fixed_dh = 3, dss_fixed_dh = 4,
                                             ecdsa_sign = 64, rsa_fixed_ecdh = 65, ecdsa_fixed_ecdh = 66 };

struct CertificateRequest {
  Bytes certificate_types;                        // <1..2^8-1>
  std::vector<uint16_t> supported_signature_algorithms;  // TLS 1.2 only: <2..2^16-2>
  std::vector<Bytes> certificate_authorities;     // DistinguishedName<1..2^16-1> each, list <0..2^16-1>
  bool operator==(const CertificateRequest&) const = default;
};
// `tls12`: the signature algorithms list is present.
DecodeResult<CertificateRequest> decode_certificate_request(ByteView body, bool tls12);
void encode_certificate_request(const CertificateRequest& m, bool tls12, Writer& w);

// digitally-signed struct: TLS 1.2 carries the SignatureAndHashAlgorithm.
struct DigitallySigned {
  std::optional<uint16_t> algorithm;  // present iff TLS 1.2
  Bytes signature;                    // <0..2^16-1>
  bool operator==(const DigitallySigned&) const = default;
};
void read_digitally_signed(Reader& r, bool tls12, DigitallySigned& out);
void write_digitally_signed(const DigitallySigned& d, Writer& w);

struct CertificateVerify {
  DigitallySigned signed_;
  bool operator==(const CertificateVerify&) const = default;
};
DecodeResult<CertificateVerify> decode_certificate_verify(ByteView body, bool tls12);
void encode_certificate_verify(const CertificateVerify& m, Writer& w);

}  // namespace essl::codec
