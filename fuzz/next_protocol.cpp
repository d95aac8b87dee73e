// Target functions: essl::codec::decode_next_protocol, encode_next_protocol
#include "codecs/next_protocol.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  essl::fuzz::round_trip(ByteView(data, size), encode_next_protocol, decode_next_protocol);
  return 0;
}
