// Finished (RFC 5246 7.4.9): verify_data is 12 bytes in TLS, 36 in SSL 3.0.
#pragma once
#include "codecs/wire.hpp"

namespace essl::codec {

struct Finished {
  Bytes verify_data;
  bool operator==(const Finished&) const = default;
};
// The whole body is verify_data; its length must be `expected_len` (length_out_of_range otherwise).
DecodeResult<Finished> decode_finished(ByteView body, size_t expected_len);
void encode_finished(const Finished& m, Writer& w);

}  // namespace essl::codec
