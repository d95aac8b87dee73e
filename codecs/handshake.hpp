// Handshake message framing (RFC 5246 7.4): HandshakeType, the 4-byte header, and the empty messages.
#pragma once
#include "codecs/wire.hpp"

namespace essl::codec {

enum class HandshakeType : uint8_t {
  hello_request = 0,
  client_hello = 1,
  server_hello = 2,
  certificate = 11,
  server_key_exchange = 12,
  certificate_request = 13,
  server_hello_done = 14,
  certificate_verify = 15,
  client_key_exchange = 16,
  finished = 20,
  next_protocol = 67,
};
bool handshake_type_known(uint8_t v);
std::string_view handshake_name(HandshakeType t);

constexpr size_t handshake_header_size = 4;
// Largest handshake body essl accepts (a certificate chain fits well within it).
constexpr size_t max_handshake_body = 1 << 17;

struct HandshakeHeader {
  HandshakeType type;
  uint32_t length;  // 24-bit
  bool operator==(const HandshakeHeader&) const = default;
};
// Exactly 4 bytes; unknown type -> illegal_value (engine: unexpected_message); length > max_handshake_body
// -> length_out_of_range.
DecodeResult<HandshakeHeader> decode_handshake_header(ByteView in);
// Writes type, 24-bit length and body.
void encode_handshake(HandshakeType t, ByteView body, Writer& w);

struct HelloRequest {
  bool operator==(const HelloRequest&) const = default;
};
struct ServerHelloDone {
  bool operator==(const ServerHelloDone&) const = default;
};
DecodeResult<HelloRequest> decode_hello_request(ByteView in);
void encode_hello_request(const HelloRequest&, Writer&);
DecodeResult<ServerHelloDone> decode_server_hello_done(ByteView in);
void encode_server_hello_done(const ServerHelloDone&, Writer&);

}  // namespace essl::codec
