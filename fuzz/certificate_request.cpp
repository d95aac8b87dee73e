// Target functions: essl::codec::decode_certificate_request, encode_certificate_request
// Input: a flags byte (bit 0: TLS 1.2 layout), then the message body.
#include "codecs/certificate.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  auto [flags, in] = essl::fuzz::split(data, size);
  bool tls12 = flags & 1;
  essl::fuzz::round_trip(
      in, [tls12](const CertificateRequest& m, Writer& w) { encode_certificate_request(m, tls12, w); },
      [tls12](ByteView b) { return decode_certificate_request(b, tls12); });
  return 0;
}
