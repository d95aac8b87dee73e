// ServerKeyExchange and ClientKeyExchange in each layout, with and without the PSK identity (hint).
#include "props_gen.hpp"

namespace essl::codec::props {
namespace {

using Params = std::variant<ServerDHParams, ServerECDHParams, NoParams, ServerSRPParams>;

// format dhe, ecdhe or (with psk) none; psk: an identity hint first (RFC 4279).
rc::Gen<ServerKeyExchange> server_key_exchange(KexFormat format, bool is_signed, bool tls12, bool psk) {
  rc::Gen<Params> params =
      format == KexFormat::dhe
          ? rc::gen::map(rc::gen::tuple(bytes(1, 0xffff), bytes(1, 0xffff), bytes(1, 0xffff)),
                         [](const auto& t) {
                           return Params(ServerDHParams{std::get<0>(t), std::get<1>(t), std::get<2>(t)});
                         })
      : format == KexFormat::ecdhe
          ? rc::gen::map(rc::gen::pair(u16(), bytes(1, 0xff)),
                         [](const auto& p) { return Params(ServerECDHParams{p.first, p.second}); })
      : format == KexFormat::srp
          ? rc::gen::map(rc::gen::tuple(bytes(1, 0xffff), bytes(1, 0xffff), bytes(1, 0xff), bytes(1, 0xffff)),
                         [](const auto& t) {
                           return Params(
                               ServerSRPParams{std::get<0>(t), std::get<1>(t), std::get<2>(t), std::get<3>(t)});
                         })
          : rc::gen::just(Params(NoParams{}));
  return rc::gen::map(rc::gen::tuple(params, digitally_signed(tls12), bytes(0, 0xffff)), [=](const auto& t) {
    ServerKeyExchange m;
    m.params = std::get<0>(t);
    if (is_signed) m.signed_ = std::get<1>(t);
    if (psk) m.psk_identity_hint = std::get<2>(t);
    return m;
  });
}

// The layouts: (EC)DH with or without a PSK hint, the hint alone (PSK, RSA_PSK), SRP.
KexFormat server_format(int which) {
  return which == 0 ? KexFormat::dhe : which == 1 ? KexFormat::ecdhe : which == 2 ? KexFormat::none : KexFormat::srp;
}

RC_GTEST_PROP(KeyExchangeProps, ServerRoundTripAndParamsBytes, (bool is_signed, bool tls12)) {
  const KexFormat f = server_format(*rc::gen::inRange(0, 4));
  const bool psk = f == KexFormat::none || (f != KexFormat::srp && *rc::gen::arbitrary<bool>());
  ServerKeyExchange m = *server_key_exchange(f, is_signed, tls12, psk);
  Bytes out;
  Writer w(out);
  encode_server_key_exchange(m, w);
  auto back = decode_server_key_exchange(out, f, is_signed, tls12, psk);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == m);
  Bytes params;
  Writer pw(params);
  encode_server_key_exchange_params(m, pw);
  RC_ASSERT(back->params_bytes == params);
  const size_t at = m.psk_identity_hint ? 2 + m.psk_identity_hint->size() : 0;
  RC_ASSERT(out.size() >= at + params.size());
  RC_ASSERT(std::equal(params.begin(), params.end(), out.begin() + ptrdiff_t(at)));
}

RC_GTEST_PROP(KeyExchangeProps, ServerTotal, (bool is_signed, bool tls12)) {
  const KexFormat f = server_format(*rc::gen::inRange(0, 4));
  const bool psk = f == KexFormat::none || (f != KexFormat::srp && *rc::gen::arbitrary<bool>());
  auto dec = [=](ByteView b) { return decode_server_key_exchange(b, f, is_signed, tls12, psk); };
  Bytes in = *near_valid(server_key_exchange(f, is_signed, tls12, psk), encode_server_key_exchange);
  check_total(in, encode_server_key_exchange, dec);
}

rc::Gen<KexFormat> kex_format() {
  return rc::gen::element(KexFormat::rsa, KexFormat::dhe, KexFormat::ecdhe, KexFormat::none, KexFormat::srp);
}

// psk: an identity first (RFC 4279); the none layout exists only with it.
rc::Gen<ClientKeyExchange> client_key_exchange(KexFormat f, bool psk) {
  rc::Gen<Bytes> keys = f == KexFormat::rsa   ? bytes(0, 0xffff)
                        : f == KexFormat::dhe || f == KexFormat::srp ? bytes(1, 0xffff)
                        : f == KexFormat::ecdhe ? bytes(1, 0xff)
                                                : rc::gen::just(Bytes{});
  return rc::gen::map(rc::gen::pair(keys, bytes(0, 0xffff)), [psk](const auto& p) {
    ClientKeyExchange m;
    m.exchange_keys = p.first;
    if (psk) m.psk_identity = p.second;
    return m;
  });
}

RC_GTEST_PROP(KeyExchangeProps, ClientRoundTrip, (bool ssl3)) {
  KexFormat f = *kex_format();
  const bool psk = f == KexFormat::none || (!ssl3 && *rc::gen::arbitrary<bool>());
  auto enc = [=](const ClientKeyExchange& m, Writer& w) { encode_client_key_exchange(m, f, ssl3, w); };
  auto dec = [=](ByteView b) { return decode_client_key_exchange(b, f, ssl3, psk); };
  check_round_trip(*client_key_exchange(f, psk), enc, dec);
}

RC_GTEST_PROP(KeyExchangeProps, ClientTotal, (bool ssl3)) {
  KexFormat f = *kex_format();
  const bool psk = f == KexFormat::none || (!ssl3 && *rc::gen::arbitrary<bool>());
  auto enc = [=](const ClientKeyExchange& m, Writer& w) { encode_client_key_exchange(m, f, ssl3, w); };
  auto dec = [=](ByteView b) { return decode_client_key_exchange(b, f, ssl3, psk); };
  check_total(*near_valid(client_key_exchange(f, psk), enc), enc, dec);
}

}  // namespace
}  // namespace essl::codec::props
