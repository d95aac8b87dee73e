// Certificate, CertificateRequest and CertificateVerify.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

rc::Gen<Certificate> certificate() {
  return rc::gen::map(list<Bytes>(0, 8, bytes(1, 0xffffff)), [](std::vector<Bytes> v) {
    return Certificate{std::move(v)};
  });
}

rc::Gen<CertificateRequest> certificate_request(bool tls12) {
  return rc::gen::map(rc::gen::tuple(bytes(1, 0xff), list<uint16_t>(1, 0x7fff, u16()),
                                     list<Bytes>(0, 8, bytes(1, 0xffff))),
                      [tls12](const auto& t) {
                        CertificateRequest m;
                        m.certificate_types = std::get<0>(t);
                        if (tls12) m.supported_signature_algorithms = std::get<1>(t);
                        m.certificate_authorities = std::get<2>(t);
                        return m;
                      });
}

rc::Gen<CertificateVerify> certificate_verify(bool tls12) {
  return rc::gen::map(digitally_signed(tls12), [](DigitallySigned d) { return CertificateVerify{std::move(d)}; });
}

RC_GTEST_PROP(CertificateProps, CertificateRoundTrip, ()) {
  check_round_trip(*certificate(), encode_certificate, decode_certificate);
}
RC_GTEST_PROP(CertificateProps, CertificateTotal, ()) {
  check_total(*near_valid(certificate(), encode_certificate), encode_certificate, decode_certificate);
}

RC_GTEST_PROP(CertificateProps, RequestRoundTrip, (bool tls12)) {
  auto enc = [tls12](const CertificateRequest& m, Writer& w) { encode_certificate_request(m, tls12, w); };
  auto dec = [tls12](ByteView b) { return decode_certificate_request(b, tls12); };
  check_round_trip(*certificate_request(tls12), enc, dec);
}
RC_GTEST_PROP(CertificateProps, RequestTotal, (bool tls12)) {
  auto enc = [tls12](const CertificateRequest& m, Writer& w) { encode_certificate_request(m, tls12, w); };
  auto dec = [tls12](ByteView b) { return decode_certificate_request(b, tls12); };
  check_total(*near_valid(certificate_request(tls12), enc), enc, dec);
}

RC_GTEST_PROP(CertificateProps, VerifyRoundTrip, (bool tls12)) {
  auto dec = [tls12](ByteView b) { return decode_certificate_verify(b, tls12); };
  check_round_trip(*certificate_verify(tls12), encode_certificate_verify, dec);
}
RC_GTEST_PROP(CertificateProps, VerifyTotal, (bool tls12)) {
  auto dec = [tls12](ByteView b) { return decode_certificate_verify(b, tls12); };
  check_total(*near_valid(certificate_verify(tls12), encode_certificate_verify), encode_certificate_verify, dec);
}

}  // namespace
}  // namespace essl::codec::props
