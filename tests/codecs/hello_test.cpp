#include <gtest/gtest.h>

#include "codec_test_util.hpp"
#include "codecs/handshake.hpp"
#include "codecs/hello.hpp"

namespace essl::codec {
namespace {

using test::hex;

// A TLS 1.2 ClientHello as a current client sends it (handshake header included): SNI example.com,
// ec_point_formats, supported_groups, session_ticket, ALPN h2/http1.1, encrypt_then_mac,
// extended_master_secret, signature_algorithms, and the renegotiation SCSV last in the suite list.
const Bytes captured_client_hello = hex(
    "010000f90303101112131415161718191a1b1c1d1e1f20212223242526272829"
    "2a2b2c2d2e2f20a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8"
    "b9babbbcbdbebf0038c02cc030009fcca9cca8ccaac02bc02f009ec024c02800"
    "6bc023c0270067c00ac0140039c009c0130033009d009c003d003c0035002f00"
    "ff0100007800000010000e00000b6578616d706c652e636f6d000b0004030001"
    "02000a000c000a001d0017001e00190018002300000010000e000c0268320868"
    "7474702f312e310016000000170000000d002a00280403050306030807080808"
    "09080a080b080408050806040105010601030303010302040205020602");

ByteView body_of(const Bytes& msg) { return ByteView(msg).subspan(4); }

TEST(ClientHello, CapturedDecodesAndReencodes) {
  auto m = decode_client_hello(body_of(captured_client_hello));
  ASSERT_TRUE(m.ok()) << to_string(m.error());
  EXPECT_EQ(m->client_version, 0x0303);
  EXPECT_EQ(m->random[0], 0x10);
  EXPECT_EQ(m->random[31], 0x2f);
  EXPECT_EQ(m->session_id.size(), 32u);
  ASSERT_EQ(m->cipher_suites.size(), 28u);
  EXPECT_EQ(m->cipher_suites.front(), 0xc02c);
  EXPECT_EQ(m->cipher_suites.back(), scsv_empty_renegotiation_info);
  EXPECT_EQ(m->compression_methods, hex("00"));
  EXPECT_TRUE(m->extensions_present);
  ASSERT_EQ(m->extensions.size(), 8u);
  const Extension* sni = find_extension(m->extensions, ExtensionType::server_name);
  ASSERT_NE(sni, nullptr);
  auto names = decode_server_name(sni->data);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->host_names, std::vector<std::string>{"example.com"});
  auto groups = decode_supported_groups(find_extension(m->extensions, ExtensionType::supported_groups)->data);
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->groups, (std::vector<uint16_t>{29, 23, 30, 25, 24}));
  auto alpn = decode_alpn(find_extension(m->extensions, ExtensionType::alpn)->data);
  ASSERT_TRUE(alpn.ok());
  EXPECT_EQ(alpn->names, (std::vector<std::string>{"h2", "http/1.1"}));
  auto sigs = decode_signature_algorithms(find_extension(m->extensions, ExtensionType::signature_algorithms)->data);
  ASSERT_TRUE(sigs.ok());
  EXPECT_EQ(sigs->algorithms.size(), 20u);
  EXPECT_EQ(sigs->algorithms[0], sig::scheme(sig::sha256, sig::ecdsa));
  EXPECT_NE(find_extension(m->extensions, ExtensionType::extended_master_secret), nullptr);
  EXPECT_EQ(find_extension(m->extensions, ExtensionType::renegotiation_info), nullptr);

  Bytes body = test::encode_with(encode_client_hello, *m);
  Bytes msg;
  Writer w(msg);
  encode_handshake(HandshakeType::client_hello, body, w);
  EXPECT_EQ(msg, captured_client_hello);
}

// SSL 3.0-style hello: no extensions block at all.
const Bytes minimal_client_hello = hex(
    "0300" "0000000000000000000000000000000000000000000000000000000000000000"
    "00" "0002 002f" "01 00");

TEST(ClientHello, ExtensionsAbsentVersusEmpty) {
  auto absent = decode_client_hello(minimal_client_hello);
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->extensions_present);
  EXPECT_EQ(test::encode_with(encode_client_hello, *absent), minimal_client_hello);

  Bytes with_empty = minimal_client_hello;
  with_empty.push_back(0);
  with_empty.push_back(0);
  auto empty = decode_client_hello(with_empty);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->extensions_present);
  EXPECT_TRUE(empty->extensions.empty());
  EXPECT_EQ(test::encode_with(encode_client_hello, *empty), with_empty);
}

TEST(ClientHello, Rejects) {
  Bytes b = minimal_client_hello;
  // Truncated anywhere.
  for (size_t n = 0; n < b.size(); ++n)
    EXPECT_EQ(decode_client_hello(ByteView(b).first(n)).error(), DecodeError::truncated) << n;
  // One stray byte after the compression methods is neither nothing nor an extensions block.
  Bytes stray = b;
  stray.push_back(0);
  EXPECT_EQ(decode_client_hello(stray).error(), DecodeError::truncated);
  // Trailing bytes after the extensions block.
  Bytes trailing = b;
  for (uint8_t x : {0, 0, 0}) trailing.push_back(x);
  EXPECT_EQ(decode_client_hello(trailing).error(), DecodeError::trailing_bytes);
  // session_id longer than 32.
  Bytes long_sid = hex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
                       "21 000000000000000000000000000000000000000000000000000000000000000000"
                       "0002 002f 01 00");
  EXPECT_EQ(decode_client_hello(long_sid).error(), DecodeError::length_out_of_range);
  // Empty and odd-length cipher suite lists.
  Bytes no_suites = hex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
                        "00 0000 01 00");
  EXPECT_EQ(decode_client_hello(no_suites).error(), DecodeError::length_out_of_range);
  Bytes odd_suites = hex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
                         "00 0003 002f00 01 00");
  EXPECT_EQ(decode_client_hello(odd_suites).error(), DecodeError::length_out_of_range);
  // No compression methods.
  Bytes no_comp = hex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
                      "00 0002 002f 00");
  EXPECT_EQ(decode_client_hello(no_comp).error(), DecodeError::length_out_of_range);
  // Compression methods without null are a policy question: the codec accepts them.
  Bytes deflate_only = hex("0303" "0000000000000000000000000000000000000000000000000000000000000000"
                           "00 0002 002f 01 01");
  EXPECT_TRUE(decode_client_hello(deflate_only).ok());
  // The same extension twice.
  Bytes dup = b;
  Bytes exts = hex("000a ff01 0001 00 ff01 0001 00");
  dup.insert(dup.end(), exts.begin(), exts.end());
  EXPECT_EQ(decode_client_hello(dup).error(), DecodeError::duplicate_extension);
  // An extension body running past its block.
  Bytes overrun = b;
  Bytes bad = hex("0004 ff01 0005 00");
  overrun.insert(overrun.end(), bad.begin(), bad.end());
  EXPECT_EQ(decode_client_hello(overrun).error(), DecodeError::truncated);
}

TEST(ServerHello, RoundTripAndRejects) {
  Bytes in = hex("0303" "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
                 "04 deadbeef" "c02f" "00" "0009" "ff01 0001 00" "0017 0000");
  auto m = decode_server_hello(in);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->server_version, 0x0303);
  EXPECT_EQ(m->session_id, hex("deadbeef"));
  EXPECT_EQ(m->cipher_suite, 0xc02f);
  EXPECT_EQ(m->compression_method, 0);
  ASSERT_EQ(m->extensions.size(), 2u);
  auto ri = decode_renegotiation_info(find_extension(m->extensions, ExtensionType::renegotiation_info)->data);
  ASSERT_TRUE(ri.ok());
  EXPECT_TRUE(ri->renegotiated_connection.empty());
  EXPECT_EQ(test::encode_with(encode_server_hello, *m), in);

  Bytes no_ext(in.begin(), in.begin() + 2 + 32 + 5 + 3);
  auto plain = decode_server_hello(no_ext);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->extensions_present);
  EXPECT_EQ(test::encode_with(encode_server_hello, *plain), no_ext);

  for (size_t n = 0; n < no_ext.size(); ++n)
    EXPECT_EQ(decode_server_hello(ByteView(no_ext).first(n)).error(), DecodeError::truncated);
  Bytes dup = no_ext;
  Bytes exts = hex("0008 0017 0000 0017 0000");
  dup.insert(dup.end(), exts.begin(), exts.end());
  EXPECT_EQ(decode_server_hello(dup).error(), DecodeError::duplicate_extension);
}

}  // namespace
}  // namespace essl::codec
