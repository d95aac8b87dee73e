// Decodes every extension a hello carries with its typed codec, as a handler would.
#pragma once
#include "codecs/extensions.hpp"
#include "fuzz_common.hpp"

namespace essl::fuzz {

inline void round_trip_known_extensions(const std::vector<codec::Extension>& exts) {
  using namespace codec;
  for (const Extension& e : exts) {
    ByteView b(e.data);
    switch (ExtensionType(e.type)) {
      case ExtensionType::server_name: round_trip(b, encode_server_name, decode_server_name); break;
      case ExtensionType::supported_groups: round_trip(b, encode_supported_groups, decode_supported_groups); break;
      case ExtensionType::ec_point_formats: round_trip(b, encode_ec_point_formats, decode_ec_point_formats); break;
      case ExtensionType::signature_algorithms:
        round_trip(b, encode_signature_algorithms, decode_signature_algorithms);
        break;
      case ExtensionType::alpn: round_trip(b, encode_alpn, decode_alpn); break;
      case ExtensionType::next_protocol_negotiation:
        round_trip(b, encode_npn_protocols, decode_npn_protocols);
        break;
      case ExtensionType::renegotiation_info:
        round_trip(b, encode_renegotiation_info, decode_renegotiation_info);
        break;
      case ExtensionType::srp: round_trip(b, encode_srp, decode_srp); break;
      case ExtensionType::extended_master_secret:  // empty bodies: nothing to decode
      case ExtensionType::encrypt_then_mac:
      case ExtensionType::session_ticket:
        break;
    }
  }
}

}  // namespace essl::fuzz
