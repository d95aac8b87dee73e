#include "codecs/record.hpp"

namespace essl::codec {

bool content_type_known(uint8_t v) {
  switch (ContentType(v)) {
    case ContentType::change_cipher_spec:
    case ContentType::alert:
    case ContentType::handshake:
    case ContentType::application_data:
      return true;
  }
  return false;
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-6.2.1
//# The length MUST NOT exceed 2^14 + 2048.
// The header is checked before any of the record's body arrives, so the limit used is the widest one
// (TLSCiphertext); the record layer applies the tighter plaintext limit after decryption.
DecodeResult<RecordHeader> decode_record_header(ByteView in) {
  Reader r(in);
  uint8_t type = r.u8();
  uint16_t version = r.u16();
  uint16_t length = r.u16();
  if (!r.failed()) {
    if (!content_type_known(type) || version >> 8 != 3) r.fail(DecodeError::illegal_value);
    else if (length > max_ciphertext) r.fail(DecodeError::length_out_of_range);
  }
  return r.finish(RecordHeader{ContentType(type), version, length});
}

void encode_record_header(const RecordHeader& h, Writer& w) {
  w.u8(uint8_t(h.type));
  w.u16(h.version);
  w.u16(h.length);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.2
//# enum { warning(1), fatal(2), (255) } AlertLevel;
DecodeResult<Alert> decode_alert(ByteView in) {
  Reader r(in);
  uint8_t level = r.u8();
  uint8_t description = r.u8();
  if (!r.failed() && level != uint8_t(AlertLevel::warning) && level != uint8_t(AlertLevel::fatal))
    r.fail(DecodeError::illegal_value);
  return r.finish(Alert{AlertLevel(level), AlertDescription(description)});
}

void encode_alert(const Alert& a, Writer& w) {
  w.u8(uint8_t(a.level));
  w.u8(uint8_t(a.description));
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.1
//# struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec;
constexpr uint8_t change_cipher_spec_value = 1;

DecodeResult<ChangeCipherSpec> decode_change_cipher_spec(ByteView in) {
  Reader r(in);
  if (r.u8() != change_cipher_spec_value) r.fail(DecodeError::illegal_value);
  return r.finish(ChangeCipherSpec{});
}

void encode_change_cipher_spec(const ChangeCipherSpec&, Writer& w) { w.u8(change_cipher_spec_value); }

}  // namespace essl::codec
