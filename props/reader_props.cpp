// Reader (codecs/wire.hpp) against a reference cursor: every primitive, on random inputs, in random
// sequences.
//
// The contract: a successful read returns the next bytes and advances by exactly the bytes it consumed
// (prefix plus body for vectors); a failed read returns zero/empty, leaves the cursor where it was, and
// makes the reader fail every later read with the first error. Views point into the input, never into a
// copy, so the returned pointer shows where the cursor was.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <optional>

#include "codecs/wire.hpp"

namespace essl::codec {
namespace {

enum class Op { u8, u16, u24, u32, bytes, vec8, vec16, vec24, rest };

struct Step {
  Op op;
  size_t n = 0;                  // bytes(): count
  size_t min = 0, max = 0, unit = 1;  // vec*(): bounds
};

rc::Gen<Step> step() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::inRange(0, 9), rc::gen::inRange<size_t>(0, 12), rc::gen::inRange<size_t>(0, 8),
                     rc::gen::inRange<size_t>(0, 24), rc::gen::inRange<size_t>(1, 4)),
      [](const auto& t) {
        Step s;
        s.op = Op(std::get<0>(t));
        s.n = std::get<1>(t);
        s.min = std::get<2>(t);
        s.max = s.min + std::get<3>(t);
        s.unit = std::get<4>(t);
        return s;
      });
}

// Inputs short enough that vectors often fit and often do not; vec8 prefixes mostly name small lengths.
rc::Gen<Bytes> input() {
  return rc::gen::container<Bytes>(rc::gen::weightedOneOf<uint8_t>(
      {{3, rc::gen::inRange<uint8_t>(0, 16)}, {1, rc::gen::arbitrary<uint8_t>()}}));
}

size_t prefix_of(Op op) { return op == Op::vec8 ? 1 : op == Op::vec16 ? 2 : 3; }
size_t width_of(Op op) {
  switch (op) {
    case Op::u8: return 1;
    case Op::u16: return 2;
    case Op::u24: return 3;
    case Op::u32: return 4;
    default: return 0;
  }
}

uint64_t big_endian(ByteView b) {
  uint64_t v = 0;
  for (uint8_t x : b) v = v << 8 | x;
  return v;
}

// The reference cursor: what a read should do at `pos` of `in`. nullopt error = success, consuming
// `used` bytes and yielding `value` (integers) or the view [at, at + len).
struct Expect {
  std::optional<DecodeError> error;
  size_t used = 0;
  uint64_t value = 0;
  size_t at = 0, len = 0;
};

Expect reference(const Bytes& in, size_t pos, const Step& s) {
  const size_t left = in.size() - pos;
  Expect e;
  switch (s.op) {
    case Op::u8:
    case Op::u16:
    case Op::u24:
    case Op::u32: {
      const size_t w = width_of(s.op);
      if (left < w) return {DecodeError::truncated};
      e.used = w;
      e.value = big_endian(ByteView(in).subspan(pos, w));
      return e;
    }
    case Op::bytes:
      if (left < s.n) return {DecodeError::truncated};
      e.used = s.n;
      e.at = pos;
      e.len = s.n;
      return e;
    case Op::vec8:
    case Op::vec16:
    case Op::vec24: {
      const size_t p = prefix_of(s.op);
      if (left < p) return {DecodeError::truncated};
      const size_t len = big_endian(ByteView(in).subspan(pos, p));
      if (len < s.min || len > s.max || len % s.unit != 0) return {DecodeError::length_out_of_range};
      if (left - p < len) return {DecodeError::truncated};
      e.used = p + len;
      e.at = pos + p;
      e.len = len;
      return e;
    }
    case Op::rest:
      e.used = left;
      e.at = pos;
      e.len = left;
      return e;
  }
  return e;
}

// Runs one step on `r`: the integer read, or the view.
struct Got {
  uint64_t value = 0;
  ByteView view;
};
Got run(Reader& r, const Step& s) {
  switch (s.op) {
    case Op::u8: return {r.u8(), {}};
    case Op::u16: return {r.u16(), {}};
    case Op::u24: return {r.u24(), {}};
    case Op::u32: return {r.u32(), {}};
    case Op::bytes: return {0, r.bytes(s.n)};
    case Op::vec8: return {0, r.vec8(s.min, s.max, s.unit)};
    case Op::vec16: return {0, r.vec16(s.min, s.max, s.unit)};
    case Op::vec24: return {0, r.vec24(s.min, s.max, s.unit)};
    case Op::rest: return {0, r.rest()};
  }
  return {};
}

RC_GTEST_PROP(ReaderProps, ReadsFollowTheReferenceCursor, ()) {
  const Bytes in = *input();
  const std::vector<Step> steps = *rc::gen::container<std::vector<Step>>(step());
  Reader r{ByteView(in)};
  size_t pos = 0;
  std::optional<DecodeError> first_error;
  for (const Step& s : steps) {
    const Reader before = r;
    const Got got = run(r, s);
    if (first_error) {
      // Sticky: every later read fails with the first error and yields nothing.
      RC_ASSERT(r.failed());
      RC_ASSERT(r.error() == *first_error);
      RC_ASSERT(got.value == 0u);
      RC_ASSERT(got.view.empty());
      continue;
    }
    const Expect e = reference(in, pos, s);
    if (e.error) {
      RC_ASSERT(r.failed());
      RC_ASSERT(r.error() == *e.error);
      RC_ASSERT(got.value == 0u);
      RC_ASSERT(got.view.empty());
      RC_ASSERT(r.remaining() == 0u);
      // The cursor did not move: the copy taken before the read still reads the same bytes from `pos`.
      Reader again = before;
      RC_ASSERT(again.remaining() == in.size() - pos);
      const ByteView tail = again.rest();
      RC_ASSERT(tail.data() == in.data() + pos || tail.empty());
      first_error = e.error;
      continue;
    }
    RC_ASSERT(!r.failed());
    RC_ASSERT(r.remaining() == in.size() - pos - e.used);
    RC_ASSERT(before.remaining() - r.remaining() == e.used);
    if (width_of(s.op) != 0) {
      RC_ASSERT(got.value == e.value);
    } else {
      RC_ASSERT(got.view.size() == e.len);
      if (e.len > 0) RC_ASSERT(got.view.data() == in.data() + e.at);
    }
    pos += e.used;
  }
  // finish(): the first error, else trailing_bytes when bytes are left, else the value.
  auto done = r.finish(7);
  if (first_error) {
    RC_ASSERT(!done.ok());
    RC_ASSERT(done.error() == *first_error);
  } else if (pos != in.size()) {
    RC_ASSERT(!done.ok());
    RC_ASSERT(done.error() == DecodeError::trailing_bytes);
  } else {
    RC_ASSERT(done.ok());
  }
}

// One primitive on a fresh reader over random bytes: on failure nothing is consumed (a copy made before
// the read reads the whole input), on success exactly the primitive's size is.
RC_GTEST_PROP(ReaderProps, SingleReadConsumesExactlyOrNothing, ()) {
  const Bytes in = *input();
  const Step s = *step();
  Reader r{ByteView(in)};
  const Reader copy = r;
  const Got got = run(r, s);
  const Expect e = reference(in, 0, s);
  RC_ASSERT(r.failed() == e.error.has_value());
  if (e.error) {
    RC_ASSERT(got.view.empty());
    Reader again = copy;
    RC_ASSERT(again.rest().size() == in.size());
  } else {
    RC_ASSERT(in.size() - r.remaining() == e.used);
  }
}

}  // namespace
}  // namespace essl::codec
