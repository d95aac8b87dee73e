#include "codecs/certificate.hpp"

namespace essl::codec {

namespace {
constexpr size_t max8 = 0xff;
constexpr size_t max16 = 0xffff;
constexpr size_t max24 = 0xffffff;

// A vector of opaque<1..max> items (each with `item_prefix` length bytes), itself <0..list_max>.
void read_opaque_list(Reader& r, int list_prefix, size_t list_max, int item_prefix, size_t item_max,
                      std::vector<Bytes>& out) {
  Reader list(r.vec(list_prefix, 0, list_max, 1));
  while (!list.failed() && !list.empty()) {
    ByteView item = list.vec(item_prefix, 1, item_max, 1);
    if (!list.failed()) out.emplace_back(item.begin(), item.end());
  }
  list.finish_into(r);
}
}  // namespace

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.2
//# opaque ASN.1Cert<1..2^24-1>;
//# struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
DecodeResult<Certificate> decode_certificate(ByteView body) {
  Reader r(body);
  Certificate m;
  read_opaque_list(r, 3, max24, 3, max24, m.certificate_list);
  return r.finish(std::move(m));
}

void encode_certificate(const Certificate& m, Writer& w) {
  auto p = w.prefix(3);
  for (const Bytes& c : m.certificate_list) w.vec24(c);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.4
//# struct {
//#     ClientCertificateType certificate_types<1..2^8-1>;
//#     SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
//#     DistinguishedName certificate_authorities<0..2^16-1>;
//# } CertificateRequest;
//# opaque DistinguishedName<1..2^16-1>;
// The supported_signature_algorithms bound is read as in 7.4.1.4.1 (<2..2^16-2>); RFC 4346 has no
// such field.
DecodeResult<CertificateRequest> decode_certificate_request(ByteView body, bool tls12) {
  Reader r(body);
  CertificateRequest m;
  ByteView types = r.vec8(1, max8);
  m.certificate_types.assign(types.begin(), types.end());
  if (tls12) {
    ByteView algs = r.vec16(2, max16 - 1, 2);
    for (size_t i = 0; i + 1 < algs.size(); i += 2)
      m.supported_signature_algorithms.push_back(uint16_t(algs[i] << 8 | algs[i + 1]));
  }
  read_opaque_list(r, 2, max16, 2, max16, m.certificate_authorities);
  return r.finish(std::move(m));
}

void encode_certificate_request(const CertificateRequest& m, bool tls12, Writer& w) {
  w.vec8(m.certificate_types);
  if (tls12) {
    auto p = w.prefix(2);
    for (uint16_t a : m.supported_signature_algorithms) w.u16(a);
  }
  auto p = w.prefix(2);
  for (const Bytes& dn : m.certificate_authorities) w.vec16(dn);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-4.7
//# A digitally-signed element is encoded as a struct DigitallySigned:
//# struct { SignatureAndHashAlgorithm algorithm; opaque signature<0..2^16-1>; } DigitallySigned;
// Before TLS 1.2 (RFC 4346 4.7) the algorithm is implied by the key and only the signature is sent.
void read_digitally_signed(Reader& r, bool tls12, DigitallySigned& out) {
  out.algorithm.reset();
  if (tls12) out.algorithm = r.u16();
  ByteView sig = r.vec16(0, max16);
  out.signature.assign(sig.begin(), sig.end());
}

void write_digitally_signed(const DigitallySigned& d, Writer& w) {
  if (d.algorithm) w.u16(*d.algorithm);
  w.vec16(d.signature);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.8
//# struct { digitally-signed struct { opaque handshake_messages[handshake_messages_length]; } }
//# CertificateVerify;
DecodeResult<CertificateVerify> decode_certificate_verify(ByteView body, bool tls12) {
  Reader r(body);
  CertificateVerify m;
  read_digitally_signed(r, tls12, m.signed_);
  return r.finish(std::move(m));
}

void encode_certificate_verify(const CertificateVerify& m, Writer& w) { write_digitally_signed(m.signed_, w); }

}  // namespace essl::codec
