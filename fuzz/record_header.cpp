// Target functions: essl::codec::decode_record_header, encode_record_header
#include "codecs/record.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  essl::fuzz::round_trip(ByteView(data, size), encode_record_header, decode_record_header);
  return 0;
}
