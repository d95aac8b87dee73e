// Target functions: essl::codec::decode_server_hello, encode_server_hello, read_extensions, and the
// typed codec of each extension found
#include "codecs/hello.hpp"
#include "fuzz_common.hpp"
#include "hello_extensions.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  ByteView in(data, size);
  essl::fuzz::round_trip(in, encode_server_hello, decode_server_hello);
  if (auto m = decode_server_hello(in); m.ok()) essl::fuzz::round_trip_known_extensions(m->extensions);
  return 0;
}
