#include "codecs/finished.hpp"

namespace essl::codec {

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.9
//# struct { opaque verify_data[verify_data_length]; } Finished;
DecodeResult<Finished> decode_finished(ByteView body, size_t expected_len) {
  Reader r(body);
  if (body.size() != expected_len) r.fail(DecodeError::length_out_of_range);
  ByteView v = r.bytes(expected_len);
  return r.finish(Finished{Bytes(v.begin(), v.end())});
}

void encode_finished(const Finished& m, Writer& w) { w.bytes(m.verify_data); }

}  // namespace essl::codec
