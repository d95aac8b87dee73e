#include "codecs/wire.hpp"

namespace essl::codec {

AlertDescription alert_for(DecodeError e) {
  switch (e) {
    case DecodeError::illegal_value:
      return AlertDescription::illegal_parameter;
    case DecodeError::truncated:
    case DecodeError::trailing_bytes:
    case DecodeError::length_out_of_range:
    case DecodeError::duplicate_extension:
      break;
  }
  return AlertDescription::decode_error;
}

std::string_view to_string(DecodeError e) {
  switch (e) {
    case DecodeError::truncated: return "truncated";
    case DecodeError::trailing_bytes: return "trailing_bytes";
    case DecodeError::length_out_of_range: return "length_out_of_range";
    case DecodeError::illegal_value: return "illegal_value";
    case DecodeError::duplicate_extension: return "duplicate_extension";
  }
  return "unknown";
}

bool Reader::need(size_t n) {
  if (failed_) return false;
  if (in_.size() - pos_ < n) {
    fail(DecodeError::truncated);
    return false;
  }
  return true;
}

uint8_t Reader::u8() {
  if (!need(1)) return 0;
  return in_[pos_++];
}

uint16_t Reader::u16() {
  if (!need(2)) return 0;
  uint16_t v = uint16_t(in_[pos_] << 8 | in_[pos_ + 1]);
  pos_ += 2;
  return v;
}

uint32_t Reader::u24() {
  if (!need(3)) return 0;
  uint32_t v = uint32_t(in_[pos_]) << 16 | uint32_t(in_[pos_ + 1]) << 8 | in_[pos_ + 2];
  pos_ += 3;
  return v;
}

uint32_t Reader::u32() {
  if (!need(4)) return 0;
  uint32_t v = uint32_t(in_[pos_]) << 24 | uint32_t(in_[pos_ + 1]) << 16 | uint32_t(in_[pos_ + 2]) << 8 |
               in_[pos_ + 3];
  pos_ += 4;
  return v;
}

ByteView Reader::bytes(size_t n) {
  if (!need(n)) return {};
  ByteView v = in_.subspan(pos_, n);
  pos_ += n;
  return v;
}

ByteView Reader::vec(int prefix_bytes, size_t min, size_t max, size_t unit) {
  if (!need(size_t(prefix_bytes))) return {};
  size_t len = 0;
  for (int i = 0; i < prefix_bytes; ++i) len = len << 8 | in_[pos_ + size_t(i)];
  if (len < min || len > max || (unit > 1 && len % unit != 0)) {
    fail(DecodeError::length_out_of_range);
    return {};
  }
  if (in_.size() - pos_ - size_t(prefix_bytes) < len) {
    fail(DecodeError::truncated);
    return {};
  }
  pos_ += size_t(prefix_bytes);
  ByteView v = in_.subspan(pos_, len);
  pos_ += len;
  return v;
}

ByteView Reader::rest() {
  if (failed_) return {};
  ByteView v = in_.subspan(pos_);
  pos_ = in_.size();
  return v;
}

void Writer::u16(uint16_t v) {
  out_.push_back(uint8_t(v >> 8));
  out_.push_back(uint8_t(v));
}

void Writer::u24(uint32_t v) {
  out_.push_back(uint8_t(v >> 16));
  out_.push_back(uint8_t(v >> 8));
  out_.push_back(uint8_t(v));
}

void Writer::u32(uint32_t v) {
  u16(uint16_t(v >> 16));
  u16(uint16_t(v));
}

void Writer::vec8(ByteView b) {
  u8(uint8_t(b.size()));
  bytes(b);
}

void Writer::vec16(ByteView b) {
  u16(uint16_t(b.size()));
  bytes(b);
}

void Writer::vec24(ByteView b) {
  u24(uint32_t(b.size()));
  bytes(b);
}

Writer::Prefix::Prefix(Bytes& out, int bytes) : out_(out), at_(out.size()), bytes_(bytes) {
  out_.insert(out_.end(), size_t(bytes), 0);
}

void Writer::Prefix::close() {
  if (!open_) return;
  open_ = false;
  size_t len = out_.size() - at_ - size_t(bytes_);
  for (int i = bytes_ - 1; i >= 0; --i) {
    out_[at_ + size_t(i)] = uint8_t(len);
    len >>= 8;
  }
}

}  // namespace essl::codec
