#include "codecs/next_protocol.hpp"

namespace essl::codec {

constexpr size_t max8 = 0xff;
constexpr size_t padding_block = 32;

//= https://tools.ietf.org/html/draft-agl-tls-nextprotoneg-04#section-4
//# struct { opaque selected_protocol<0..255>; opaque padding<0..255>; } NextProtocol;
DecodeResult<NextProtocol> decode_next_protocol(ByteView body) {
  Reader r(body);
  NextProtocol m;
  ByteView p = r.vec8(0, max8);
  m.selected_protocol.assign(p.begin(), p.end());
  ByteView pad = r.vec8(0, max8);
  m.padding.assign(pad.begin(), pad.end());
  return r.finish(std::move(m));
}

void encode_next_protocol(const NextProtocol& m, Writer& w) {
  w.vec8({reinterpret_cast<const uint8_t*>(m.selected_protocol.data()), m.selected_protocol.size()});
  w.vec8(m.padding);
}

//= https://tools.ietf.org/html/draft-agl-tls-nextprotoneg-04#section-4
//# The length of padding SHOULD be 32 - ((len(selected_protocol) + 2) % 32).
NextProtocol make_next_protocol(std::string protocol) {
  size_t pad = padding_block - (protocol.size() + 2) % padding_block;
  return NextProtocol{std::move(protocol), Bytes(pad, 0)};
}

}  // namespace essl::codec
