// ClientHello and ServerHello (RFC 5246 7.4.1.2, 7.4.1.3).
#pragma once
#include <array>

#include "codecs/extensions.hpp"

namespace essl::codec {

using Random = std::array<uint8_t, 32>;

constexpr uint16_t scsv_empty_renegotiation_info = 0x00ff;  // RFC 5746 3.3
constexpr uint16_t scsv_fallback = 0x5600;                  // RFC 7507

struct ClientHello {
  uint16_t client_version;
  Random random;
  Bytes session_id;                      // <0..32>
  std::vector<uint16_t> cipher_suites;   // <2..2^16-2>
  Bytes compression_methods;             // <1..2^8-1>
  bool extensions_present = false;       // an (even empty) extensions block followed
  std::vector<Extension> extensions;
  bool operator==(const ClientHello&) const = default;
};
DecodeResult<ClientHello> decode_client_hello(ByteView body);
void encode_client_hello(const ClientHello& m, Writer& w);

struct ServerHello {
  uint16_t server_version;
  Random random;
  Bytes session_id;  // <0..32>
  uint16_t cipher_suite;
  uint8_t compression_method;
  bool extensions_present = false;
  std::vector<Extension> extensions;
  bool operator==(const ServerHello&) const = default;
};
DecodeResult<ServerHello> decode_server_hello(ByteView body);
void encode_server_hello(const ServerHello& m, Writer& w);

}  // namespace essl::codec
