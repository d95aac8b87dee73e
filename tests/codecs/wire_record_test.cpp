#include <gtest/gtest.h>
#include <algorithm>

#include "codec_test_util.hpp"
#include "codecs/copy.hpp"
#include "codecs/handshake.hpp"
#include "codecs/record.hpp"

namespace essl::codec {
namespace {

using test::hex;

TEST(Wire, FailedReadKeepsCursorAndIsSticky) {
  Bytes in = hex("0003 aabb");
  Reader r(in);
  EXPECT_TRUE(r.vec16(0, 10).empty());
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.error(), DecodeError::truncated);
  EXPECT_EQ(r.u8(), 0);
  EXPECT_EQ(r.error(), DecodeError::truncated);
}

TEST(Wire, VecBoundsAndUnit) {
  Bytes in = hex("03 aabbcc");
  EXPECT_EQ(Reader(in).vec8(0, 2).size(), 0u);
  {
    Reader r(in);
    (void)r.vec8(0, 2);
    EXPECT_EQ(r.error(), DecodeError::length_out_of_range);
  }
  {
    Reader r(in);
    (void)r.vec8(4, 8);
    EXPECT_EQ(r.error(), DecodeError::length_out_of_range);
  }
  {
    Bytes odd = hex("0003 aabbcc");
    Reader r(odd);
    (void)r.vec16(0, 100, 2);
    EXPECT_EQ(r.error(), DecodeError::length_out_of_range);
  }
}

TEST(Wire, PrefixFillsLength) {
  Bytes out;
  Writer w(out);
  {
    auto p = w.prefix(3);
    w.u16(0x1234);
  }
  EXPECT_EQ(out, hex("000002 1234"));
}

TEST(Wire, AlertFor) {
  EXPECT_EQ(alert_for(DecodeError::illegal_value), AlertDescription::illegal_parameter);
  EXPECT_EQ(alert_for(DecodeError::truncated), AlertDescription::decode_error);
  EXPECT_EQ(alert_for(DecodeError::duplicate_extension), AlertDescription::decode_error);
}

TEST(Record, HeaderRoundTrip) {
  Bytes in = hex("16 0303 0040");
  auto h = decode_record_header(in);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, ContentType::handshake);
  EXPECT_EQ(h->version, 0x0303);
  EXPECT_EQ(h->length, 0x40);
  EXPECT_EQ(test::encode_with(encode_record_header, *h), in);
}

TEST(Record, HeaderLengthLimit) {
  // 2^14 + 2048 = 0x4800 is the largest TLSCiphertext.length.
  EXPECT_TRUE(decode_record_header(hex("17 0301 4800")).ok());
  auto r = decode_record_header(hex("17 0301 4801"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), DecodeError::length_out_of_range);
  EXPECT_EQ(decode_record_header(hex("17 0301 ffff")).error(), DecodeError::length_out_of_range);
}

TEST(Record, HeaderRejects) {
  EXPECT_EQ(decode_record_header(hex("18 0303 0001")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_record_header(hex("00 0303 0001")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_record_header(hex("16 0203 0001")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_record_header(hex("16 0303 00")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_record_header(hex("16 0303 0001 00")).error(), DecodeError::trailing_bytes);
  EXPECT_TRUE(decode_record_header(hex("14 0300 0001")).ok());  // SSL 3.0
}

TEST(Record, Alert) {
  auto a = decode_alert(hex("02 30"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->level, AlertLevel::fatal);
  EXPECT_EQ(a->description, AlertDescription::unknown_ca);
  EXPECT_EQ(test::encode_with(encode_alert, *a), hex("0230"));
  // Unknown descriptions are kept; unknown levels are not.
  auto u = decode_alert(hex("01 fe"));
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(uint8_t(u->description), 0xfe);
  EXPECT_EQ(decode_alert(hex("03 00")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_alert(hex("00 00")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_alert(hex("02")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_alert(hex("02 28 00")).error(), DecodeError::trailing_bytes);
}

TEST(Record, ChangeCipherSpec) {
  EXPECT_TRUE(decode_change_cipher_spec(hex("01")).ok());
  EXPECT_EQ(test::encode_with(encode_change_cipher_spec, ChangeCipherSpec{}), hex("01"));
  EXPECT_EQ(decode_change_cipher_spec(hex("02")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_change_cipher_spec(hex("")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_change_cipher_spec(hex("0101")).error(), DecodeError::trailing_bytes);
}

TEST(Handshake, Header) {
  auto h = decode_handshake_header(hex("0b 000123"));
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, HandshakeType::certificate);
  EXPECT_EQ(h->length, 0x123u);
  EXPECT_EQ(decode_handshake_header(hex("03 000000")).error(), DecodeError::illegal_value);
  EXPECT_EQ(decode_handshake_header(hex("01 020001")).error(), DecodeError::length_out_of_range);
  EXPECT_TRUE(decode_handshake_header(hex("01 020000")).ok());
  EXPECT_EQ(decode_handshake_header(hex("01 0000")).error(), DecodeError::truncated);
  EXPECT_EQ(decode_handshake_header(hex("01 000000 00")).error(), DecodeError::trailing_bytes);
  EXPECT_TRUE(decode_handshake_header(hex("43 000020")).ok());  // next_protocol
}

TEST(Handshake, EncodeAndEmptyMessages) {
  Bytes out;
  Writer w(out);
  encode_handshake(HandshakeType::finished, hex("aabb"), w);
  EXPECT_EQ(out, hex("14 000002 aabb"));
  EXPECT_TRUE(decode_hello_request({}).ok());
  EXPECT_TRUE(decode_server_hello_done({}).ok());
  EXPECT_EQ(decode_hello_request(hex("00")).error(), DecodeError::trailing_bytes);
  EXPECT_EQ(decode_server_hello_done(hex("00")).error(), DecodeError::trailing_bytes);
  EXPECT_TRUE(test::encode_with(encode_server_hello_done, ServerHelloDone{}).empty());
  EXPECT_EQ(handshake_name(HandshakeType::server_key_exchange), "server_key_exchange");
  EXPECT_FALSE(handshake_type_known(3));
  EXPECT_TRUE(handshake_type_known(0));
}

}  // namespace
}  // namespace essl::codec

// append_bytes / copy_bytes: every size around the 64-byte blocks and the 1 KiB switch, at every
// relative alignment of source and destination in a 64-byte line.
TEST(CopyBytes, AppendsExactlyTheBytesAtAnyAlignment) {
  std::vector<uint8_t> source(16384 + 128);
  for (size_t i = 0; i < source.size(); ++i) source[i] = uint8_t(i * 131 + 7);
  for (size_t n : {size_t(0), size_t(1), size_t(63), size_t(64), size_t(65), size_t(1023), size_t(1024), size_t(1025),
                   size_t(4096 + 17), size_t(16384)}) {
    for (size_t src_off = 0; src_off < 64; src_off += 13) {
      for (size_t prefix = 0; prefix < 64; prefix += 5) {
        std::vector<uint8_t> out(prefix, 0xee);
        const std::span<const uint8_t> piece(source.data() + src_off, n);
        essl::codec::append_bytes(out, piece);
        ASSERT_EQ(out.size(), prefix + n);
        EXPECT_TRUE(std::all_of(out.begin(), out.begin() + ptrdiff_t(prefix), [](uint8_t b) { return b == 0xee; }));
        EXPECT_TRUE(std::equal(piece.begin(), piece.end(), out.begin() + ptrdiff_t(prefix)))
            << "n=" << n << " src_off=" << src_off << " prefix=" << prefix;
      }
    }
  }
}
