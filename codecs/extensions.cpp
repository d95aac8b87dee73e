#include "codecs/extensions.hpp"

#include <algorithm>

namespace essl::codec {

namespace {

constexpr size_t max16 = 0xffff;
constexpr size_t max8 = 0xff;

bool has_duplicate_type(const std::vector<Extension>& exts) {
  std::vector<uint16_t> types;
  types.reserve(exts.size());
  for (const Extension& e : exts) types.push_back(e.type);
  std::sort(types.begin(), types.end());
  return std::adjacent_find(types.begin(), types.end()) != types.end();
}

std::vector<uint16_t> read_u16_list(ByteView list) {
  std::vector<uint16_t> out;
  out.reserve(list.size() / 2);
  for (size_t i = 0; i + 1 < list.size(); i += 2) out.push_back(uint16_t(list[i] << 8 | list[i + 1]));
  return out;
}

void write_u16_list(const std::vector<uint16_t>& v, Writer& w) {
  auto p = w.prefix(2);
  for (uint16_t x : v) w.u16(x);
}

std::string as_string(ByteView b) { return std::string(b.begin(), b.end()); }
ByteView as_bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

}  // namespace

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4
//# struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
//# There MUST NOT be more than one extension of the same type.
void read_extensions(Reader& r, std::vector<Extension>& out) {
  Reader list(r.vec16(0, max16));
  while (!list.failed() && !list.empty()) {
    uint16_t type = list.u16();
    ByteView data = list.vec16(0, max16);
    if (!list.failed()) out.push_back(Extension{type, Bytes(data.begin(), data.end())});
  }
  if (!list.failed() && has_duplicate_type(out)) list.fail(DecodeError::duplicate_extension);
  list.finish_into(r);
}

DecodeResult<std::vector<Extension>> decode_extensions(ByteView in) {
  Reader r(in);
  std::vector<Extension> exts;
  read_extensions(r, exts);
  return r.finish(std::move(exts));
}

void encode_extensions(const std::vector<Extension>& exts, Writer& w) {
  auto p = w.prefix(2);
  for (const Extension& e : exts) {
    w.u16(e.type);
    w.vec16(e.data);
  }
}

const Extension* find_extension(const std::vector<Extension>& exts, ExtensionType t) {
  for (const Extension& e : exts)
    if (e.type == uint16_t(t)) return &e;
  return nullptr;
}

//= https://www.rfc-editor.org/rfc/rfc6066#section-3
//# struct { NameType name_type; select (name_type) { case host_name: HostName; } name; } ServerName;
//# enum { host_name(0), (255) } NameType;
//# opaque HostName<1..2^16-1>;
//# struct { ServerName server_name_list<1..2^16-1> } ServerNameList;
//# the "extension_data" field of this extension SHALL be empty.   (the server's acknowledgement)
constexpr uint8_t name_type_host_name = 0;

DecodeResult<ServerNameList> decode_server_name(ByteView body) {
  Reader r(body);
  ServerNameList v;
  if (body.empty()) return v;
  Reader list(r.vec16(1, max16));
  while (!list.failed() && !list.empty()) {
    if (list.u8() != name_type_host_name) list.fail(DecodeError::illegal_value);
    ByteView name = list.vec16(1, max16);
    if (!list.failed()) v.host_names.push_back(as_string(name));
  }
  list.finish_into(r);
  return r.finish(std::move(v));
}

void encode_server_name(const ServerNameList& v, Writer& w) {
  if (v.host_names.empty()) return;
  auto p = w.prefix(2);
  for (const std::string& h : v.host_names) {
    w.u8(name_type_host_name);
    w.vec16(as_bytes(h));
  }
}

//= https://www.rfc-editor.org/rfc/rfc8422#section-5.1.1
//# struct { NamedCurve named_curve_list<2..2^16-1> } NamedCurveList;
DecodeResult<SupportedGroups> decode_supported_groups(ByteView body) {
  Reader r(body);
  ByteView list = r.vec16(2, max16, 2);
  return r.finish(SupportedGroups{read_u16_list(list)});
}

void encode_supported_groups(const SupportedGroups& v, Writer& w) { write_u16_list(v.groups, w); }

//= https://www.rfc-editor.org/rfc/rfc8422#section-5.1.2
//# struct { ECPointFormat ec_point_format_list<1..2^8-1> } ECPointFormatList;
DecodeResult<EcPointFormats> decode_ec_point_formats(ByteView body) {
  Reader r(body);
  ByteView list = r.vec8(1, max8);
  return r.finish(EcPointFormats{Bytes(list.begin(), list.end())});
}

void encode_ec_point_formats(const EcPointFormats& v, Writer& w) { w.vec8(v.formats); }

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.4.1
//# SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
DecodeResult<SignatureAlgorithms> decode_signature_algorithms(ByteView body) {
  Reader r(body);
  ByteView list = r.vec16(2, max16 - 1, 2);
  return r.finish(SignatureAlgorithms{read_u16_list(list)});
}

void encode_signature_algorithms(const SignatureAlgorithms& v, Writer& w) { write_u16_list(v.algorithms, w); }

//= https://www.rfc-editor.org/rfc/rfc5746#section-3.2
//# struct { opaque renegotiated_connection<0..255>; } RenegotiationInfo;
DecodeResult<RenegotiationInfo> decode_renegotiation_info(ByteView body) {
  Reader r(body);
  ByteView v = r.vec8(0, max8);
  return r.finish(RenegotiationInfo{Bytes(v.begin(), v.end())});
}

void encode_renegotiation_info(const RenegotiationInfo& v, Writer& w) { w.vec8(v.renegotiated_connection); }

//= https://www.rfc-editor.org/rfc/rfc5054#section-2.8.1
//# opaque srp_I<1..2^8-1>;
DecodeResult<SrpExtension> decode_srp(ByteView body) {
  Reader r(body);
  ByteView v = r.vec8(1, 0xff);
  return r.finish(SrpExtension{Bytes(v.begin(), v.end())});
}

void encode_srp(const SrpExtension& v, Writer& w) { w.vec8(v.srp_I); }

//= https://www.rfc-editor.org/rfc/rfc7301#section-3.1
//# opaque ProtocolName<1..2^8-1>;
//# struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
DecodeResult<ProtocolNameList> decode_alpn(ByteView body) {
  Reader r(body);
  ProtocolNameList v;
  Reader list(r.vec16(2, max16));
  while (!list.failed() && !list.empty()) {
    ByteView name = list.vec8(1, max8);
    if (!list.failed()) v.names.push_back(as_string(name));
  }
  list.finish_into(r);
  return r.finish(std::move(v));
}

void encode_alpn(const ProtocolNameList& v, Writer& w) {
  auto p = w.prefix(2);
  for (const std::string& n : v.names) w.vec8(as_bytes(n));
}

DecodeResult<ProtocolNameList> decode_npn_protocols(ByteView body) {
  Reader r(body);
  ProtocolNameList v;
  while (!r.failed() && !r.empty()) {
    ByteView name = r.vec8(1, max8);
    if (!r.failed()) v.names.push_back(as_string(name));
  }
  return r.finish(std::move(v));
}

void encode_npn_protocols(const ProtocolNameList& v, Writer& w) {
  for (const std::string& n : v.names) w.vec8(as_bytes(n));
}

}  // namespace essl::codec
