// TLS record framing (RFC 5246 6.2) and the alert and ChangeCipherSpec protocols (7.1, 7.2).
#pragma once
#include "codecs/wire.hpp"

namespace essl::codec {

enum class ContentType : uint8_t { change_cipher_spec = 20, alert = 21, handshake = 22, application_data = 23 };
bool content_type_known(uint8_t v);

constexpr size_t record_header_size = 5;
constexpr size_t max_plaintext = 1 << 14;                 // 2^14
constexpr size_t max_compressed = max_plaintext + 1024;   // TLSCompressed.length
constexpr size_t max_ciphertext = max_plaintext + 2048;   // TLSCiphertext.length

struct RecordHeader {
  ContentType type;
  uint16_t version;
  uint16_t length;
  bool operator==(const RecordHeader&) const = default;
};

// Decodes exactly 5 bytes. Unknown content type -> illegal_value (the engine sends unexpected_message);
// length > max_ciphertext -> length_out_of_range (the engine sends record_overflow). A version whose
// major byte is not 3 -> illegal_value.
DecodeResult<RecordHeader> decode_record_header(ByteView in);
void encode_record_header(const RecordHeader& h, Writer& w);

struct Alert {
  AlertLevel level;
  AlertDescription description;
  bool operator==(const Alert&) const = default;
};
// Unknown level -> illegal_value. Unknown descriptions are kept (the enum holds any uint8_t).
DecodeResult<Alert> decode_alert(ByteView in);
void encode_alert(const Alert& a, Writer& w);

struct ChangeCipherSpec {
  bool operator==(const ChangeCipherSpec&) const = default;
};
// The one byte 1.
DecodeResult<ChangeCipherSpec> decode_change_cipher_spec(ByteView in);
void encode_change_cipher_spec(const ChangeCipherSpec&, Writer& w);

}  // namespace essl::codec
