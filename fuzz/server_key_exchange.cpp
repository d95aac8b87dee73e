// Target functions: essl::codec::decode_server_key_exchange, encode_server_key_exchange,
// encode_server_key_exchange_params
// Input: a flags byte (bit 0: ECDHE rather than DHE, bit 1: signed, bit 2: TLS 1.2 layout), then the body.
#include <algorithm>
#include <cstdlib>

#include "codecs/key_exchange.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  auto [flags, in] = essl::fuzz::split(data, size);
  KexFormat format = flags & 1 ? KexFormat::ecdhe : KexFormat::dhe;
  bool is_signed = flags & 2;
  bool tls12 = flags & 4;
  auto dec = [=](ByteView b) { return decode_server_key_exchange(b, format, is_signed, tls12); };
  essl::fuzz::round_trip(in, encode_server_key_exchange, dec);
  // What the signature covers must be exactly the leading params bytes.
  if (auto m = dec(in); m.ok()) {
    Bytes params;
    Writer w(params);
    encode_server_key_exchange_params(*m, w);
    if (params != m->params_bytes || params.size() > in.size() ||
        !std::equal(params.begin(), params.end(), in.begin()))
      std::abort();
  }
  return 0;
}
