#include <gtest/gtest.h>

#include "codec_test_util.hpp"
#include "codecs/extensions.hpp"
#include "codecs/finished.hpp"
#include "codecs/key_exchange.hpp"

namespace essl::codec {
namespace {

using test::hex;

TEST(Certificate, RoundTripAndRejects) {
  Bytes in = hex("000009 000002 3082 000001 30");
  auto c = decode_certificate(in);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->certificate_list.size(), 2u);
  EXPECT_EQ(c->certificate_list[0], hex("3082"));
  EXPECT_EQ(test::encode_with(encode_certificate, *c), in);
  // An empty list (a client without a certificate) is allowed; an empty certificate is not.
  auto empty = decode_certificate(hex("000000"));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->certificate_list.empty());
  EXPECT_EQ(decode_certificate(hex("000003 000000")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_certificate(hex("000004 000002 30")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_certificate(hex("000005 000001 30 00")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_certificate(hex("000004 000001 30 00")).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_certificate(hex("000000 00")).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_certificate(hex("0000")).error(), DecodeError::truncated);
}

TEST(CertificateRequest, Tls12AndEarlier) {
  Bytes in12 = hex("02 0140" "0004 0401 0403" "0007 0003 310101 0000");
  // The last DistinguishedName is empty: illegal (<1..2^16-1>).
  EXPECT_EQ(decode_certificate_request(in12, true).error(), DecodeError::length_out_of_range);
  in12 = hex("02 0140" "0004 0401 0403" "0008 0003 310101 0001 30");
  auto m = decode_certificate_request(in12, true);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->certificate_types, hex("0140"));
  EXPECT_EQ(m->supported_signature_algorithms, (std::vector<uint16_t>{0x0401, 0x0403}));
  ASSERT_EQ(m->certificate_authorities.size(), 2u);
  Bytes out;
  Writer w(out);
  encode_certificate_request(*m, true, w);
  EXPECT_EQ(out, in12);

  Bytes in10 = hex("01 01" "0000");
  auto m10 = decode_certificate_request(in10, false);
  ASSERT_TRUE(m10.ok());
  EXPECT_TRUE(m10->certificate_authorities.empty());
  EXPECT_TRUE(m10->supported_signature_algorithms.empty());
  // A TLS 1.0 request read as TLS 1.2 does not parse.
  EXPECT_FALSE(decode_certificate_request(in10, true).ok());
  EXPECT_EQ(decode_certificate_request(hex("00 0000"), false).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_certificate_request(hex("01 01 0000 0000"), true).error(), DecodeError::length_out_of_range);
}

TEST(CertificateVerify, BothLayouts) {
  auto v12 = decode_certificate_verify(hex("0401 0003 aabbcc"), true);
  ASSERT_TRUE(v12.ok());
  EXPECT_EQ(v12->signed_.algorithm, std::optional<uint16_t>(0x0401));
  EXPECT_EQ(v12->signed_.signature, hex("aabbcc"));
  EXPECT_EQ(test::encode_with(encode_certificate_verify, *v12), hex("0401 0003 aabbcc"));
  auto v10 = decode_certificate_verify(hex("0003 aabbcc"), false);
  ASSERT_TRUE(v10.ok());
  EXPECT_FALSE(v10->signed_.algorithm.has_value());
  EXPECT_EQ(test::encode_with(encode_certificate_verify, *v10), hex("0003 aabbcc"));
  EXPECT_EQ(decode_certificate_verify(hex("0003 aabbcc"), true).error(), DecodeError::truncated);
  EXPECT_EQ(decode_certificate_verify(hex("0401 0003 aabbcc"), false).error(), DecodeError::truncated);
  EXPECT_EQ(decode_certificate_verify(hex("0001 aa 00"), false).error(), DecodeError::trailing_bytes);
}

TEST(ServerKeyExchange, Ecdhe) {
  Bytes params = hex("03 0017 04 04aabbcc");
  Bytes sig = hex("0403 0002 3045");
  Bytes in = params;
  in.insert(in.end(), sig.begin(), sig.end());
  auto m = decode_server_key_exchange(in, KexFormat::ecdhe, true, true);
  ASSERT_TRUE(m.ok()) << to_string(m.error());
  const auto& ec = std::get<ServerECDHParams>(m->params);
  EXPECT_EQ(ec.named_curve, uint16_t(NamedGroup::secp256r1));
  EXPECT_EQ(ec.point, hex("04aabbcc"));
  EXPECT_EQ(m->params_bytes, params);
  ASSERT_TRUE(m->signed_.has_value());
  EXPECT_EQ(m->signed_->algorithm, std::optional<uint16_t>(0x0403));
  EXPECT_EQ(test::encode_with(encode_server_key_exchange, *m), in);
  EXPECT_EQ(test::encode_with(encode_server_key_exchange_params, *m), params);

  // Explicit curves are refused; so is a missing signature when one is required.
  EXPECT_EQ(decode_server_key_exchange(hex("01 0017 01 04"), KexFormat::ecdhe, false, true).error(),
            DecodeError::illegal_value);
  EXPECT_EQ(decode_server_key_exchange(params, KexFormat::ecdhe, true, true).error(), DecodeError::truncated);
  EXPECT_EQ(decode_server_key_exchange(hex("03 0017 00"), KexFormat::ecdhe, false, true).error(),
            DecodeError::length_out_of_range);
  auto anon = decode_server_key_exchange(params, KexFormat::ecdhe, false, true);
  ASSERT_TRUE(anon.ok());
  EXPECT_FALSE(anon->signed_.has_value());
  EXPECT_EQ(decode_server_key_exchange(in, KexFormat::ecdhe, false, true).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_server_key_exchange(in, KexFormat::rsa, true, true).error(), DecodeError::illegal_value);
}

TEST(ServerKeyExchange, DheTls10) {
  Bytes params = hex("0002 ffef 0001 02 0002 1234");
  Bytes in = params;
  Bytes sig = hex("0004 01020304");
  in.insert(in.end(), sig.begin(), sig.end());
  auto m = decode_server_key_exchange(in, KexFormat::dhe, true, false);
  ASSERT_TRUE(m.ok());
  const auto& dh = std::get<ServerDHParams>(m->params);
  EXPECT_EQ(dh.dh_p, hex("ffef"));
  EXPECT_EQ(dh.dh_g, hex("02"));
  EXPECT_EQ(dh.dh_Ys, hex("1234"));
  EXPECT_EQ(m->params_bytes, params);
  EXPECT_FALSE(m->signed_->algorithm.has_value());
  EXPECT_EQ(test::encode_with(encode_server_key_exchange, *m), in);
  EXPECT_EQ(decode_server_key_exchange(hex("0000 0001 02 0001 03"), KexFormat::dhe, false, false).error(),
            DecodeError::length_out_of_range);
}

TEST(ClientKeyExchange, Layouts) {
  auto enc = [](const ClientKeyExchange& m, KexFormat f, bool ssl3) {
    Bytes out;
    Writer w(out);
    encode_client_key_exchange(m, f, ssl3, w);
    return out;
  };
  auto rsa = decode_client_key_exchange(hex("0003 aabbcc"), KexFormat::rsa, false);
  ASSERT_TRUE(rsa.ok());
  EXPECT_EQ(rsa->exchange_keys, hex("aabbcc"));
  EXPECT_EQ(enc(*rsa, KexFormat::rsa, false), hex("0003 aabbcc"));
  auto rsa3 = decode_client_key_exchange(hex("0003 aabbcc"), KexFormat::rsa, true);
  ASSERT_TRUE(rsa3.ok());
  EXPECT_EQ(rsa3->exchange_keys, hex("0003 aabbcc"));
  EXPECT_EQ(enc(*rsa3, KexFormat::rsa, true), hex("0003 aabbcc"));
  EXPECT_EQ(decode_client_key_exchange(hex("0004 aabbcc"), KexFormat::rsa, false).error(), DecodeError::truncated);

  auto dh = decode_client_key_exchange(hex("0002 0102"), KexFormat::dhe, false);
  ASSERT_TRUE(dh.ok());
  EXPECT_EQ(enc(*dh, KexFormat::dhe, false), hex("0002 0102"));
  EXPECT_EQ(decode_client_key_exchange(hex("0000"), KexFormat::dhe, false).error(),
            DecodeError::length_out_of_range);

  auto ec = decode_client_key_exchange(hex("41 04" + std::string(128, '1')), KexFormat::ecdhe, false);
  ASSERT_TRUE(ec.ok());
  EXPECT_EQ(ec->exchange_keys.size(), 65u);
  EXPECT_EQ(decode_client_key_exchange(hex("00"), KexFormat::ecdhe, false).error(),
            DecodeError::length_out_of_range);
  EXPECT_EQ(decode_client_key_exchange(hex("01 04 00"), KexFormat::ecdhe, false).error(),
            DecodeError::trailing_bytes);
}

TEST(Finished, Lengths) {
  Bytes vd = hex("000102030405060708090a0b");
  auto f = decode_finished(vd, 12);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->verify_data, vd);
  EXPECT_EQ(test::encode_with(encode_finished, *f), vd);
  EXPECT_EQ(decode_finished(ByteView(vd).first(11), 12).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_finished(vd, 36).error(), DecodeError::length_out_of_range);
  Bytes ssl3(36, 7);
  EXPECT_TRUE(decode_finished(ssl3, 36).ok());
  EXPECT_EQ(decode_finished(ssl3, 12).error(), DecodeError::length_out_of_range);
}

}  // namespace
}  // namespace essl::codec
