// Finished and NextProtocol.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

RC_GTEST_PROP(FinishedProps, RoundTrip, (bool ssl3)) {
  size_t len = ssl3 ? 36 : 12;
  Finished m{*rc::gen::container<Bytes>(len, rc::gen::arbitrary<uint8_t>())};
  check_round_trip(m, encode_finished, [len](ByteView b) { return decode_finished(b, len); });
}

RC_GTEST_PROP(FinishedProps, Total, (const Bytes& in, bool ssl3)) {
  size_t len = ssl3 ? 36 : 12;
  auto d = decode_finished(in, len);
  RC_ASSERT(d.ok() == (in.size() == len));
  check_total(in, encode_finished, [len](ByteView b) { return decode_finished(b, len); });
}

rc::Gen<NextProtocol> next_protocol() {
  return rc::gen::map(rc::gen::pair(text(0, 0xff), bytes(0, 0xff)), [](const auto& p) {
    return NextProtocol{p.first, p.second};
  });
}

RC_GTEST_PROP(NextProtocolProps, RoundTrip, ()) {
  check_round_trip(*next_protocol(), encode_next_protocol, decode_next_protocol);
}
RC_GTEST_PROP(NextProtocolProps, Total, ()) {
  check_total(*near_valid(next_protocol(), encode_next_protocol), encode_next_protocol, decode_next_protocol);
}

}  // namespace
}  // namespace essl::codec::props
