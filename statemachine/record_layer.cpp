#include "statemachine/record_layer.hpp"

#include <cstring>

#include "codecs/copy.hpp"

namespace essl {

using codec::ContentType;

void RecordLayer::append_input(codec::ByteView bytes) {
  // Records handed out by next() point into in_, so compact only here, before new bytes arrive.
  if (in_pos_ > 0) {
    size_t left = in_.size() - in_pos_;
    if (left > 0) std::memmove(in_.data(), in_.data() + in_pos_, left);
    in_.resize(left);
    in_pos_ = 0;
  }
  codec::append_bytes(in_, bytes);
}

Result<std::optional<InRecord>, AlertDescription> RecordLayer::next() {
  size_t avail = in_.size() - in_pos_;
  if (avail < codec::record_header_size) return std::optional<InRecord>{};
  const uint8_t* h = in_.data() + in_pos_;
  // The header is judged as soon as it is complete, so garbage fails without waiting for a body.
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6
  //# If a TLS implementation receives an unexpected record type, it MUST
  //# send an unexpected_message alert.
  //= https://www.rfc-editor.org/rfc/rfc6176#section-3
  //# TLS servers MUST NOT reply with an SSL 2.0 SERVER-HELLO with a
  //# protocol version that is less than { 0x03, 0x00 } and instead MUST
  //# abort the connection
  // An SSL 2.0-format CLIENT-HELLO (a two-byte length with the top bit set, then message type 1) as the
  // first record: SSL 2.0 and its hello format are refused as a protocol version.
  if (read_seq_ == 0 && !read_ && (h[0] & 0x80) && h[2] == 1) return fail(AlertDescription::protocol_version);
  if (!codec::content_type_known(h[0])) return fail(AlertDescription::unexpected_message);
  uint16_t version = uint16_t(h[1] << 8 | h[2]);
  if (h[1] != 3) return fail(AlertDescription::protocol_version);
  // A peer that refuses the version we chose says so in a plaintext alert whose record version is its
  // own (RFC 5246 E.1 leaves it open); read it, so that the error names the peer's alert.
  bool refusal = h[0] == uint8_t(ContentType::alert) && !read_;
  if (expected_version_ && version != *expected_version_ && !refusal) return fail(AlertDescription::protocol_version);
  size_t length = size_t(h[3]) << 8 | h[4];
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6.2.3
  //# The length (in bytes) of the following TLSCiphertext.fragment.
  //# The length MUST NOT exceed 2^14 + 2048.
  if (length > codec::max_ciphertext) return fail(AlertDescription::record_overflow);
  if (avail < codec::record_header_size + length) return std::optional<InRecord>{};

  auto type = ContentType(h[0]);
  std::span<uint8_t> fragment(in_.data() + in_pos_ + codec::record_header_size, length);
  in_pos_ += codec::record_header_size + length;
  if (read_) {
    auto plain = read_->unprotect(uint8_t(type), version, read_seq_, fragment);
    if (!plain) return fail(plain.error());
    fragment = plain.value();
  }
  ++read_seq_;
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6.2.1
  //# The length MUST NOT exceed 2^14.
  if (fragment.size() > codec::max_plaintext) return fail(AlertDescription::record_overflow);
  return std::optional<InRecord>{InRecord{type, fragment}};
}

void RecordLayer::activate_read(std::unique_ptr<crypto::RecordProtection> p) {
  read_ = std::move(p);
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6.1
  //# the first record transmitted under a particular connection state
  //# MUST use sequence number 0.
  read_seq_ = 0;
}

void RecordLayer::activate_write(std::unique_ptr<crypto::RecordProtection> p) {
  write_ = std::move(p);
  write_seq_ = 0;
}

void RecordLayer::write(ContentType type, codec::ByteView data, crypto::Rng& rng) {
  if (type == ContentType::application_data && split_ && data.size() > 1) {
    write_one(type, data.first(1), rng);
    data = data.subspan(1);
  }
  //= https://www.rfc-editor.org/rfc/rfc5246#section-6.2.1
  //# The record layer fragments information blocks into TLSPlaintext
  //# records carrying data in chunks of 2^14 bytes or less.
  // Room for all of it at once, so that a buffer given back while idle is not regrown step by step.
  const size_t records = data.empty() ? 1 : (data.size() + codec::max_plaintext - 1) / codec::max_plaintext;
  const size_t per_record = codec::record_header_size + (write_ ? write_->max_overhead() : 0);
  out_.reserve(out_.size() + data.size() + records * per_record);
  do {
    size_t n = std::min(data.size(), codec::max_plaintext);
    write_one(type, data.first(n), rng);
    data = data.subspan(n);
  } while (!data.empty());
}

void RecordLayer::write_one(ContentType type, codec::ByteView fragment, crypto::Rng& rng) {
  // Drop what the transport has taken once it is most of the buffer, so the buffer does not grow.
  if (out_pos_ > 0 && out_pos_ >= out_.size() / 2) {
    out_.erase(out_.begin(), out_.begin() + ptrdiff_t(out_pos_));
    out_pos_ = 0;
  }
  size_t at = out_.size();
  out_.push_back(uint8_t(type));
  out_.push_back(uint8_t(write_version_ >> 8));
  out_.push_back(uint8_t(write_version_));
  out_.push_back(0);
  out_.push_back(0);
  if (write_)
    write_->protect(uint8_t(type), write_version_, write_seq_, fragment, out_, rng);
  else
    codec::append_bytes(out_, fragment);
  ++write_seq_;
  size_t len = out_.size() - at - codec::record_header_size;
  out_[at + 3] = uint8_t(len >> 8);
  out_[at + 4] = uint8_t(len);
}

size_t RecordLayer::release_idle() {
  if (read_) read_->release_idle();
  if (write_) write_->release_idle();
  return release_buffers();
}

size_t RecordLayer::release_buffers() {
  if (in_pos_ == in_.size()) {
    codec::Bytes().swap(in_);
    in_pos_ = 0;
  }
  if (out_pos_ == out_.size()) {
    codec::Bytes().swap(out_);
    out_pos_ = 0;
  }
  return capacity();
}

void RecordLayer::consume(size_t n) {
  out_pos_ += std::min(n, out_.size() - out_pos_);
  if (out_pos_ == out_.size()) {
    out_.clear();  // keeps the capacity
    out_pos_ = 0;
  }
}

}  // namespace essl
