// ServerKeyExchange and ClientKeyExchange in each layout.
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

rc::Gen<ServerKeyExchange> server_key_exchange(KexFormat format, bool is_signed, bool tls12) {
  rc::Gen<std::variant<ServerDHParams, ServerECDHParams>> params =
      format == KexFormat::dhe
          ? rc::gen::map(rc::gen::tuple(bytes(1, 0xffff), bytes(1, 0xffff), bytes(1, 0xffff)),
                         [](const auto& t) {
                           return std::variant<ServerDHParams, ServerECDHParams>(
                               ServerDHParams{std::get<0>(t), std::get<1>(t), std::get<2>(t)});
                         })
          : rc::gen::map(rc::gen::pair(u16(), bytes(1, 0xff)), [](const auto& p) {
              return std::variant<ServerDHParams, ServerECDHParams>(ServerECDHParams{p.first, p.second});
            });
  return rc::gen::map(rc::gen::pair(params, digitally_signed(tls12)), [is_signed](const auto& p) {
    ServerKeyExchange m;
    m.params = p.first;
    if (is_signed) m.signed_ = p.second;
    return m;
  });
}

RC_GTEST_PROP(KeyExchangeProps, ServerRoundTripAndParamsBytes, (bool ec, bool is_signed, bool tls12)) {
  KexFormat f = ec ? KexFormat::ecdhe : KexFormat::dhe;
  ServerKeyExchange m = *server_key_exchange(f, is_signed, tls12);
  Bytes out;
  Writer w(out);
  encode_server_key_exchange(m, w);
  auto back = decode_server_key_exchange(out, f, is_signed, tls12);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == m);
  Bytes params;
  Writer pw(params);
  encode_server_key_exchange_params(m, pw);
  RC_ASSERT(back->params_bytes == params);
  RC_ASSERT(std::equal(params.begin(), params.end(), out.begin()));
}

RC_GTEST_PROP(KeyExchangeProps, ServerTotal, (bool ec, bool is_signed, bool tls12)) {
  KexFormat f = ec ? KexFormat::ecdhe : KexFormat::dhe;
  auto dec = [=](ByteView b) { return decode_server_key_exchange(b, f, is_signed, tls12); };
  Bytes in = *near_valid(server_key_exchange(f, is_signed, tls12), encode_server_key_exchange);
  check_total(in, encode_server_key_exchange, dec);
}

rc::Gen<KexFormat> kex_format() { return rc::gen::element(KexFormat::rsa, KexFormat::dhe, KexFormat::ecdhe); }

rc::Gen<ClientKeyExchange> client_key_exchange(KexFormat f, bool ssl3) {
  (void)ssl3;
  rc::Gen<Bytes> keys = f == KexFormat::rsa ? bytes(0, 0xffff) : f == KexFormat::dhe ? bytes(1, 0xffff) : bytes(1, 0xff);
  return rc::gen::map(keys, [](Bytes b) { return ClientKeyExchange{std::move(b)}; });
}

RC_GTEST_PROP(KeyExchangeProps, ClientRoundTrip, (bool ssl3)) {
  KexFormat f = *kex_format();
  auto enc = [=](const ClientKeyExchange& m, Writer& w) { encode_client_key_exchange(m, f, ssl3, w); };
  auto dec = [=](ByteView b) { return decode_client_key_exchange(b, f, ssl3); };
  check_round_trip(*client_key_exchange(f, ssl3), enc, dec);
}

RC_GTEST_PROP(KeyExchangeProps, ClientTotal, (bool ssl3)) {
  KexFormat f = *kex_format();
  auto enc = [=](const ClientKeyExchange& m, Writer& w) { encode_client_key_exchange(m, f, ssl3, w); };
  auto dec = [=](ByteView b) { return decode_client_key_exchange(b, f, ssl3); };
  check_total(*near_valid(client_key_exchange(f, ssl3), enc), enc, dec);
}

}  // namespace
}  // namespace essl::codec::props
