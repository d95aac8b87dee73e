// Target: a whole connection, client and server Engines in memory, the input acting as the network
// between them: it passes, splits, corrupts, drops and injects bytes, and has either side send data,
// close, consume what it received or see the transport end.
// Target functions: Engine::start/feed/send/close/end_of_input, RecordLayer (framing, protection in
// both directions), every handler of the transition table on both sides, alerts, close_notify.
// Oracles: an error, once reported, never changes; neither side hands out data its peer did not send;
// a run in which the input only passed bytes on (no corruption, drop, injection, transport end or close
// during the handshake) completes the handshake and delivers exactly the data each side sent, in order.
// Seeds: fuzz/corpus/connection/ holds op sequences (a plain handshake, data both ways, split records,
// a close); an empty input is already a whole handshake.
// In the fuzzing build the public-key operations are crypto_glue/fuzzing_provider.hpp's stand-ins, so
// the fuzzer reaches application data at thousands of executions per second.
#include <cstdio>

#include "engine_fuzz.hpp"

namespace {

using essl::codec::Bytes;
using essl::codec::ByteView;

struct Input {
  const uint8_t* p;
  size_t n;
  bool empty() const { return n == 0; }
  uint8_t u8() {
    if (n == 0) return 0;
    --n;
    return *p++;
  }
  uint16_t u16() { return uint16_t(u8() << 8 | u8()); }
  ByteView take(size_t k) {
    k = std::min(k, n);
    ByteView v(p, k);
    p += k;
    n -= k;
    return v;
  }
};

struct Side {
  essl::Engine* e;
  Bytes sent;      // what send() accepted
  Bytes received;  // what the peer's engine handed out
  std::optional<essl::Error> error;
};

[[noreturn]] void bug(const char* what) {
  std::fprintf(stderr, "connection: %s\n", what);
  std::abort();
}

// Moves up to `n` of `from`'s pending bytes to `to`; `flip` xors one byte on the way.
void pass(Side& from, Side& to, size_t n, size_t flip_at = 0, uint8_t flip = 0) {
  ByteView out = from.e->pending_output();
  n = std::min(n, out.size());
  if (n == 0) return;
  Bytes b(out.begin(), out.begin() + ptrdiff_t(n));
  from.e->consume_output(n);
  if (flip != 0) b[flip_at % n] ^= flip;
  to.e->feed(b);
}

void take_app(Side& s) {
  ByteView a = s.e->app_data();
  s.received.insert(s.received.end(), a.begin(), a.end());
  s.e->consume_app_data(a.size());
}

// An error never changes once reported.
void check_sticky(Side& s) {
  const auto& err = s.e->error();
  if (s.error) {
    if (!err || err->kind != s.error->kind || err->alert != s.error->alert || err->alert_sent != s.error->alert_sent)
      bug("error changed after it was reported");
  } else if (err) {
    s.error = *err;
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  essl::fuzz::init_process();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace essl;
  fuzz::FuzzEngine c(Role::client, fuzz::client_seed), s(Role::server, fuzz::server_seed);
  Side side[2] = {{c.engine.get(), {}, {}, {}}, {s.engine.get(), {}, {}, {}}};
  Input in{data, size};
  bool tampered = false;
  for (int ops = 0; ops < 256 && !in.empty(); ++ops) {
    const uint8_t op = in.u8();
    Side& a = side[op & 1];
    Side& b = side[1 - (op & 1)];
    switch ((op >> 1) % 8) {
      case 0: pass(a, b, SIZE_MAX); break;                      // everything in flight
      case 1: pass(a, b, in.u16()); break;                      // a prefix: records split anywhere
      case 2: {                                                 // one byte corrupted
        const size_t at = in.u16();
        const uint8_t x = in.u8();
        pass(a, b, SIZE_MAX, at, x);
        tampered |= x != 0;
        break;
      }
      case 3: {                                                 // bytes injected
        const ByteView v = in.take(in.u8());
        b.e->feed(v);
        tampered |= !v.empty();
        break;
      }
      case 4: {                                                 // application data
        Bytes msg(in.u16() % 20000);
        for (size_t i = 0; i < msg.size(); ++i) msg[i] = uint8_t((a.sent.size() + i) * 7 + (op & 1));
        if (a.e->send(msg).ok()) a.sent.insert(a.sent.end(), msg.begin(), msg.end());
        break;
      }
      case 5:                                                   // close_notify
        // Closing before the handshake ends abandons it (the flight in progress is dropped).
        tampered |= !a.e->handshake_done();
        a.e->close();
        break;
      case 6: take_app(a); break;
      case 7:                                                   // loss: in flight dropped, or EOF
        if (in.u8() & 1) {
          a.e->consume_output(a.e->pending_output().size());
        } else {
          b.e->end_of_input();
        }
        tampered = true;
        break;
    }
    check_sticky(side[0]);
    check_sticky(side[1]);
  }
  // Let the engines finish what they have to say.
  for (int round = 0; round < 8; ++round) {
    if (side[0].e->pending_output().empty() && side[1].e->pending_output().empty()) break;
    pass(side[0], side[1], SIZE_MAX);
    pass(side[1], side[0], SIZE_MAX);
    check_sticky(side[0]);
    check_sticky(side[1]);
  }
  take_app(side[0]);
  take_app(side[1]);
  if (!tampered) {
    for (const Side& x : side) {
      if (!x.e->handshake_done()) bug("an untouched connection did not complete its handshake");
      if (x.error) bug("an untouched connection reported an error");
    }
    if (side[0].received != side[1].sent || side[1].received != side[0].sent)
      bug("data lost, duplicated or reordered on an untouched connection");
  }
  // Whatever happened, neither side hands out data its peer did not send.
  for (int i = 0; i < 2; ++i) {
    const Bytes& got = side[i].received;
    const Bytes& sent = side[1 - i].sent;
    if (got.size() > sent.size() || !std::equal(got.begin(), got.end(), sent.begin()))
      bug("data handed out that the peer did not send");
  }
  return 0;
}
