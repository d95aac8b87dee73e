// Handshake header and the empty handshake messages.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

const std::vector<HandshakeType> all_types = {
    HandshakeType::hello_request,       HandshakeType::client_hello,        HandshakeType::server_hello,
    HandshakeType::certificate,         HandshakeType::server_key_exchange, HandshakeType::certificate_request,
    HandshakeType::server_hello_done,   HandshakeType::certificate_verify,  HandshakeType::client_key_exchange,
    HandshakeType::finished,            HandshakeType::next_protocol,
};

rc::Gen<HandshakeHeader> handshake_header() {
  return rc::gen::map(rc::gen::pair(rc::gen::elementOf(all_types),
                                    rc::gen::inRange<uint32_t>(0, uint32_t(max_handshake_body) + 1)),
                      [](const auto& p) { return HandshakeHeader{p.first, p.second}; });
}

void encode_header(const HandshakeHeader& h, Writer& w) {
  w.u8(uint8_t(h.type));
  w.u24(h.length);
}

RC_GTEST_PROP(HandshakeProps, HeaderRoundTrip, ()) {
  check_round_trip(*handshake_header(), encode_header, decode_handshake_header);
}

RC_GTEST_PROP(HandshakeProps, HeaderTotal, ()) {
  check_total(*near_valid(handshake_header(), encode_header), encode_header, decode_handshake_header);
}

RC_GTEST_PROP(HandshakeProps, EncodeHandshakeFramesBody, ()) {
  HandshakeType t = *rc::gen::elementOf(all_types);
  Bytes body = *bytes(0, 300);
  Bytes out;
  Writer w(out);
  encode_handshake(t, body, w);
  auto h = decode_handshake_header(ByteView(out).first(handshake_header_size));
  RC_ASSERT(h.ok());
  RC_ASSERT(h->type == t);
  RC_ASSERT(h->length == body.size());
  RC_ASSERT(Bytes(out.begin() + handshake_header_size, out.end()) == body);
}

RC_GTEST_PROP(HandshakeProps, EmptyMessagesTotal, (const Bytes& in)) {
  check_total(in, encode_hello_request, decode_hello_request);
  check_total(in, encode_server_hello_done, decode_server_hello_done);
}

}  // namespace
}  // namespace essl::codec::props
