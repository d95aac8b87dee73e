// Hello extensions (RFC 5246 7.4.1.4, RFC 6066, RFC 4492, RFC 8422, RFC 5746, RFC 7366, RFC 7627).
//
// Hellos keep extensions raw and in order; typed codecs below read and write one extension's body.
// The handler decides which extensions are allowed where ("did we offer this?").
#pragma once
#include <optional>
#include <string>

#include "codecs/wire.hpp"

namespace essl::codec {

enum class ExtensionType : uint16_t {
  server_name = 0,
  supported_groups = 10,  // elliptic_curves in RFC 4492
  ec_point_formats = 11,
  srp = 12,  // RFC 5054 2.8.1
  signature_algorithms = 13,
  alpn = 16,
  encrypt_then_mac = 22,        // RFC 7366 2: empty in both hellos
  extended_master_secret = 23,  // RFC 7627 5.1: empty in both hellos
  session_ticket = 35,
  next_protocol_negotiation = 13172,
  renegotiation_info = 0xff01,
};

struct Extension {
  uint16_t type;
  Bytes data;
  bool operator==(const Extension&) const = default;
};

// extensions<0..2^16-1> as in the hellos. A type appearing twice -> duplicate_extension.
// `in` is the whole block, its 2-byte length included; read_extensions reads the same from a hello's reader.
DecodeResult<std::vector<Extension>> decode_extensions(ByteView in);
void read_extensions(Reader& r, std::vector<Extension>& out);
void encode_extensions(const std::vector<Extension>& exts, Writer& w);
const Extension* find_extension(const std::vector<Extension>& exts, ExtensionType t);

// server_name (RFC 6066 3). Client form: a list holding host_name entries; the server's acknowledgement
// is an empty body, which decodes to (and encodes from) an empty host_names.
struct ServerNameList {
  std::vector<std::string> host_names;  // name_type host_name(0) only; others -> illegal_value
  bool operator==(const ServerNameList&) const = default;
};
DecodeResult<ServerNameList> decode_server_name(ByteView body);
void encode_server_name(const ServerNameList& v, Writer& w);

// NamedGroup values (RFC 8422 5.1.1, RFC 7919).
enum class NamedGroup : uint16_t { secp256r1 = 23, secp384r1 = 24, secp521r1 = 25, x25519 = 29, x448 = 30 };
struct SupportedGroups {
  std::vector<uint16_t> groups;  // NamedCurve named_curve_list<2..2^16-1>
  bool operator==(const SupportedGroups&) const = default;
};
DecodeResult<SupportedGroups> decode_supported_groups(ByteView body);
void encode_supported_groups(const SupportedGroups& v, Writer& w);

// ECPointFormat: uncompressed(0), ansiX962_compressed_prime(1), ansiX962_compressed_char2(2).
struct EcPointFormats {
  std::vector<uint8_t> formats;  // ec_point_format_list<1..2^8-1>
  bool operator==(const EcPointFormats&) const = default;
};
DecodeResult<EcPointFormats> decode_ec_point_formats(ByteView body);
void encode_ec_point_formats(const EcPointFormats& v, Writer& w);

// SignatureAndHashAlgorithm as uint16 (hash << 8 | signature), RFC 5246 7.4.1.4.1.
namespace sig {
enum Hash : uint8_t { none = 0, md5 = 1, sha1 = 2, sha224 = 3, sha256 = 4, sha384 = 5, sha512 = 6 };
enum Algo : uint8_t { anonymous = 0, rsa = 1, dsa = 2, ecdsa = 3 };
constexpr uint16_t scheme(Hash h, Algo a) { return uint16_t(h << 8 | a); }
}  // namespace sig
struct SignatureAlgorithms {
  std::vector<uint16_t> algorithms;  // supported_signature_algorithms<2..2^16-2>
  bool operator==(const SignatureAlgorithms&) const = default;
};
DecodeResult<SignatureAlgorithms> decode_signature_algorithms(ByteView body);
void encode_signature_algorithms(const SignatureAlgorithms& v, Writer& w);

// renegotiation_info (RFC 5746 3.2): opaque renegotiated_connection<0..255>.
struct RenegotiationInfo {
  Bytes renegotiated_connection;
  bool operator==(const RenegotiationInfo&) const = default;
};
DecodeResult<RenegotiationInfo> decode_renegotiation_info(ByteView body);
void encode_renegotiation_info(const RenegotiationInfo& v, Writer& w);

// srp (RFC 5054 2.8.1): the client's user name.
struct SrpExtension {
  Bytes srp_I;  // <1..2^8-1>
  bool operator==(const SrpExtension&) const = default;
};
DecodeResult<SrpExtension> decode_srp(ByteView body);
void encode_srp(const SrpExtension& v, Writer& w);

// application_layer_protocol_negotiation (RFC 7301 3.1): ProtocolName protocol_name_list<2..2^16-1>,
// each ProtocolName opaque<1..2^8-1>. The server's reply carries exactly one name; the handler checks that.
struct ProtocolNameList {
  std::vector<std::string> names;
  bool operator==(const ProtocolNameList&) const = default;
};
DecodeResult<ProtocolNameList> decode_alpn(ByteView body);
void encode_alpn(const ProtocolNameList& v, Writer& w);

// next_protocol_negotiation (draft-agl-tls-nextprotoneg-04 3): the client's extension is empty; the
// server's body is a bare sequence of non-empty 8-bit length-prefixed names (no outer length).
DecodeResult<ProtocolNameList> decode_npn_protocols(ByteView body);
void encode_npn_protocols(const ProtocolNameList& v, Writer& w);

}  // namespace essl::codec
