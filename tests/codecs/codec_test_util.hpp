// Helpers shared by the codec unit tests.
#pragma once
#include <cctype>
#include <ostream>
#include <string_view>

#include "codecs/wire.hpp"

namespace essl::codec {
// Readable DecodeError values in test failures.
inline void PrintTo(DecodeError e, std::ostream* os) { *os << to_string(e); }
}  // namespace essl::codec

namespace essl::codec::test {

// Hex digits, spaces ignored.
inline Bytes hex(std::string_view s) {
  Bytes out;
  int hi = -1;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(uint8_t(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

template <class M, class F>
Bytes encode_with(F f, const M& m) {
  Bytes out;
  Writer w(out);
  f(m, w);
  return out;
}

}  // namespace essl::codec::test
