// Target functions: essl::codec::decode_alert, encode_alert, decode_change_cipher_spec,
// encode_change_cipher_spec
#include "codecs/record.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  ByteView in(data, size);
  essl::fuzz::round_trip(in, encode_alert, decode_alert);
  essl::fuzz::round_trip(in, encode_change_cipher_spec, decode_change_cipher_spec);
  return 0;
}
