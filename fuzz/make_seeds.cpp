// Writes the seed corpora in fuzz/corpus/<target>/ from valid messages built with the encoders.
// Usage: make_seeds CORPUS_ROOT. The output is checked in; rerun after a codec's format changes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "codecs/certificate.hpp"
#include "codecs/extensions.hpp"
#include "codecs/finished.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"
#include "codecs/key_exchange.hpp"
#include "codecs/next_protocol.hpp"
#include "codecs/record.hpp"

using namespace essl::codec;

namespace {

std::filesystem::path root;

template <class F>
Bytes build(F f) {
  Bytes out;
  Writer w(out);
  f(w);
  return out;
}

// `prefix` is the selector or flags byte of targets that read one.
void seed(const std::string& target, const std::string& name, const Bytes& body, int prefix = -1) {
  std::filesystem::create_directories(root / target);
  std::ofstream f(root / target / name, std::ios::binary | std::ios::trunc);
  if (prefix >= 0) f.put(char(prefix));
  f.write(reinterpret_cast<const char*>(body.data()), std::streamsize(body.size()));
}

Random counting_random() {
  Random r{};
  for (size_t i = 0; i < r.size(); ++i) r[i] = uint8_t(i);
  return r;
}

std::vector<Extension> client_extensions() {
  return {
      {uint16_t(ExtensionType::server_name), build([](Writer& w) { encode_server_name({{"example.com"}}, w); })},
      {uint16_t(ExtensionType::supported_groups), build([](Writer& w) { encode_supported_groups({{29, 23, 24}}, w); })},
      {uint16_t(ExtensionType::ec_point_formats), build([](Writer& w) { encode_ec_point_formats({{0}}, w); })},
      {uint16_t(ExtensionType::signature_algorithms),
       build([](Writer& w) { encode_signature_algorithms({{0x0403, 0x0401, 0x0501, 0x0201}}, w); })},
      {uint16_t(ExtensionType::alpn), build([](Writer& w) { encode_alpn({{"h2", "http/1.1"}}, w); })},
      {uint16_t(ExtensionType::next_protocol_negotiation), {}},
      {uint16_t(ExtensionType::extended_master_secret), {}},
      {uint16_t(ExtensionType::session_ticket), {}},
      {uint16_t(ExtensionType::renegotiation_info), build([](Writer& w) { encode_renegotiation_info({}, w); })},
  };
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
    return 2;
  }
  root = argv[1];

  seed("record_header", "handshake", build([](Writer& w) {
         encode_record_header({ContentType::handshake, 0x0303, 0x0040}, w);
       }));
  seed("record_header", "max", build([](Writer& w) {
         encode_record_header({ContentType::application_data, 0x0301, uint16_t(max_ciphertext)}, w);
       }));
  seed("alert", "fatal", build([](Writer& w) { encode_alert({essl::AlertLevel::fatal,
                                                             essl::AlertDescription::unknown_ca}, w); }));
  seed("alert", "ccs", build([](Writer& w) { encode_change_cipher_spec({}, w); }));
  seed("handshake_header", "client_hello", build([](Writer& w) {
         w.u8(uint8_t(HandshakeType::client_hello));
         w.u24(0x200);
       }));
  seed("handshake_header", "empty", {});

  std::vector<Extension> exts = client_extensions();
  seed("extensions", "block", build([&](Writer& w) { encode_extensions(exts, w); }), 0);
  for (int sel = 1; sel < 8; ++sel) {
    const uint16_t types[] = {0, 0, 10, 11, 13, 0xff01, 16, 13172};
    for (const Extension& e : exts)
      if (e.type == types[sel] && !e.data.empty()) seed("extensions", "ext" + std::to_string(sel), e.data, sel);
  }
  seed("extensions", "npn", build([](Writer& w) { encode_npn_protocols({{"h2", "http/1.1"}}, w); }), 7);

  ClientHello ch{0x0303, counting_random(), Bytes(32, 0xab), {0xc02f, 0xc02b, 0x009e, 0x002f, 0x00ff},
                 {0}, true, exts};
  seed("client_hello", "tls12", build([&](Writer& w) { encode_client_hello(ch, w); }));
  ClientHello ssl3{0x0300, counting_random(), {}, {0x000a, 0x002f}, {0}, false, {}};
  seed("client_hello", "no_extensions", build([&](Writer& w) { encode_client_hello(ssl3, w); }));

  ServerHello sh{0x0303, counting_random(), Bytes(32, 0xcd), 0xc02f, 0, true,
                 {{uint16_t(ExtensionType::renegotiation_info), {0}},
                  {uint16_t(ExtensionType::ec_point_formats), {1, 0}},
                  {uint16_t(ExtensionType::alpn), build([](Writer& w) { encode_alpn({{"h2"}}, w); })}}};
  seed("server_hello", "tls12", build([&](Writer& w) { encode_server_hello(sh, w); }));
  ServerHello sh10{0x0301, counting_random(), {}, 0x0035, 0, false, {}};
  seed("server_hello", "no_extensions", build([&](Writer& w) { encode_server_hello(sh10, w); }));

  Certificate chain{{Bytes{0x30, 0x82, 0x01, 0x00}, Bytes(40, 0x30)}};
  seed("certificate", "chain", build([&](Writer& w) { encode_certificate(chain, w); }));
  seed("certificate", "empty", build([](Writer& w) { encode_certificate({}, w); }));

  CertificateRequest cr{{1, 64}, {0x0401, 0x0403}, {Bytes{0x30, 0x10}, Bytes{0x30, 0x00}}};
  seed("certificate_request", "tls12", build([&](Writer& w) { encode_certificate_request(cr, true, w); }), 1);
  CertificateRequest cr10{{1}, {}, {}};
  seed("certificate_request", "tls10", build([&](Writer& w) { encode_certificate_request(cr10, false, w); }), 0);

  seed("certificate_verify", "tls12",
       build([](Writer& w) { encode_certificate_verify({{0x0401, Bytes(64, 0x11)}}, w); }), 1);
  seed("certificate_verify", "tls10",
       build([](Writer& w) { encode_certificate_verify({{std::nullopt, Bytes(36, 0x22)}}, w); }), 0);

  ServerKeyExchange ec;
  ec.params = ServerECDHParams{uint16_t(NamedGroup::secp256r1), Bytes(65, 4)};
  ec.signed_ = DigitallySigned{0x0403, Bytes(70, 0x30)};
  seed("server_key_exchange", "ecdhe_tls12", build([&](Writer& w) { encode_server_key_exchange(ec, w); }), 7);
  ServerKeyExchange dh;
  dh.params = ServerDHParams{Bytes(64, 0xff), Bytes{2}, Bytes(64, 0x5a)};
  dh.signed_ = DigitallySigned{std::nullopt, Bytes(36, 0x01)};
  seed("server_key_exchange", "dhe_tls10", build([&](Writer& w) { encode_server_key_exchange(dh, w); }), 2);
  ServerKeyExchange anon;
  anon.params = ServerECDHParams{uint16_t(NamedGroup::x25519), Bytes(32, 9)};
  seed("server_key_exchange", "ecdh_anon", build([&](Writer& w) { encode_server_key_exchange(anon, w); }), 1);

  seed("client_key_exchange", "rsa",
       build([](Writer& w) { encode_client_key_exchange({Bytes(128, 0x42), std::nullopt}, KexFormat::rsa, false, w); }), 0);
  seed("client_key_exchange", "rsa_ssl3",
       build([](Writer& w) { encode_client_key_exchange({Bytes(128, 0x42), std::nullopt}, KexFormat::rsa, true, w); }), 4);
  seed("client_key_exchange", "dhe",
       build([](Writer& w) { encode_client_key_exchange({Bytes(64, 0x17), std::nullopt}, KexFormat::dhe, false, w); }), 1);
  seed("client_key_exchange", "ecdhe",
       build([](Writer& w) { encode_client_key_exchange({Bytes(65, 0x04), std::nullopt}, KexFormat::ecdhe, false, w); }), 2);

  seed("finished", "tls", build([](Writer& w) { encode_finished({Bytes(12, 0xf1)}, w); }), 0);
  seed("finished", "ssl3", build([](Writer& w) { encode_finished({Bytes(36, 0xf3)}, w); }), 1);

  seed("next_protocol", "h2", build([](Writer& w) { encode_next_protocol(make_next_protocol("h2"), w); }));
  seed("next_protocol", "http11", build([](Writer& w) { encode_next_protocol(make_next_protocol("http/1.1"), w); }));
  return 0;
}
