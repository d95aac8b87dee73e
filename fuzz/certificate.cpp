// Target functions: essl::codec::decode_certificate, encode_certificate
#include "codecs/certificate.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  essl::fuzz::round_trip(ByteView(data, size), encode_certificate, decode_certificate);
  return 0;
}
