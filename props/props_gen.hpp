// RapidCheck generators for the wire types, each respecting the RFC's <min..max> bounds, and the two
// checks every codec property uses.
//
// Long vectors are generated short (`cap`): the properties are about structure, and the bounds at
// 2^8, 2^16 and 2^24 are pinned by the unit tests in tests/codecs.
#pragma once
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <functional>
#include <string>

#include "codecs/certificate.hpp"
#include "codecs/extensions.hpp"
#include "codecs/finished.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/key_exchange.hpp"
#include "codecs/next_protocol.hpp"
#include "codecs/record.hpp"

namespace essl::codec::props {

constexpr size_t cap = 80;

inline rc::Gen<Bytes> bytes(size_t min, size_t max) {
  max = std::max(min, std::min(max, min + cap));
  return rc::gen::mapcat(rc::gen::inRange<size_t>(min, max + 1), [](size_t n) {
    return rc::gen::container<Bytes>(n, rc::gen::arbitrary<uint8_t>());
  });
}

inline rc::Gen<std::string> text(size_t min, size_t max) {
  return rc::gen::map(bytes(min, max), [](const Bytes& b) { return std::string(b.begin(), b.end()); });
}

template <class T>
rc::Gen<std::vector<T>> list(size_t min, size_t max, rc::Gen<T> g) {
  max = std::max(min, std::min(max, min + cap / 8));
  return rc::gen::mapcat(rc::gen::inRange<size_t>(min, max + 1),
                         [g](size_t n) { return rc::gen::container<std::vector<T>>(n, g); });
}

inline rc::Gen<uint16_t> u16() { return rc::gen::arbitrary<uint16_t>(); }

inline rc::Gen<Extension> extension() {
  return rc::gen::build<Extension>(rc::gen::set(&Extension::type, u16()),
                                   rc::gen::set(&Extension::data, bytes(0, 0xffff)));
}

// Distinct types, as RFC 5246 7.4.1.4 requires.
inline rc::Gen<std::vector<Extension>> extensions() {
  return rc::gen::uniqueBy<std::vector<Extension>>(extension(), [](const Extension& e) { return e.type; });
}

inline rc::Gen<Random> random() {
  return rc::gen::map(rc::gen::container<Bytes>(32, rc::gen::arbitrary<uint8_t>()), [](const Bytes& b) {
    Random r{};
    std::copy(b.begin(), b.end(), r.begin());
    return r;
  });
}

// extensions_present may be false only when there are no extensions.
template <class M>
void fix_extensions_present(M& m, bool present) {
  m.extensions_present = present || !m.extensions.empty();
}

inline rc::Gen<ClientHello> client_hello() {
  return rc::gen::map(
      rc::gen::tuple(u16(), random(), bytes(0, 32), list<uint16_t>(1, 0x7fff, u16()), bytes(1, 0xff),
                     extensions(), rc::gen::arbitrary<bool>()),
      [](const auto& t) {
        ClientHello m;
        std::tie(m.client_version, m.random, m.session_id, m.cipher_suites, m.compression_methods,
                 m.extensions, std::ignore) = t;
        fix_extensions_present(m, std::get<6>(t));
        return m;
      });
}

inline rc::Gen<ServerHello> server_hello() {
  return rc::gen::map(rc::gen::tuple(u16(), random(), bytes(0, 32), u16(), rc::gen::arbitrary<uint8_t>(),
                                     extensions(), rc::gen::arbitrary<bool>()),
                      [](const auto& t) {
                        ServerHello m;
                        std::tie(m.server_version, m.random, m.session_id, m.cipher_suite,
                                 m.compression_method, m.extensions, std::ignore) = t;
                        fix_extensions_present(m, std::get<6>(t));
                        return m;
                      });
}

inline rc::Gen<DigitallySigned> digitally_signed(bool tls12) {
  return rc::gen::map(rc::gen::pair(u16(), bytes(0, 0xffff)), [tls12](const auto& p) {
    DigitallySigned d;
    if (tls12) d.algorithm = p.first;
    d.signature = p.second;
    return d;
  });
}

// Round trip: the encoding decodes to the value it came from.
template <class M, class Enc, class Dec>
void check_round_trip(const M& m, Enc enc, Dec dec) {
  Bytes out;
  Writer w(out);
  enc(m, w);
  auto back = dec(ByteView(out));
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == m);
}

// Totality and canonical form: any input decodes to a value or an error; a value re-encodes to exactly
// the input.
template <class Enc, class Dec>
void check_total(const Bytes& in, Enc enc, Dec dec) {
  auto m = dec(ByteView(in));
  if (!m.ok()) return;
  Bytes out;
  Writer w(out);
  enc(*m, w);
  RC_ASSERT(out == in);
}

// Inputs for totality checks: arbitrary bytes, or a valid encoding of `g`'s values with a random
// truncation, extension or byte change, so that decoders get past their first field.
template <class M, class Enc>
rc::Gen<Bytes> near_valid(rc::Gen<M> g, Enc enc) {
  auto mutated = rc::gen::map(
      rc::gen::tuple(g, rc::gen::arbitrary<uint32_t>(), rc::gen::inRange(0, 4), rc::gen::arbitrary<uint8_t>()),
      [enc](const auto& t) {
        Bytes out;
        Writer w(out);
        enc(std::get<0>(t), w);
        size_t at = out.empty() ? 0 : std::get<1>(t) % out.size();
        switch (std::get<2>(t)) {
          case 0: out.resize(at); break;
          case 1: out.push_back(std::get<3>(t)); break;
          case 2: if (!out.empty()) out[at] ^= uint8_t(std::get<3>(t) | 1); break;
          default: break;
        }
        return out;
      });
  return rc::gen::oneOf(mutated, rc::gen::arbitrary<Bytes>());
}

}  // namespace essl::codec::props
