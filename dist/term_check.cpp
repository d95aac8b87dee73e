// A bounds-checked walk over the external term format: ei's decoders trust their buffer, so every term
// that came from the network is walked here first.
#include "dist/term_check.hpp"

#include <cstdint>

namespace essl::dist {
namespace {

class Walker {
 public:
  explicit Walker(std::span<const uint8_t> b) : b_(b) {}

  bool term(int depth) {
    if (depth > 256) return false;
    uint8_t tag;
    if (!u8(tag)) return false;
    switch (tag) {
      case 97: return skip(1);                   // SMALL_INTEGER
      case 98: return skip(4);                   // INTEGER
      case 70: return skip(8);                   // NEW_FLOAT
      case 100: case 118: return sized(2);       // ATOM, ATOM_UTF8
      case 115: case 119: return sized(1);       // SMALL_ATOM, SMALL_ATOM_UTF8
      case 106: return true;                     // NIL
      case 107: return sized(2);                 // STRING
      case 109: return sized(4);                 // BINARY
      case 77: {                                 // BIT_BINARY: bytes, then the bits used of the last (1..8)
        uint32_t n;
        uint8_t bits;
        return u32(n) && u8(bits) && bits >= 1 && bits <= 8 && n > 0 && skip(n);
      }
      case 110: {                                // SMALL_BIG
        uint8_t n;
        return u8(n) && skip(1u + n);
      }
      case 111: {                                // LARGE_BIG
        uint32_t n;
        return u32(n) && skip(1) && skip(n);
      }
      case 104: {                                // SMALL_TUPLE
        uint8_t n;
        return u8(n) && elements(n, depth);
      }
      case 105: {                                // LARGE_TUPLE
        uint32_t n;
        return u32(n) && elements(n, depth);
      }
      case 108: {                                // LIST: elements and a tail
        uint32_t n;
        return u32(n) && elements(n, depth) && term(depth + 1);
      }
      case 116: {                                // MAP: key-value pairs
        uint32_t n;
        return u32(n) && n <= b_.size() && elements(2 * uint64_t(n), depth);
      }
      case 103: return atom(depth) && skip(4 + 4 + 1);    // PID
      case 88: return atom(depth) && skip(4 + 4 + 4);     // NEW_PID
      case 102: return atom(depth) && skip(4 + 1);        // PORT
      case 89: return atom(depth) && skip(4 + 4);         // NEW_PORT
      case 120: return atom(depth) && skip(8 + 4);        // V4_PORT
      case 101: return atom(depth) && skip(4 + 1);        // REFERENCE
      case 114: case 90: {                                // NEW_REFERENCE, NEWER_REFERENCE
        uint16_t n;
        return u16(n) && n <= 5 && atom(depth) && skip(tag == 114 ? 1 : 4) && skip(4u * n);
      }
      default: return false;  // funs (EXPORT too), the old text floats and anything unknown: not accepted from a peer
    }
  }
  bool done() const { return i_ == b_.size(); }
  size_t pos() const { return i_; }

 private:
  bool atom(int depth) {
    const size_t at = i_;
    uint8_t tag;
    if (!u8(tag)) return false;
    if (tag != 100 && tag != 118 && tag != 115 && tag != 119) return false;
    i_ = at;
    return term(depth + 1);
  }
  bool elements(uint64_t n, int depth) {
    // Each element takes a byte at least: a count beyond what is left is malformed (and no long loop).
    if (n > b_.size() - i_) return false;
    for (uint64_t k = 0; k < n; ++k)
      if (!term(depth + 1)) return false;
    return true;
  }
  bool skip(uint64_t n) {
    if (n > b_.size() - i_) return false;
    i_ += n;
    return true;
  }
  bool sized(int width) {
    uint32_t n = 0;
    if (width == 1) {
      uint8_t v;
      if (!u8(v)) return false;
      n = v;
    } else if (width == 2) {
      uint16_t v;
      if (!u16(v)) return false;
      n = v;
    } else if (!u32(n)) {
      return false;
    }
    return skip(n);
  }
  bool u8(uint8_t& v) {
    if (i_ + 1 > b_.size()) return false;
    v = b_[i_++];
    return true;
  }
  bool u16(uint16_t& v) {
    if (i_ + 2 > b_.size()) return false;
    v = uint16_t(b_[i_] << 8 | b_[i_ + 1]);
    i_ += 2;
    return true;
  }
  bool u32(uint32_t& v) {
    if (i_ + 4 > b_.size()) return false;
    v = uint32_t(b_[i_]) << 24 | uint32_t(b_[i_ + 1]) << 16 | uint32_t(b_[i_ + 2]) << 8 | b_[i_ + 3];
    i_ += 4;
    return true;
  }

  std::span<const uint8_t> b_;
  size_t i_ = 0;
};

}  // namespace

std::optional<size_t> checked_term_size(std::span<const uint8_t> bytes) {
  Walker w(bytes);
  if (!w.term(0)) return std::nullopt;
  return w.pos();
}

}  // namespace essl::dist
