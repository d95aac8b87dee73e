// Target functions: essl::codec::decode_handshake_header, decode_hello_request, decode_server_hello_done
// and their encoders
#include "codecs/handshake.hpp"
#include "fuzz_common.hpp"

namespace {
void encode_header(const essl::codec::HandshakeHeader& h, essl::codec::Writer& w) {
  w.u8(uint8_t(h.type));
  w.u24(h.length);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  ByteView in(data, size);
  essl::fuzz::round_trip(in, encode_header, decode_handshake_header);
  essl::fuzz::round_trip(in, encode_hello_request, decode_hello_request);
  essl::fuzz::round_trip(in, encode_server_hello_done, decode_server_hello_done);
  return 0;
}
