// The API harness's commands, generated, shown and run on the socket, the peer and the model, and the end
// of a case; see api_harness.hpp.
#include <rapidcheck.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ostream>
#include <string>

#include "essl/ssl.hpp"
#include "props/api_harness.hpp"
#include "props/api_harness_local.hpp"

namespace essl::props {

using namespace std::chrono_literals;

// ---- commands ----

std::string active_name(Active a) {
  switch (a.kind()) {
    case Active::Kind::off: return "false";
    case Active::Kind::on: return "true";
    case Active::Kind::once: return "once";
    case Active::Kind::count: return std::to_string(a.n());
  }
  return "?";
}

void showValue(const Cmd& c, std::ostream& os) {
  static const char* names[] = {"send", "recv", "close", "shutdown", "peer_data", "peer_warnings", "peer_fatal",
                                "peer_bad_level", "peer_garbage", "peer_close_notify", "peer_fin", "peer_close",
                                "take", "setopts", "setopts", "getopts"};
  static const char* hows[] = {"read", "write", "read_write"};
  os << names[int(c.op)];
  switch (c.op) {
    case Op::send: case Op::peer_data: case Op::peer_garbage: os << "(" << c.n << ")"; break;
    case Op::recv: os << "(" << c.n << ", " << c.timeout_ms << "ms)"; break;
    case Op::take: os << "(" << c.timeout_ms << "ms)"; break;
    case Op::set_active: os << "({active, " << active_name(c.active) << "})"; break;
    case Op::set_mode: os << "({mode, " << (c.mode == Mode::list ? "list" : "binary") << "})"; break;
    case Op::shutdown: os << "(" << hows[int(c.how)] << ")"; break;
    case Op::peer_warnings: os << "(" << c.n << " x " << int(c.desc) << ")"; break;
    case Op::peer_fatal: os << "(" << int(c.desc) << ")"; break;
    case Op::peer_bad_level: os << "(level " << int(c.level) << ", " << int(c.desc) << ")"; break;
    default: break;
  }
}

rc::Gen<Cmd> command() {
  using namespace rc::gen;
  const auto size = weightedOneOf<size_t>(
      {{6, inRange<size_t>(1, 100)}, {2, inRange<size_t>(100, 5000)}, {1, inRange<size_t>(15000, 20000)}});
  const auto length = weightedOneOf<size_t>(
      {{3, just<size_t>(0)}, {3, inRange<size_t>(1, 100)}, {1, inRange<size_t>(100, 6000)}});
  const auto desc = weightedOneOf<uint8_t>(
      {{3, element<uint8_t>(10, 20, 40, 42, 47, 48, 50, 80, 90, 100)}, {1, inRange<uint8_t>(1, 255)}});
  const auto burst = weightedOneOf<size_t>({{4, inRange<size_t>(1, 4)}, {1, inRange<size_t>(9, 13)}});
  const auto how = element(ShutdownHow::read, ShutdownHow::write, ShutdownHow::read_write);
  return weightedOneOf<Cmd>({
      {5, map(weightedOneOf<size_t>({{1, just<size_t>(0)}, {8, size}}), [](size_t n) { return Cmd{Op::send, n}; })},
      {7, map(pair(length, element(0, 1, 10)), [](const auto& p) { return Cmd{Op::recv, p.first, p.second}; })},
      {1, just(Cmd{Op::close})},
      {2, map(how, [](ShutdownHow h) { return Cmd{Op::shutdown, 0, 0, 0, 0, h}; })},
      {6, map(size, [](size_t n) { return Cmd{Op::peer_data, n}; })},
      {2, map(pair(burst, desc), [](const auto& p) { return Cmd{Op::peer_warnings, p.first, 0, p.second}; })},
      {1, map(weightedOneOf<uint8_t>({{1, just<uint8_t>(0)}, {6, desc}}),
              [](uint8_t d) { return Cmd{Op::peer_fatal, 0, 0, d}; })},
      {1, map(pair(element<uint8_t>(0, 3, 255), desc),
              [](const auto& p) { return Cmd{Op::peer_bad_level, 0, 0, p.second, p.first}; })},
      {1, map(inRange<size_t>(0, 300), [](size_t n) { return Cmd{Op::peer_garbage, n}; })},
      {1, just(Cmd{Op::peer_close_notify})},
      {1, just(Cmd{Op::peer_fin})},
      {1, just(Cmd{Op::peer_close})},
  });
}

// ---- model ----

const char* end_name(End::Kind k) {
  static const char* names[] = {"close_notify", "eof", "alert received", "alert sent"};
  return names[int(k)];
}

void Harness::run(const Cmd& c) {
  switch (c.op) {
    case Op::send: sut_send(c.n); break;
    case Op::recv: sut_recv(c.n, c.timeout_ms); break;
    case Op::close: sut_close(); break;
    case Op::shutdown: sut_shutdown(c.how); break;
    case Op::take: sut_take(c.timeout_ms); break;
    case Op::set_active: sut_set_active(c.active); break;
    case Op::set_mode: sut_set_mode(c.mode); break;
    case Op::getopts: sut_getopts(); break;
    case Op::peer_data: {
      if (peer_.close_sent || peer_.engine->error() || !peer_room(c.n + (c.n / 16384 + 1) * 128)) break;
      Bytes data(c.n);
      for (size_t i = 0; i < c.n; ++i) data[i] = peer_byte(peer_.user_sent.size() + i);
      peer_.user_sent.insert(peer_.user_sent.end(), data.begin(), data.end());
      RC_ASSERT(peer_.engine->send(data).ok());
      pull();
      break;
    }
    case Op::peer_warnings:
      for (size_t i = 0; i < c.n && peer_room(64); ++i) {
        forward(21, std::array<uint8_t, 2>{1, c.desc});
        // RFC 5246 leaves warnings to the receiver; essl passes over ten in a row, not eleven.
        if (!m_.end && ++m_.warnings > 10) m_.stream_end(End(End::Kind::sent, AlertDescription::decode_error));
      }
      break;
    case Op::peer_fatal: {
      if (m_.peer_mute) break;
      forward(21, std::array<uint8_t, 2>{2, c.desc});
      m_.stream_end(End(End::Kind::received, AlertDescription(c.desc)));
      m_.peer_mute = true;
      break;
    }
    case Op::peer_bad_level: {
      if (!peer_room(64)) break;
      forward(21, std::array<uint8_t, 2>{c.level, c.desc});
      m_.stream_end(End(End::Kind::sent, AlertDescription::decode_error));
      break;
    }
    case Op::peer_garbage: {
      // Application data that does not authenticate.
      if (!peer_room(c.n + 5) || peer_.write_failed) break;
      Bytes rec = {23, uint8_t(peer_.version >> 8), uint8_t(peer_.version), uint8_t(c.n >> 8), uint8_t(c.n)};
      for (size_t i = 0; i < c.n; ++i) rec.push_back(uint8_t(i * 131 + 7));
      write_peer(rec);
      m_.stream_end(End(End::Kind::sent, AlertDescription::bad_record_mac));
      break;
    }
    case Op::peer_close_notify:
      if (m_.peer_mute || peer_.close_sent || peer_.engine->error()) break;
      peer_.engine->close();
      pull();
      break;
    case Op::peer_fin:
      if (m_.peer_fin || m_.peer_gone) break;
      ::shutdown(peer_.fd, SHUT_WR);
      m_.peer_fin = m_.peer_mute = true;
      m_.stream_end(End(End::Kind::eof));
      break;
    case Op::peer_close:
      if (m_.peer_gone) break;
      peer_read();  // nothing left unread: the close is a FIN, not a reset
      check_peer();
      ::close(peer_.fd);
      peer_.fd = -1;
      m_.peer_gone = m_.peer_mute = true;
      m_.stream_end(End(End::Kind::eof));
      break;
  }
  background();
  sync();
  if (m_.user_closed || m_.err_certain()) RC_ASSERT(!sut_.is_open());
  else if (!m_.err_possible()) RC_ASSERT(sut_.is_open());
}

// Ends the stream if nothing has, reads to its end (all the data, then `closed` or the alert), closes.
// An active socket delivers it all as events: data, then exactly one ssl_closed or ssl_error; one whose
// {active, once | N} runs out is read on with recv.
void Harness::finish() {
  const bool active_due = m_.credit() > 0 && m_.deliverable();
  if (active_due || (!m_.user_closed && !m_.shut_read && !m_.read_done && !m_.err_certain())) {
    if (!m_.end && !m_.shut_read) run(Cmd{Op::peer_close_notify});
    if (!m_.end && !m_.shut_read) run(Cmd{Op::peer_fin});
    for (int i = 0; i < 1000; ++i) {
      if (m_.credit() > 0 ? !m_.deliverable() : m_.read_done || m_.err_certain() || m_.shut_read) break;
      run(Cmd{m_.credit() > 0 ? Op::take : Op::recv});
    }
    RC_ASSERT(m_.end_told || (m_.credit() == 0 && (m_.err_certain() || m_.shut_read)));
    if (m_.read_done || !m_.shut_read) RC_ASSERT(m_.queue.empty());
  }
  run(Cmd{Op::close});
  // Nothing after the stream's end: the mailbox holds no more events of this socket.
  if (auto ev = self()->receive(sut_.id(), 0ms)) RC_FAIL("after the end, " + ev->to_string() + " " + m_.describe());
  // What recv and the data events returned is what the peer sent, in order, unless the end discarded some.
  RC_ASSERT(m_.streamed.size() == m_.returned.size() + m_.discarded + m_.queue.size());
  RC_ASSERT(std::equal(m_.returned.begin(), m_.returned.end(), m_.streamed.begin()));
  RC_ASSERT(std::equal(m_.streamed.begin(), m_.streamed.end(), peer_.user_sent.begin()));
}

}  // namespace essl::props
