// Record header, Alert and ChangeCipherSpec codecs.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

rc::Gen<RecordHeader> record_header() {
  return rc::gen::map(
      rc::gen::tuple(rc::gen::element(ContentType::change_cipher_spec, ContentType::alert, ContentType::handshake,
                                      ContentType::application_data),
                     rc::gen::arbitrary<uint8_t>(), rc::gen::inRange<uint16_t>(0, max_ciphertext + 1)),
      [](const auto& t) {
        return RecordHeader{std::get<0>(t), uint16_t(0x0300 | std::get<1>(t)), std::get<2>(t)};
      });
}

rc::Gen<Alert> alert() {
  return rc::gen::map(rc::gen::pair(rc::gen::element(AlertLevel::warning, AlertLevel::fatal),
                                    rc::gen::arbitrary<uint8_t>()),
                      [](const auto& p) { return Alert{p.first, AlertDescription(p.second)}; });
}

RC_GTEST_PROP(RecordProps, HeaderRoundTrip, ()) {
  check_round_trip(*record_header(), encode_record_header, decode_record_header);
}

RC_GTEST_PROP(RecordProps, HeaderTotal, ()) {
  check_total(*near_valid(record_header(), encode_record_header), encode_record_header, decode_record_header);
}

RC_GTEST_PROP(RecordProps, AlertRoundTrip, ()) { check_round_trip(*alert(), encode_alert, decode_alert); }

RC_GTEST_PROP(RecordProps, AlertTotal, ()) {
  check_total(*near_valid(alert(), encode_alert), encode_alert, decode_alert);
}

RC_GTEST_PROP(RecordProps, ChangeCipherSpecTotal, (const Bytes& in)) {
  check_total(in, encode_change_cipher_spec, decode_change_cipher_spec);
}

}  // namespace
}  // namespace essl::codec::props
