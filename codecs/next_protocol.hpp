// NextProtocol (draft-agl-tls-nextprotoneg-04 4), handshake type next_protocol(67): the client's choice,
// sent encrypted between ChangeCipherSpec and Finished.
#pragma once
#include <string>

#include "codecs/wire.hpp"

namespace essl::codec {

struct NextProtocol {
  std::string selected_protocol;  // <0..255>
  Bytes padding;                  // <0..255>
  bool operator==(const NextProtocol&) const = default;
};
DecodeResult<NextProtocol> decode_next_protocol(ByteView body);
void encode_next_protocol(const NextProtocol& m, Writer& w);
// The message for `protocol` with the zero padding the draft asks for.
NextProtocol make_next_protocol(std::string protocol);

}  // namespace essl::codec
