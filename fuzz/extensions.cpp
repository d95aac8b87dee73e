// Target functions: essl::codec::decode_extensions, decode_server_name, decode_supported_groups,
// decode_ec_point_formats, decode_signature_algorithms, decode_renegotiation_info, decode_alpn,
// decode_npn_protocols and their encoders
// Input: one selector byte (which codec), then the bytes for it.
#include "codecs/extensions.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  using essl::fuzz::round_trip;
  auto [sel, in] = essl::fuzz::split(data, size);
  switch (sel % 8) {
    case 0: round_trip(in, encode_extensions, decode_extensions); break;
    case 1: round_trip(in, encode_server_name, decode_server_name); break;
    case 2: round_trip(in, encode_supported_groups, decode_supported_groups); break;
    case 3: round_trip(in, encode_ec_point_formats, decode_ec_point_formats); break;
    case 4: round_trip(in, encode_signature_algorithms, decode_signature_algorithms); break;
    case 5: round_trip(in, encode_renegotiation_info, decode_renegotiation_info); break;
    case 6: round_trip(in, encode_alpn, decode_alpn); break;
    default: round_trip(in, encode_npn_protocols, decode_npn_protocols); break;
  }
  return 0;
}
