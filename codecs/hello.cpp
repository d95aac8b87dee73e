#include "codecs/hello.hpp"

#include <algorithm>

namespace essl::codec {

namespace {

constexpr size_t max_session_id = 32;

void read_random(Reader& r, Random& out) {
  ByteView b = r.bytes(out.size());
  if (!r.failed()) std::copy(b.begin(), b.end(), out.begin());
}

Bytes copy(ByteView b) { return Bytes(b.begin(), b.end()); }

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.2
//# a client can detect whether or not extensions are present by determining whether there are bytes
//# following the compression_methods at the end of the ClientHello.
void read_optional_extensions(Reader& r, bool& present, std::vector<Extension>& out) {
  present = !r.failed() && !r.empty();
  if (present) read_extensions(r, out);
}

void write_optional_extensions(bool present, const std::vector<Extension>& exts, Writer& w) {
  if (present || !exts.empty()) encode_extensions(exts, w);
}

}  // namespace

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.2
//# struct {
//#     ProtocolVersion client_version;
//#     Random random;
//#     SessionID session_id;
//#     CipherSuite cipher_suites<2..2^16-2>;
//#     CompressionMethod compression_methods<1..2^8-1>;
//#     select (extensions_present) { case false: struct {};
//#                                   case true: Extension extensions<0..2^16-1>; };
//# } ClientHello;
DecodeResult<ClientHello> decode_client_hello(ByteView body) {
  Reader r(body);
  ClientHello m{};
  m.client_version = r.u16();
  read_random(r, m.random);
  m.session_id = copy(r.vec8(0, max_session_id));
  ByteView suites = r.vec16(2, 0xfffe, 2);
  m.cipher_suites.reserve(suites.size() / 2);
  for (size_t i = 0; i + 1 < suites.size(); i += 2)
    m.cipher_suites.push_back(uint16_t(suites[i] << 8 | suites[i + 1]));
  m.compression_methods = copy(r.vec8(1, 0xff));
  read_optional_extensions(r, m.extensions_present, m.extensions);
  return r.finish(std::move(m));
}

void encode_client_hello(const ClientHello& m, Writer& w) {
  w.u16(m.client_version);
  w.bytes(m.random);
  w.vec8(m.session_id);
  {
    auto p = w.prefix(2);
    for (uint16_t s : m.cipher_suites) w.u16(s);
  }
  w.vec8(m.compression_methods);
  write_optional_extensions(m.extensions_present, m.extensions, w);
}

//= https://www.rfc-editor.org/rfc/rfc5246#section-7.4.1.3
//# struct {
//#     ProtocolVersion server_version;
//#     Random random;
//#     SessionID session_id;
//#     CipherSuite cipher_suite;
//#     CompressionMethod compression_method;
//#     select (extensions_present) { case false: struct {};
//#                                   case true: Extension extensions<0..2^16-1>; };
//# } ServerHello;
DecodeResult<ServerHello> decode_server_hello(ByteView body) {
  Reader r(body);
  ServerHello m{};
  m.server_version = r.u16();
  read_random(r, m.random);
  m.session_id = copy(r.vec8(0, max_session_id));
  m.cipher_suite = r.u16();
  m.compression_method = r.u8();
  read_optional_extensions(r, m.extensions_present, m.extensions);
  return r.finish(std::move(m));
}

void encode_server_hello(const ServerHello& m, Writer& w) {
  w.u16(m.server_version);
  w.bytes(m.random);
  w.vec8(m.session_id);
  w.u16(m.cipher_suite);
  w.u8(m.compression_method);
  write_optional_extensions(m.extensions_present, m.extensions, w);
}

}  // namespace essl::codec
