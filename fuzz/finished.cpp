// Target functions: essl::codec::decode_finished, encode_finished
// Input: a flags byte (bit 0: SSL 3.0's 36-byte verify_data, else TLS's 12), then the body.
#include "codecs/finished.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  auto [flags, in] = essl::fuzz::split(data, size);
  size_t len = flags & 1 ? 36 : 12;
  essl::fuzz::round_trip(in, encode_finished, [len](ByteView b) { return decode_finished(b, len); });
  return 0;
}
