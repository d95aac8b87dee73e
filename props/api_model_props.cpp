// Model-based test of the socket API (send, recv, close, shutdown, setopts, getopts and the owner's
// mailbox) against a peer the test drives, in every delivery mode. This file: the model's general part
// and SocketFollowsTheModel (the passive socket); props/api_mode_props.cpp: the delivery modes
// (DeliveryModesFollowTheModel); props/api_harness.hpp: the peer, the proxy, the commands and the model
// both properties run on.
//
// The socket under test is an essl client from connect() over 127.0.0.1 TCP. The peer is a plain TCP
// socket (one listen socket serves all cases) driven by an in-memory server Engine (RSA key exchange).
// A proxy holding the server's write keys, recovered from the captured ClientKeyExchange, opens every
// record that engine writes and seals it again with its own sequence numbers, so that warning and fatal
// alerts, alerts with an illegal level and records that do not authenticate fit anywhere in the stream.
//
// Random command lists run against a model: send, recv (length 0 or N), close, shutdown(read, write,
// read_write); the peer's data, warnings (bursts that cross the limit of ten in a row), fatal alerts,
// close_notify, the TCP write shutdown and the full TCP close. The model holds the bytes the peer sent
// that recv has not returned, the first event that ends the stream after them (close_notify, end of
// transport, a fatal alert received, or one the socket must send), and what the user closed. It checks:
//   - recv returns those bytes in order (length N: exactly N; 0: a non-empty prefix), then `closed` or
//     {tls_alert, Description} with the right direction, and the same again afterwards; bytes short of
//     N are discarded at the end; with nothing due it returns `timeout` and keeps what it holds;
//   - send succeeds until the socket is closed or shut for writing (`closed`) or has failed (the sticky
//     error); every byte it accepted reaches the peer exactly once and in order before the next command;
//   - close_notify goes out on close, on shutdown(write) and in answer to the peer's; the peer never
//     sees an alert, a close_notify or a transport end that the model does not allow.
// The socket reads only inside recv, so when recv returns data the model cannot know whether the event
// after that data has been taken in too; until an answer shows which, both answers are allowed. Once
// the peer has closed its descriptor and the socket wrote to it, the TCP reset may lose what the peer
// sent before: recv may then answer `closed` early.
//
// SocketFollowsTheModel runs these in {active, false}, {mode, binary}.
// Each case makes a full handshake, so the test has its own RC_PARAMS in props/meson.build.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <iterator>
#include <string>
#include <vector>

#include "props/api_harness.hpp"

namespace essl::props {
namespace {

RC_GTEST_PROP(ApiModel, SocketFollowsTheModel, ()) {
  const size_t variant = *rc::gen::inRange<size_t>(0, std::size(variants));
  const auto cmds = *rc::gen::container<std::vector<Cmd>>(command());
  Harness h(variant);
  for (const Cmd& c : cmds) h.run(c);
  h.finish();
  const Model& m = h.m_;
  if (m.end) RC_TAG(std::string("ends with ") + end_name(m.end->kind));
  RC_CLASSIFY(m.shut_read, "shut for reading");
  RC_CLASSIFY(m.timeouts > 0, "recv timed out");
  RC_CLASSIFY(m.ambiguous, "the end was maybe taken in");
}

}  // namespace
}  // namespace essl::props
