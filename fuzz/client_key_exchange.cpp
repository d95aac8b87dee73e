// Target functions: essl::codec::decode_client_key_exchange, encode_client_key_exchange
// Input: a flags byte (value % 3: rsa, dhe, ecdhe; bit 2: SSL 3.0 layout), then the body.
#include "codecs/key_exchange.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl::codec;
  auto [flags, in] = essl::fuzz::split(data, size);
  const KexFormat formats[] = {KexFormat::rsa, KexFormat::dhe, KexFormat::ecdhe};
  KexFormat format = formats[(flags & 3) % 3];
  bool ssl3 = flags & 4;
  essl::fuzz::round_trip(
      in, [=](const ClientKeyExchange& m, Writer& w) { encode_client_key_exchange(m, format, ssl3, w); },
      [=](ByteView b) { return decode_client_key_exchange(b, format, ssl3); });
  return 0;
}
