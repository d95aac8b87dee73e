#include "codecs/handshake.hpp"

namespace essl::codec {

bool handshake_type_known(uint8_t v) { return handshake_name(HandshakeType(v)) != "unknown"; }

std::string_view handshake_name(HandshakeType t) {
  switch (t) {
    case HandshakeType::hello_request: return "hello_request";
    case HandshakeType::client_hello: return "client_hello";
    case HandshakeType::server_hello: return "server_hello";
    case HandshakeType::certificate: return "certificate";
    case HandshakeType::server_key_exchange: return "server_key_exchange";
    case HandshakeType::certificate_request: return "certificate_request";
    case HandshakeType::server_hello_done: return "server_hello_done";
    case HandshakeType::certificate_verify: return "certificate_verify";
    case HandshakeType::client_key_exchange: return "client_key_exchange";
    case HandshakeType::finished: return "finished";
    case HandshakeType::next_protocol: return "next_protocol";
  }
  return "unknown";
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4
//# struct { HandshakeType msg_type; uint24 length; ... } Handshake;
DecodeResult<HandshakeHeader> decode_handshake_header(ByteView in) {
  Reader r(in);
  uint8_t type = r.u8();
  uint32_t length = r.u24();
  if (!r.failed()) {
    if (!handshake_type_known(type)) r.fail(DecodeError::illegal_value);
    else if (length > max_handshake_body) r.fail(DecodeError::length_out_of_range);
  }
  return r.finish(HandshakeHeader{HandshakeType(type), length});
}

void encode_handshake(HandshakeType t, ByteView body, Writer& w) {
  w.u8(uint8_t(t));
  w.vec24(body);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.1
//# struct { } HelloRequest;
DecodeResult<HelloRequest> decode_hello_request(ByteView in) { return Reader(in).finish(HelloRequest{}); }
void encode_hello_request(const HelloRequest&, Writer&) {}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.5
//# struct { } ServerHelloDone;
DecodeResult<ServerHelloDone> decode_server_hello_done(ByteView in) {
  return Reader(in).finish(ServerHelloDone{});
}
void encode_server_hello_done(const ServerHelloDone&, Writer&) {}

}  // namespace essl::codec
