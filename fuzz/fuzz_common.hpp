// Shared by the decoder fuzz targets: the round-trip oracle.
#pragma once
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "codecs/wire.hpp"

namespace essl::fuzz {

using codec::ByteView;
using codec::Bytes;
using codec::Writer;

// Every decoder is total and canonical: when `in` decodes, re-encoding gives exactly `in`, and that
// decodes to an equal value. Anything else is a bug; abort so the fuzzer keeps the input.
template <class Enc, class Dec>
void round_trip(ByteView in, Enc enc, Dec dec) {
  auto first = dec(in);
  if (!first.ok()) return;
  Bytes out;
  Writer w(out);
  enc(*first, w);
  auto second = dec(ByteView(out));
  if (!second.ok() || !(*second == *first)) {
    std::fprintf(stderr, "round trip: re-encoded value does not decode to the same value\n");
    std::abort();
  }
  if (!std::equal(out.begin(), out.end(), in.begin(), in.end())) {
    std::fprintf(stderr, "round trip: encoding is not canonical (%zu bytes in, %zu out)\n", in.size(),
                 out.size());
    std::abort();
  }
}

// Targets whose decoder takes parameters read them from the first input byte.
struct Split {
  uint8_t flags;
  ByteView body;
};
inline Split split(const uint8_t* data, size_t size) {
  if (size == 0) return {0, {}};
  return {data[0], ByteView(data + 1, size - 1)};
}

}  // namespace essl::fuzz
