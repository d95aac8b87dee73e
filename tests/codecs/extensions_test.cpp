#include <gtest/gtest.h>

#include "codec_test_util.hpp"
#include "codecs/extensions.hpp"
#include "codecs/next_protocol.hpp"

namespace essl::codec {
namespace {

using test::hex;

TEST(Extensions, BlockRoundTrip) {
  Bytes in = hex("000e 0000 0000 ff01 0001 00 000b 0001 00");
  auto e = decode_extensions(in);
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 3u);
  EXPECT_EQ((*e)[1].type, 0xff01);
  EXPECT_EQ((*e)[1].data, hex("00"));
  EXPECT_EQ(test::encode_with(encode_extensions, *e), in);
  EXPECT_EQ(find_extension(*e, ExtensionType::ec_point_formats), &(*e)[2]);
  EXPECT_EQ(find_extension(*e, ExtensionType::alpn), nullptr);
}

TEST(Extensions, BlockRejects) {
  EXPECT_EQ(decode_extensions(hex("0008 0000 0000 0000 0000")).error(), DecodeError::duplicate_extension);
  EXPECT_EQ(decode_extensions(hex("0003 0000 00")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_extensions(hex("0004 0000 0001")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_extensions(hex("0004 0000 0000 00")).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_extensions(hex("0005 0000 0000")).error(), DecodeError::truncated);
  EXPECT_TRUE(decode_extensions(hex("0000")).ok());
  EXPECT_EQ(decode_extensions(hex("")).error(), DecodeError::truncated);
}

TEST(Extensions, ServerName) {
  Bytes in = hex("000e 00 000b 6578616d706c652e636f6d");
  auto v = decode_server_name(in);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->host_names, std::vector<std::string>{"example.com"});
  EXPECT_EQ(test::encode_with(encode_server_name, *v), in);
  // The server's acknowledgement.
  auto ack = decode_server_name({});
  ASSERT_TRUE(ack.ok());
  EXPECT_TRUE(ack->host_names.empty());
  EXPECT_TRUE(test::encode_with(encode_server_name, *ack).empty());

  EXPECT_EQ(decode_server_name(hex("0000")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_server_name(hex("0003 00 0000")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_server_name(hex("0004 01 0001 61")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_server_name(hex("0004 00 0002 61")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_server_name(hex("0004 00 0001 61 00")).error(), DecodeError::trailing_bytes);
}

TEST(Extensions, SupportedGroupsAndPointFormats) {
  auto g = decode_supported_groups(hex("0004 0017 001d"));
  ASSERT_TRUE(g.ok());
  EXPECT_EQ(g->groups, (std::vector<uint16_t>{uint16_t(NamedGroup::secp256r1), uint16_t(NamedGroup::x25519)}));
  EXPECT_EQ(test::encode_with(encode_supported_groups, *g), hex("0004 0017 001d"));
  EXPECT_EQ(decode_supported_groups(hex("0000")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_supported_groups(hex("0003 0017 00")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_supported_groups(hex("0002 0017 00")).error(), DecodeError::trailing_bytes);

  auto f = decode_ec_point_formats(hex("01 00"));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->formats, hex("00"));
  EXPECT_EQ(test::encode_with(encode_ec_point_formats, *f), hex("0100"));
  EXPECT_EQ(decode_ec_point_formats(hex("00")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_ec_point_formats(hex("02 00")).error(), DecodeError::truncated);
}

TEST(Extensions, SignatureAlgorithms) {
  auto s = decode_signature_algorithms(hex("0004 0401 0403"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->algorithms, (std::vector<uint16_t>{sig::scheme(sig::sha256, sig::rsa),
                                                   sig::scheme(sig::sha256, sig::ecdsa)}));
  EXPECT_EQ(test::encode_with(encode_signature_algorithms, *s), hex("0004 0401 0403"));
  EXPECT_EQ(decode_signature_algorithms(hex("0000")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_signature_algorithms(hex("0001 04")).error(), DecodeError::length_out_of_range);
}

TEST(Extensions, RenegotiationInfo) {
  auto v = decode_renegotiation_info(hex("0c 000102030405060708090a0b"));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->renegotiated_connection.size(), 12u);
  EXPECT_EQ(test::encode_with(encode_renegotiation_info, *v), hex("0c 000102030405060708090a0b"));
  EXPECT_EQ(decode_renegotiation_info({}).error(), DecodeError::truncated);
  EXPECT_EQ(decode_renegotiation_info(hex("00 00")).error(), DecodeError::trailing_bytes);
}

TEST(Extensions, AlpnAndNpn) {
  Bytes in = hex("000c 02 6832 08 687474702f312e31");
  auto a = decode_alpn(in);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->names, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(test::encode_with(encode_alpn, *a), in);
  EXPECT_EQ(decode_alpn(hex("0000")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_alpn(hex("0002 00 00")).error(), DecodeError::length_out_of_range);

  auto n = decode_npn_protocols(ByteView(in).subspan(2));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->names, a->names);
  EXPECT_EQ(test::encode_with(encode_npn_protocols, *n), Bytes(in.begin() + 2, in.end()));
  EXPECT_TRUE(decode_npn_protocols({}).ok());
  EXPECT_EQ(decode_npn_protocols(hex("00")).error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_npn_protocols(hex("03 6832")).error(), DecodeError::truncated);
}

TEST(NextProtocol, PaddingAndRoundTrip) {
  NextProtocol m = make_next_protocol("h2");
  EXPECT_EQ(m.padding.size(), 28u);  // 32 - (2 + 2) % 32
  Bytes enc = test::encode_with(encode_next_protocol, m);
  EXPECT_EQ(enc.size(), 32u);
  auto d = decode_next_protocol(enc);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, m);
  EXPECT_EQ(decode_next_protocol(hex("02 6832")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_next_protocol(hex("00 00 00")).error(), DecodeError::trailing_bytes);
}

}  // namespace
}  // namespace essl::codec
