// The extensions block and the typed extension codecs.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

rc::Gen<ServerNameList> server_name() {
  return rc::gen::map(list<std::string>(0, 8, text(1, 0xffff)), [](std::vector<std::string> v) {
    return ServerNameList{std::move(v)};
  });
}
rc::Gen<SupportedGroups> supported_groups() {
  return rc::gen::map(list<uint16_t>(1, 0x7fff, u16()), [](std::vector<uint16_t> v) {
    return SupportedGroups{std::move(v)};
  });
}
rc::Gen<EcPointFormats> ec_point_formats() {
  return rc::gen::map(bytes(1, 0xff), [](Bytes v) { return EcPointFormats{std::move(v)}; });
}
rc::Gen<SignatureAlgorithms> signature_algorithms() {
  return rc::gen::map(list<uint16_t>(1, 0x7fff, u16()), [](std::vector<uint16_t> v) {
    return SignatureAlgorithms{std::move(v)};
  });
}
rc::Gen<RenegotiationInfo> renegotiation_info() {
  return rc::gen::map(bytes(0, 0xff), [](Bytes v) { return RenegotiationInfo{std::move(v)}; });
}
rc::Gen<ProtocolNameList> alpn() {
  return rc::gen::map(list<std::string>(1, 100, text(1, 0xff)), [](std::vector<std::string> v) {
    return ProtocolNameList{std::move(v)};
  });
}
rc::Gen<ProtocolNameList> npn() {
  return rc::gen::map(list<std::string>(0, 100, text(1, 0xff)), [](std::vector<std::string> v) {
    return ProtocolNameList{std::move(v)};
  });
}

RC_GTEST_PROP(ExtensionsProps, BlockRoundTrip, ()) {
  check_round_trip(*extensions(), encode_extensions, decode_extensions);
}
RC_GTEST_PROP(ExtensionsProps, BlockTotal, ()) {
  check_total(*near_valid(extensions(), encode_extensions), encode_extensions, decode_extensions);
}
RC_GTEST_PROP(ExtensionsProps, DuplicateTypeRejected, ()) {
  std::vector<Extension> exts = *rc::gen::nonEmpty(extensions());
  Extension again = *rc::gen::elementOf(exts);
  again.data = *bytes(0, 20);
  exts.insert(exts.begin() + *rc::gen::inRange<long>(0, long(exts.size()) + 1), again);
  Bytes out;
  Writer w(out);
  encode_extensions(exts, w);
  auto d = decode_extensions(out);
  RC_ASSERT(!d.ok());
  RC_ASSERT(d.error() == DecodeError::duplicate_extension);
}

RC_GTEST_PROP(ExtensionsProps, ServerNameRoundTrip, ()) {
  check_round_trip(*server_name(), encode_server_name, decode_server_name);
}
RC_GTEST_PROP(ExtensionsProps, ServerNameTotal, ()) {
  check_total(*near_valid(server_name(), encode_server_name), encode_server_name, decode_server_name);
}
RC_GTEST_PROP(ExtensionsProps, SupportedGroupsRoundTrip, ()) {
  check_round_trip(*supported_groups(), encode_supported_groups, decode_supported_groups);
}
RC_GTEST_PROP(ExtensionsProps, SupportedGroupsTotal, ()) {
  check_total(*near_valid(supported_groups(), encode_supported_groups), encode_supported_groups,
              decode_supported_groups);
}
RC_GTEST_PROP(ExtensionsProps, EcPointFormatsRoundTrip, ()) {
  check_round_trip(*ec_point_formats(), encode_ec_point_formats, decode_ec_point_formats);
}
RC_GTEST_PROP(ExtensionsProps, EcPointFormatsTotal, ()) {
  check_total(*near_valid(ec_point_formats(), encode_ec_point_formats), encode_ec_point_formats,
              decode_ec_point_formats);
}
RC_GTEST_PROP(ExtensionsProps, SignatureAlgorithmsRoundTrip, ()) {
  check_round_trip(*signature_algorithms(), encode_signature_algorithms, decode_signature_algorithms);
}
RC_GTEST_PROP(ExtensionsProps, SignatureAlgorithmsTotal, ()) {
  check_total(*near_valid(signature_algorithms(), encode_signature_algorithms), encode_signature_algorithms,
              decode_signature_algorithms);
}
RC_GTEST_PROP(ExtensionsProps, RenegotiationInfoRoundTrip, ()) {
  check_round_trip(*renegotiation_info(), encode_renegotiation_info, decode_renegotiation_info);
}
RC_GTEST_PROP(ExtensionsProps, RenegotiationInfoTotal, ()) {
  check_total(*near_valid(renegotiation_info(), encode_renegotiation_info), encode_renegotiation_info,
              decode_renegotiation_info);
}
RC_GTEST_PROP(ExtensionsProps, AlpnRoundTrip, ()) { check_round_trip(*alpn(), encode_alpn, decode_alpn); }
RC_GTEST_PROP(ExtensionsProps, AlpnTotal, ()) {
  check_total(*near_valid(alpn(), encode_alpn), encode_alpn, decode_alpn);
}
RC_GTEST_PROP(ExtensionsProps, NpnRoundTrip, ()) {
  check_round_trip(*npn(), encode_npn_protocols, decode_npn_protocols);
}
RC_GTEST_PROP(ExtensionsProps, NpnTotal, ()) {
  check_total(*near_valid(npn(), encode_npn_protocols), encode_npn_protocols, decode_npn_protocols);
}

}  // namespace
}  // namespace essl::codec::props
