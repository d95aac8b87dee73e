// The record layer (RFC 5246 6.2): framing, header checks, protection and sequence numbers.
//
// Input: bytes are appended to one reusable buffer; next() returns one checked, decrypted record at a
// time, decrypted in place, valid until the next append. Output: write() fragments at 2^14 and protects
// into one reusable buffer that the transport drains with output()/consume(). In steady state neither
// side allocates per record.
#pragma once
#include <memory>
#include <optional>

#include "codecs/record.hpp"
#include "crypto_glue/record_protection.hpp"

namespace essl {

struct InRecord {
  codec::ContentType type;
  std::span<uint8_t> fragment;  // the plaintext
};

class RecordLayer {
 public:
  // Input side.
  void append_input(codec::ByteView bytes);
  // The next whole record; nullopt when more bytes are needed; an alert on a bad record.
  Result<std::optional<InRecord>, AlertDescription> next();
  // Bytes of a record not yet complete.
  bool partial_input() const { return in_.size() > in_pos_; }
  // ChangeCipherSpec received: the pending read state becomes current, the sequence number restarts.
  void activate_read(std::unique_ptr<crypto::RecordProtection> p);
  // From ServerHello on, every record must carry the negotiated version (RFC 5246 6.2.1, Appendix E.1).
  void expect_version(uint16_t v) { expected_version_ = v; }
  bool read_protected() const { return read_ != nullptr; }

  // Output side.
  void set_write_version(uint16_t v) { write_version_ = v; }
  uint16_t write_version() const { return write_version_; }
  void activate_write(std::unique_ptr<crypto::RecordProtection> p);
  bool write_protected() const { return write_ != nullptr; }
  // TLS 1.0 CBC: split application data 1/n-1 so the first block of each record is unpredictable to an
  // attacker who chose the previous one (the BEAST countermeasure).
  void set_split_app_data(bool on) { split_ = on; }
  void write(codec::ContentType type, codec::ByteView data, crypto::Rng& rng);
  codec::ByteView output() const { return codec::ByteView(out_).subspan(out_pos_); }
  void consume(size_t n);

  uint64_t write_seq() const { return write_seq_; }

  // Gives back the memory of the input and output buffers when they hold nothing (what they hold stays).
  // Returns the bytes the buffers still reserve.
  size_t release_buffers();
  // hibernate_after: release_buffers(), and the cipher states give back what they can make again.
  size_t release_idle();
  size_t capacity() const { return in_.capacity() + out_.capacity(); }

 private:
  void write_one(codec::ContentType type, codec::ByteView fragment, crypto::Rng& rng);

  codec::Bytes in_;
  size_t in_pos_ = 0;
  std::unique_ptr<crypto::RecordProtection> read_;
  uint64_t read_seq_ = 0;
  std::optional<uint16_t> expected_version_;

  codec::Bytes out_;
  size_t out_pos_ = 0;
  std::unique_ptr<crypto::RecordProtection> write_;
  uint64_t write_seq_ = 0;
  uint16_t write_version_ = 0x0301;
  bool split_ = false;
};

}  // namespace essl
