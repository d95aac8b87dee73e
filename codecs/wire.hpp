// Reading and writing the RFC 5246 presentation language.
//
// Reader: a cursor over bytes with a sticky error. A failed read returns zero/empty, records the first
// error and leaves the cursor where it was; every later read fails the same way. Decoders read the whole
// structure and end with `r.finish(value)`, which also rejects trailing bytes.
//
// Writer: appends to a std::vector<uint8_t>; `auto p = w.prefix(2)` opens a length-prefixed vector whose
// length is filled in when `p` goes out of scope (or `p.close()`).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "essl/alert.hpp"
#include "essl/result.hpp"

namespace essl::codec {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

enum class DecodeError {
  truncated,             // fewer bytes than the structure needs
  trailing_bytes,        // bytes left after the structure
  length_out_of_range,   // a vector length outside <min..max> or not a multiple of its element size
  illegal_value,         // a field value the RFC forbids (maps to illegal_parameter)
  duplicate_extension,   // an extension type appears twice (RFC 5246 7.4.1.4)
};

// decode_error for framing problems, illegal_parameter for illegal values.
AlertDescription alert_for(DecodeError e);
std::string_view to_string(DecodeError e);

template <class T>
using DecodeResult = Result<T, DecodeError>;

class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}

  uint8_t u8();
  uint16_t u16();
  uint32_t u24();
  uint32_t u32();
  // Exactly n bytes.
  ByteView bytes(size_t n);
  // opaque x<min..max> with a 1-, 2- or 3-byte length prefix. `unit` is the element size: the length
  // must be a multiple of it (e.g. uint16 lists).
  ByteView vec8(size_t min, size_t max, size_t unit = 1) { return vec(1, min, max, unit); }
  ByteView vec16(size_t min, size_t max, size_t unit = 1) { return vec(2, min, max, unit); }
  ByteView vec24(size_t min, size_t max, size_t unit = 1) { return vec(3, min, max, unit); }
  ByteView vec(int prefix_bytes, size_t min, size_t max, size_t unit);
  // Everything that is left.
  ByteView rest();

  size_t remaining() const { return failed_ ? 0 : in_.size() - pos_; }
  bool empty() const { return remaining() == 0; }
  bool failed() const { return failed_; }
  DecodeError error() const { return error_; }
  void fail(DecodeError e) {
    if (!failed_) {
      failed_ = true;
      error_ = e;
    }
  }

  // The decoder's last step: the value, or the first error, or trailing_bytes.
  template <class T>
  DecodeResult<T> finish(T value) {
    if (!failed_ && pos_ != in_.size()) fail(DecodeError::trailing_bytes);
    if (failed_) return essl::fail(error_);
    return value;
  }
  // Like finish() for a sub-structure read from a nested vector: an error, or trailing bytes, poison
  // the outer reader too.
  void finish_into(Reader& outer) {
    if (!failed_ && pos_ != in_.size()) fail(DecodeError::trailing_bytes);
    if (failed_) outer.fail(error_);
  }

 private:
  bool need(size_t n);
  ByteView in_;
  size_t pos_ = 0;
  bool failed_ = false;
  DecodeError error_ = DecodeError::truncated;
};

class Writer {
 public:
  explicit Writer(Bytes& out) : out_(out) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v);
  void u24(uint32_t v);
  void u32(uint32_t v);
  void bytes(ByteView b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void vec8(ByteView b);
  void vec16(ByteView b);
  void vec24(ByteView b);

  class Prefix {
   public:
    Prefix(Bytes& out, int bytes);
    Prefix(const Prefix&) = delete;
    Prefix& operator=(const Prefix&) = delete;
    ~Prefix() { close(); }
    void close();

   private:
    Bytes& out_;
    size_t at_;
    int bytes_;
    bool open_ = true;
  };
  // Opens a length-prefixed vector of `bytes` length bytes (1, 2 or 3).
  [[nodiscard]] Prefix prefix(int bytes) { return Prefix(out_, bytes); }
  Bytes& buffer() { return out_; }

 private:
  Bytes& out_;
};

}  // namespace essl::codec
