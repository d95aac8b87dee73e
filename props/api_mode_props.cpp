// Model-based test of the socket API in every delivery mode: the model of props/api_model_props.cpp (its
// header comment says what the model checks) with the owner's events, setopts and getopts added, on the
// harness of props/api_harness.hpp.
//
// DeliveryModesFollowTheModel starts the socket {active, false | true | once | N} in list or binary mode
// (connect's socket options, then controlling_process to the test's thread) and adds the commands take
// (the next event of the socket from the test thread's mailbox, essl::self()), setopts({active, ...})
// with every kind (N from -2 to 4, added to the counter), setopts({mode, ...}) and getopts. recv returns
// the same as in SocketFollowsTheModel while the socket is passive. The model adds the socket's active
// state as of the last event taken; per mode:
//   - {active, false}: no event comes (a take waits its short timeout and gets nothing);
//   - {active, true}: take gets data events whose bytes are the next ones the peer sent (non-empty, in
//     order), then exactly one ssl_closed (close_notify: no transport tag; end of transport: tcp_closed)
//     or {ssl_error, {tls_alert, Description}} with the alert and direction of the stream's end, then
//     nothing more: an end that recv or an event reported is not reported again as an event when
//     setopts makes the socket active; recv returns {error, einval};
//   - {active, once}: at most one data event, after which the socket is passive (getopts: false) and
//     recv reads on from the next byte; setopts({active, once}) delivers the next one;
//   - {active, N}: at most N data events, then {ssl_passive, S} right after the last and the socket is
//     passive; setopts({active, M}) adds M to what is left, and a sum at or below zero turns the socket
//     passive at once with ssl_passive;
//   - every data event and recv carries the mode set last (list or binary) and no header; data events
//     already on their way when the mode changed may carry the earlier one.
// At the end, the concatenation of recv's results and data events is the peer's byte stream, less only
// what the stream's end discarded. An active socket's reader reads the transport in the background: it
// may take in the stream's end (and answer close_notify, the transport end or a shutdown(read) with
// its close_notify and write shutdown) at any time, so these are allowed as soon as the socket is active
// with the end on its way; setopts to passive may leave one read under way, which may still take in
// the end. Events the reader has delivered and the test has not taken are ahead of the model's state:
// getopts may show the state after them, and setopts({active, ...}) (other than true to true) and recv
// on a socket {active, once | N} first take what is due, so that the model knows the state the call
// applies to; after close() (which stops the reader) the events it delivered before are taken in order.
// Each case makes a full handshake, so the test has its own RC_PARAMS in props/meson.build.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "props/api_harness.hpp"

namespace essl {

void showValue(Mode m, std::ostream& os) { os << (m == Mode::list ? "list" : "binary"); }
void showValue(Active a, std::ostream& os) { os << "{active, " << props::active_name(a) << "}"; }

namespace props {
namespace {

rc::Gen<Active> active_value() {
  using namespace rc::gen;
  return weightedOneOf<Active>({
      {1, just(Active(false))},
      {1, just(Active(true))},
      {2, just(Active::once())},
      {2, map(inRange(-2, 5), [](int n) { return Active::count(n); })},
  });
}

// command()'s commands and delivery's: take the next event, setopts active and mode, getopts.
rc::Gen<Cmd> mode_command() {
  using namespace rc::gen;
  return weightedOneOf<Cmd>({
      {20, command()},
      // More of the peer's data than command() sends, for the events to carry.
      {6, map(inRange<size_t>(1, 3000), [](size_t n) { return Cmd{Op::peer_data, n}; })},
      // Mostly short: most takes expect nothing, and each waits its whole timeout.
      {10, map(weightedElement<int>({{6, 0}, {3, 1}, {1, 10}}), [](int t) { return Cmd{Op::take, 0, t}; })},
      {4, map(active_value(), [](Active a) { Cmd c{Op::set_active}; c.active = a; return c; })},
      {1, map(element(Mode::list, Mode::binary), [](Mode m) { Cmd c{Op::set_mode}; c.mode = m; return c; })},
      {1, just(Cmd{Op::getopts})},
  });
}

// The same in each delivery mode: the socket starts {active, false | true | once | N} in list or binary
// mode, and the commands switch them mid-stream.
RC_GTEST_PROP(ApiModel, DeliveryModesFollowTheModel, ()) {
  const size_t variant = *rc::gen::inRange<size_t>(0, std::size(variants));
  SocketOptions sock;
  sock.active = *rc::gen::weightedOneOf<Active>({
      {1, rc::gen::just(Active(false))},
      {2, rc::gen::just(Active(true))},
      {2, rc::gen::just(Active::once())},
      {2, rc::gen::map(rc::gen::inRange(1, 5), [](int n) { return Active::count(n); })},
  });
  sock.mode = *rc::gen::element(Mode::list, Mode::binary);
  const auto cmds = *rc::gen::container<std::vector<Cmd>>(mode_command());
  Harness h(variant, sock);
  h.sut_getopts();
  for (const Cmd& c : cmds) h.run(c);
  h.finish();
  const Model& m = h.m_;
  RC_TAG(std::string("starts {active, ") + active_name(*sock.active) + "}");
  RC_TAG(m.data_events == 0 ? "no data event" : m.data_events == 1 ? "one data event" : "data events");
  RC_CLASSIFY(m.passive_events > 0, "ssl_passive");
  RC_CLASSIFY(m.einvals > 0, "recv while active");
  RC_CLASSIFY(m.mode_changes > 0, "mode changed");
}

}  // namespace
}  // namespace props
}  // namespace essl
