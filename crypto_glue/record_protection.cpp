// Record protection (RFC 5246 6.2.3, RFC 4346 6.2.3.2, RFC 2246 6.2.3, RFC 6101 5.2.3, RFC 5288, RFC 7366):
// RC4 (stream), DES, 3DES and AES in CBC mode with HMAC-MD5/SHA-1/SHA-256/SHA-384 or the SSL 3.0 MAC
// (MAC-then-encrypt, or encrypt-then-MAC when negotiated), and AES-GCM.
//
// Cipher objects are made once per direction; records are encrypted and decrypted in place, and the
// buffers the checks need live in the object, so steady-state traffic allocates nothing here.
//
// The CBC check follows the Lucky13 countermeasure (AlFardan and Paterson, 2013): whatever the padding
// length byte says, and whether the padding is good or not, the same number of hash compression
// functions run, the received MAC is read out with masks from every position it could occupy, and the
// only branch is on the final verdict.
#include "crypto_glue/record_protection.hpp"

#include <botan/aead.h>
#include <botan/cipher_mode.h>
#include <botan/exceptn.h>
#include <botan/hash.h>
#include <botan/mac.h>
#include <botan/stream_cipher.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <string>

#include "codecs/copy.hpp"
#include "crypto_glue/hash_names.hpp"
#include "crypto_glue/prototypes.hpp"

namespace essl::crypto {

namespace {

constexpr size_t max_plaintext = size_t{1} << 14;               // RFC 5246 6.2.1
constexpr size_t max_ciphertext = max_plaintext + 2048;          // RFC 5246 6.2.3
constexpr size_t max_padding = 256;                              // padding_length is one byte, plus itself
constexpr size_t gcm_fixed_iv = 4;                               // RFC 5288 3: salt from the key block
constexpr size_t gcm_explicit_nonce = 8;                         // RFC 5288 3: nonce_explicit
constexpr size_t gcm_tag = 16;
constexpr size_t max_mac = 64;
constexpr size_t max_block = 16;

// ---- constant-time helpers: masks are all-ones (true) or zero (false) ----

using Mask = uint64_t;

// Keeps the optimiser from turning mask arithmetic back into branches.
inline Mask barrier(Mask x) {
#if defined(__GNUC__) || defined(__clang__)
  asm("" : "+r"(x));
#endif
  return x;
}
// For a, b < 2^63: the borrow of a - b is the top bit.
inline Mask ct_lt(uint64_t a, uint64_t b) { return barrier(Mask{0} - ((a - b) >> 63)); }
inline Mask ct_is_zero(uint64_t x) { return barrier(Mask{0} - ((~x & (x - 1)) >> 63)); }
inline Mask ct_eq(uint64_t a, uint64_t b) { return ct_is_zero(a ^ b); }
inline uint64_t ct_select(Mask m, uint64_t a, uint64_t b) { return (a & m) | (b & ~m); }

void put_u64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

size_t block_size(Cipher c) {
  switch (c) {
    case Cipher::aes_128_cbc:
    case Cipher::aes_256_cbc: return 16;
    case Cipher::des3_ede_cbc:
    case Cipher::des_cbc: return 8;
    default: return 0;
  }
}

const char* cbc_name(Cipher c) {
  switch (c) {
    case Cipher::aes_128_cbc: return "AES-128/CBC/NoPadding";
    case Cipher::aes_256_cbc: return "AES-256/CBC/NoPadding";
    case Cipher::des3_ede_cbc: return "TripleDES/CBC/NoPadding";
    case Cipher::des_cbc: return "DES/CBC/NoPadding";
    default: return nullptr;
  }
}

size_t enc_key_size(Cipher c) {
  switch (c) {
    case Cipher::aes_128_cbc:
    case Cipher::aes_128_gcm: return 16;
    case Cipher::aes_256_cbc:
    case Cipher::aes_256_gcm: return 32;
    case Cipher::des3_ede_cbc: return 24;
    case Cipher::des_cbc: return 8;
    case Cipher::rc4_128: return 16;
    default: return 0;
  }
}

bool is_gcm(Cipher c) { return c == Cipher::aes_128_gcm || c == Cipher::aes_256_gcm; }

// ---- the record MAC: HMAC (TLS) or the SSL 3.0 construction ----

class RecordMac {
 public:
  static std::unique_ptr<RecordMac> make(Hash h, ByteView key, bool ssl3) {
    const char* name = botan_hash_name(h);
    if (name == nullptr || key.size() != hash_size(h)) return nullptr;
    auto m = std::unique_ptr<RecordMac>(new RecordMac());
    m->ssl3_ = ssl3;
    m->size_ = hash_size(h);
    m->dummy_ = new_hash(h);
    m->block_ = m->dummy_->hash_block_size();
    // MD5, SHA-1 and SHA-2 append the message length in 8 bytes, SHA-384/512 in 16 (FIPS 180-4 5.1).
    m->length_field_ = m->block_ == 128 ? 16 : 8;
    if (ssl3) {
      // RFC 6101 5.2.3.1: pad_1/pad_2 are 48 bytes for MD5 and 40 for SHA.
      m->ssl3_pad_ = h == Hash::md5 ? 48 : 40;
      m->inner_ = new_hash(h);
      m->key_.assign(key.begin(), key.end());
      m->prefix_ = key.size() + m->ssl3_pad_;
    } else {
      m->hmac_ = new_hmac(h);
      m->hmac_->set_key(key.data(), key.size());
      m->prefix_ = m->block_;  // HMAC's inner hash starts with the key xor ipad block
    }
    m->zeros_.assign((max_padding / m->block_ + 2) * m->block_, 0);
    return m;
  }

  size_t size() const { return size_; }

  // MAC over seq || type || [version ||] length || data (RFC 5246 6.2.3.1, RFC 6101 5.2.3.1).
  void compute(uint64_t seq, uint8_t type, uint16_t version, const uint8_t* data, size_t len, uint8_t* out) {
    std::array<uint8_t, 13> hdr{};
    put_u64(hdr.data(), seq);
    hdr[8] = type;
    size_t n = 9;
    if (!ssl3_) {
      hdr[n++] = static_cast<uint8_t>(version >> 8);
      hdr[n++] = static_cast<uint8_t>(version);
    }
    hdr[n++] = static_cast<uint8_t>(len >> 8);
    hdr[n++] = static_cast<uint8_t>(len);
    if (!ssl3_) {
      hmac_->update(hdr.data(), n);
      hmac_->update(data, len);
      hmac_->final(out);
      return;
    }
    std::array<uint8_t, 48> pad{};
    std::fill(pad.begin(), pad.end(), uint8_t{0x36});
    inner_->update(key_.data(), key_.size());
    inner_->update(pad.data(), ssl3_pad_);
    inner_->update(hdr.data(), n);
    inner_->update(data, len);
    std::array<uint8_t, max_mac> inner{};
    inner_->final(inner.data());
    std::fill(pad.begin(), pad.end(), uint8_t{0x5c});
    inner_->update(key_.data(), key_.size());
    inner_->update(pad.data(), ssl3_pad_);
    inner_->update(inner.data(), size_);
    inner_->final(out);
  }

  size_t header_size() const { return ssl3_ ? 11 : 13; }

  // Compression-function calls the inner hash makes for a message of `len` data bytes (the fixed
  // prefix, the header, then the final padding byte and length field).
  uint64_t compressions(uint64_t len) const {
    return (prefix_ + header_size() + len + 1 + length_field_ + block_ - 1) / block_;
  }

  // Runs `count` extra compressions on a spare hash object; count <= max_padding / block + 1.
  void burn(uint64_t count) {
    dummy_->update(zeros_.data(), static_cast<size_t>(count) * block_);
    dummy_->clear();
  }

 private:
  RecordMac() = default;
  bool ssl3_ = false;
  size_t size_ = 0, block_ = 64, length_field_ = 8, prefix_ = 0, ssl3_pad_ = 0;
  std::unique_ptr<Botan::MessageAuthenticationCode> hmac_;
  std::unique_ptr<Botan::HashFunction> inner_, dummy_;
  Botan::secure_vector<uint8_t> key_;
  Bytes zeros_;
};

struct CbcCheckParams {
  uint64_t seq;
  uint8_t content_type;
  uint16_t version;
  size_t block_size;
  bool ssl3;
  bool padding_check;
};

// The Lucky13-safe check of plaintext || mac || padding || padding_length. Only public values (the
// record length, MAC and block sizes) steer control flow until the verdict.
Result<size_t, AlertDescription> check_cbc(RecordMac& mac, const CbcCheckParams& p, ByteView d) {
  const size_t n = d.size();
  const size_t t = mac.size();
  if (p.block_size == 0 || n % p.block_size != 0 || n < t + 1) return fail(AlertDescription::bad_record_mac);

  // The padding: padding_length + 1 bytes at the end, each equal to padding_length (RFC 5246 6.2.3.2).
  const uint64_t pad_len = d[n - 1];
  const uint64_t pad_total = pad_len + 1;
  Mask good = ~ct_lt(n, pad_total + t);  // the padding and the MAC fit
  if (p.ssl3) {
    // RFC 6101 5.2.3.2: the padding is shorter than a block; its contents are unspecified.
    good &= ~ct_lt(p.block_size, pad_total);
  } else if (p.padding_check) {
    const size_t scan = std::min(max_padding - 1, n - 1);
    for (size_t k = 1; k <= scan; ++k) {
      const Mask in_pad = ct_lt(k, pad_total);
      const Mask same = ct_eq(d[n - 1 - k], pad_len);
      good &= ~in_pad | same;
    }
  }
  // A bad padding is treated as no padding: the MAC is then computed over the longest candidate, the
  // same work as for the shortest padding.
  const uint64_t pad_used = ct_select(good, pad_total, 0);
  const uint64_t plen = n - t - pad_used;

  std::array<uint8_t, max_mac> computed{};
  mac.compute(p.seq, p.content_type, p.version, d.data(), static_cast<size_t>(plen), computed.data());
  // Top the hash work up to what the longest candidate (plen = n - t) costs.
  mac.burn(mac.compressions(n - t) - mac.compressions(plen));

  // Read the received MAC at d[plen .. plen + t) without a secret-dependent address: every byte of the
  // window it may lie in is visited, the MAC's bytes land rotated in `got`, then rotate back by
  // log2(t) masked steps.
  const size_t lo = n - t > max_padding ? n - t - max_padding : 0;
  std::array<uint8_t, max_mac> got{};
  std::array<uint8_t, max_mac> tmp{};
  uint64_t rot = 0;
  size_t j = 0;
  for (size_t u = lo; u < n; ++u) {
    const Mask in_mac = ~ct_lt(u, plen) & ct_lt(u, plen + t);
    got[j] = static_cast<uint8_t>(got[j] | (d[u] & in_mac));
    rot |= ct_eq(u, plen) & j;
    if (++j == t) j = 0;
  }
  for (size_t s = 1; s < t; s <<= 1) {
    const Mask take = ct_is_zero(rot & s) ^ ~Mask{0};  // bit s of rot set
    for (size_t k = 0; k < t; ++k) tmp[k] = got[(k + s) % t];
    for (size_t k = 0; k < t; ++k) got[k] = static_cast<uint8_t>(ct_select(take, tmp[k], got[k]));
  }
  uint64_t diff = 0;
  for (size_t k = 0; k < t; ++k) diff |= static_cast<uint64_t>(got[k] ^ computed[k]);
  good &= ct_is_zero(diff);

  if (barrier(good) == 0) return fail(AlertDescription::bad_record_mac);
  if (plen > max_plaintext) return fail(AlertDescription::record_overflow);
  return static_cast<size_t>(plen);
}

// ---- AES-GCM, RFC 5288 ----

// One record direction uses only one of the two modes, so each is keyed on first use: a connection holds
// one cipher state per direction, not two.
class Gcm {
 public:
  static std::unique_ptr<Gcm> make(ByteView key) {
    if (key.size() != 16 && key.size() != 32) return nullptr;
    auto g = std::unique_ptr<Gcm>(new Gcm());
    g->key_.assign(key.begin(), key.end());
    return g;
  }

  // The modes go; the key stays, and the next seal or open keys its mode again.
  void release() {
    enc_.reset();
    dec_.reset();
    Botan::secure_vector<uint8_t>().swap(tail_);
  }

  // Appends ciphertext || tag for `pt` to `out`.
  void seal(ByteView nonce, ByteView aad, ByteView pt, Bytes& out) {
    if (!enc_) enc_ = keyed(Botan::ENCRYPTION);
    enc_->set_associated_data(aad.data(), aad.size());
    enc_->start(nonce.data(), nonce.size());
    const size_t at = out.size();
    codec::append_bytes(out, pt);
    const size_t g = enc_->update_granularity();
    const size_t bulk = pt.size() / g * g;
    enc_->process(out.data() + at, bulk);
    tail_.assign(out.begin() + static_cast<ptrdiff_t>(at + bulk), out.end());
    enc_->finish(tail_, 0);
    out.resize(at + bulk);
    out.insert(out.end(), tail_.begin(), tail_.end());
  }

  // Decrypts ciphertext || tag in place; the plaintext length, or bad_record_mac.
  Result<size_t, AlertDescription> open(ByteView nonce, ByteView aad, std::span<uint8_t> ct) {
    if (ct.size() < gcm_tag) return fail(AlertDescription::bad_record_mac);
    const size_t len = ct.size() - gcm_tag;
    if (!dec_) dec_ = keyed(Botan::DECRYPTION);
    dec_->set_associated_data(aad.data(), aad.size());
    dec_->start(nonce.data(), nonce.size());
    const size_t g = dec_->update_granularity();
    const size_t bulk = len / g * g;
    dec_->process(ct.data(), bulk);
    tail_.assign(ct.begin() + static_cast<ptrdiff_t>(bulk), ct.end());
    try {
      dec_->finish(tail_, 0);
    } catch (const Botan::Invalid_Authentication_Tag&) {
      return fail(AlertDescription::bad_record_mac);
    }
    std::copy(tail_.begin(), tail_.end(), ct.begin() + static_cast<ptrdiff_t>(bulk));
    return len;
  }

 private:
  Gcm() = default;
  std::unique_ptr<Botan::AEAD_Mode> keyed(Botan::Cipher_Dir dir) const {
    auto m = new_aes_gcm(key_.size(), dir);
    m->set_key(key_.data(), key_.size());
    return m;
  }
  Botan::secure_vector<uint8_t> key_;
  std::unique_ptr<Botan::AEAD_Mode> enc_, dec_;
  Botan::secure_vector<uint8_t> tail_;
};

std::array<uint8_t, 13> aead_ad(uint64_t seq, uint8_t type, uint16_t version, size_t len) {
  std::array<uint8_t, 13> ad{};
  put_u64(ad.data(), seq);
  ad[8] = type;
  ad[9] = static_cast<uint8_t>(version >> 8);
  ad[10] = static_cast<uint8_t>(version);
  ad[11] = static_cast<uint8_t>(len >> 8);
  ad[12] = static_cast<uint8_t>(len);
  return ad;
}

class GcmProtection final : public RecordProtection {
 public:
  GcmProtection(std::unique_ptr<Gcm> gcm, ByteView fixed_iv) : gcm_(std::move(gcm)) {
    std::copy(fixed_iv.begin(), fixed_iv.end(), nonce_.begin());
  }

  size_t max_overhead() const override { return gcm_explicit_nonce + gcm_tag; }
  // Each record starts from its own nonce: nothing runs on between records.
  void release_idle() override { gcm_->release(); }

  void protect(uint8_t content_type, uint16_t version, uint64_t seq, ByteView plaintext, Bytes& out,
               Rng&) override {
    // RFC 5288 3: the explicit nonce must not repeat under a key; the sequence number never does.
    std::array<uint8_t, 12> nonce = nonce_;
    put_u64(nonce.data() + gcm_fixed_iv, seq);
    out.insert(out.end(), nonce.begin() + gcm_fixed_iv, nonce.end());
    const auto ad = aead_ad(seq, content_type, version, plaintext.size());
    try {
      gcm_->seal(nonce, ad, plaintext, out);
    } catch (...) {
      std::terminate();  // unreachable with the sizes checked at construction; never send plaintext
    }
  }

  Result<std::span<uint8_t>, AlertDescription> unprotect(uint8_t content_type, uint16_t version, uint64_t seq,
                                                         std::span<uint8_t> fragment) override {
    if (fragment.size() > max_ciphertext) return fail(AlertDescription::record_overflow);
    if (fragment.size() < gcm_explicit_nonce + gcm_tag) return fail(AlertDescription::bad_record_mac);
    const size_t len = fragment.size() - gcm_explicit_nonce - gcm_tag;
    if (len > max_plaintext) return fail(AlertDescription::record_overflow);
    std::array<uint8_t, 12> nonce = nonce_;
    std::copy_n(fragment.begin(), gcm_explicit_nonce, nonce.begin() + gcm_fixed_iv);
    const auto ad = aead_ad(seq, content_type, version, len);
    try {
      auto r = gcm_->open(nonce, ad, fragment.subspan(gcm_explicit_nonce));
      if (!r) return fail(r.error());
    } catch (...) {
      return fail(AlertDescription::bad_record_mac);
    }
    return fragment.subspan(gcm_explicit_nonce, len);
  }

 private:
  std::unique_ptr<Gcm> gcm_;
  std::array<uint8_t, 12> nonce_{};
};

// ---- CBC with a MAC ----

class CbcProtection final : public RecordProtection {
 public:
  CbcProtection(Version v, std::unique_ptr<Botan::Cipher_Mode> enc, std::unique_ptr<Botan::Cipher_Mode> dec,
                std::unique_ptr<RecordMac> mac, size_t bs, ByteView iv, bool padding_check, bool etm)
      : enc_(std::move(enc)),
        dec_(std::move(dec)),
        mac_(std::move(mac)),
        bs_(bs),
        explicit_iv_(v >= Version::tlsv1_1),
        ssl3_(v == Version::sslv3),
        // RFC 5246 6.2.3.2 requires the padding check from TLS 1.1 on; only TLS 1.0 may skip it.
        padding_check_(padding_check || v >= Version::tlsv1_1),
        etm_(etm) {
    if (!explicit_iv_) {
      std::copy(iv.begin(), iv.end(), enc_iv_.begin());
      std::copy(iv.begin(), iv.end(), dec_iv_.begin());
    }
  }

  size_t max_overhead() const override { return (explicit_iv_ ? bs_ : 0) + mac_->size() + bs_; }

  void protect(uint8_t content_type, uint16_t version, uint64_t seq, ByteView plaintext, Bytes& out,
               Rng& rng) override {
    if (etm_) return protect_etm(content_type, version, seq, plaintext, out, rng);
    try {
      std::array<uint8_t, max_block> iv{};
      if (explicit_iv_) {
        // RFC 4346 6.2.3.2: a fresh unpredictable IV per record, sent in the clear.
        rng.fill(std::span<uint8_t>(iv.data(), bs_));
        out.insert(out.end(), iv.begin(), iv.begin() + static_cast<ptrdiff_t>(bs_));
      } else {
        iv = enc_iv_;
      }
      const size_t body = out.size();
      const size_t t = mac_->size();
      const size_t pad_len = (bs_ - (plaintext.size() + t + 1) % bs_) % bs_;
      out.resize(body + plaintext.size() + t + pad_len + 1);
      codec::copy_bytes(out.data() + body, plaintext.data(), plaintext.size());
      mac_->compute(seq, content_type, version, plaintext.data(), plaintext.size(),
                    out.data() + body + plaintext.size());
      std::fill(out.begin() + static_cast<ptrdiff_t>(body + plaintext.size() + t), out.end(),
                static_cast<uint8_t>(pad_len));
      enc_->start(iv.data(), bs_);
      enc_->process(out.data() + body, out.size() - body);
      if (!explicit_iv_) std::copy(out.end() - static_cast<ptrdiff_t>(bs_), out.end(), enc_iv_.begin());
    } catch (...) {
      std::terminate();  // unreachable with the sizes checked at construction; never send plaintext
    }
  }

  Result<std::span<uint8_t>, AlertDescription> unprotect(uint8_t content_type, uint16_t version, uint64_t seq,
                                                         std::span<uint8_t> fragment) override {
    if (fragment.size() > max_ciphertext) return fail(AlertDescription::record_overflow);
    if (etm_) return unprotect_etm(content_type, version, seq, fragment);
    const size_t iv_len = explicit_iv_ ? bs_ : 0;
    if (fragment.size() < iv_len + bs_ || (fragment.size() - iv_len) % bs_ != 0 ||
        fragment.size() - iv_len < mac_->size() + 1)
      return fail(AlertDescription::bad_record_mac);
    std::array<uint8_t, max_block> iv{};
    if (explicit_iv_)
      std::copy_n(fragment.begin(), bs_, iv.begin());
    else
      iv = dec_iv_;
    const auto body = fragment.subspan(iv_len);
    try {
      if (!explicit_iv_) std::copy(body.end() - static_cast<ptrdiff_t>(bs_), body.end(), dec_iv_.begin());
      dec_->start(iv.data(), bs_);
      dec_->process(body.data(), body.size());
      const CbcCheckParams p{seq, content_type, version, bs_, ssl3_, padding_check_};
      auto r = check_cbc(*mac_, p, body);
      if (!r) return fail(r.error());
      return body.first(r.value());
    } catch (...) {
      return fail(AlertDescription::bad_record_mac);
    }
  }

 private:
  // Encrypt-then-MAC (RFC 7366 3). The record: [IV (TLS 1.1+)] || ENC(content || padding || padding_length) || MAC, the MAC taken over
  // seq || type || version || length || IV || ciphertext, length being that of IV || ciphertext. The
  // padding is not secret once the MAC has been checked, so nothing here needs Lucky13's care.
  void protect_etm(uint8_t content_type, uint16_t version, uint64_t seq, ByteView plaintext, Bytes& out, Rng& rng) {
    try {
      const size_t start = out.size();
      std::array<uint8_t, max_block> iv{};
      if (explicit_iv_) {
        rng.fill(std::span<uint8_t>(iv.data(), bs_));
        out.insert(out.end(), iv.begin(), iv.begin() + static_cast<ptrdiff_t>(bs_));
      } else {
        iv = enc_iv_;
      }
      const size_t body = out.size();
      const size_t pad_len = (bs_ - (plaintext.size() + 1) % bs_) % bs_;
      out.resize(body + plaintext.size() + pad_len + 1);
      codec::copy_bytes(out.data() + body, plaintext.data(), plaintext.size());
      std::fill(out.begin() + static_cast<ptrdiff_t>(body + plaintext.size()), out.end(), static_cast<uint8_t>(pad_len));
      enc_->start(iv.data(), bs_);
      enc_->process(out.data() + body, out.size() - body);
      if (!explicit_iv_) std::copy(out.end() - static_cast<ptrdiff_t>(bs_), out.end(), enc_iv_.begin());
      const size_t macced = out.size() - start;
      out.resize(out.size() + mac_->size());
      mac_->compute(seq, content_type, version, out.data() + start, macced, out.data() + start + macced);
    } catch (...) {
      std::terminate();  // unreachable with the sizes checked at construction; never send plaintext
    }
  }

  //= https://www.rfc-editor.org/rfc/rfc7366#section-3
  //# Decryption reverses this processing.  The MAC SHALL be evaluated
  //# before any further processing such as decryption is performed, and if
  //# the MAC verification fails, then processing SHALL terminate
  //# immediately.
  Result<std::span<uint8_t>, AlertDescription> unprotect_etm(uint8_t content_type, uint16_t version, uint64_t seq,
                                                             std::span<uint8_t> fragment) {
    const size_t t = mac_->size();
    const size_t iv_len = explicit_iv_ ? bs_ : 0;
    if (fragment.size() < iv_len + bs_ + t) return fail(AlertDescription::bad_record_mac);
    const size_t macced = fragment.size() - t;
    if ((macced - iv_len) % bs_ != 0) return fail(AlertDescription::bad_record_mac);
    try {
      std::array<uint8_t, max_mac> computed{};
      mac_->compute(seq, content_type, version, fragment.data(), macced, computed.data());
      uint64_t diff = 0;
      for (size_t k = 0; k < t; ++k) diff |= static_cast<uint64_t>(computed[k] ^ fragment[macced + k]);
      if (barrier(ct_is_zero(diff)) == 0) return fail(AlertDescription::bad_record_mac);
      std::array<uint8_t, max_block> iv{};
      if (explicit_iv_)
        std::copy_n(fragment.begin(), bs_, iv.begin());
      else
        iv = dec_iv_;
      const auto body = fragment.subspan(iv_len, macced - iv_len);
      if (!explicit_iv_) std::copy(body.end() - static_cast<ptrdiff_t>(bs_), body.end(), dec_iv_.begin());
      dec_->start(iv.data(), bs_);
      dec_->process(body.data(), body.size());
      const size_t pad_len = body.back();
      if (pad_len + 1 > body.size()) return fail(AlertDescription::bad_record_mac);
      if (padding_check_)
        for (size_t k = 1; k <= pad_len; ++k)
          if (body[body.size() - 1 - k] != pad_len) return fail(AlertDescription::bad_record_mac);
      const size_t plen = body.size() - pad_len - 1;
      if (plen > max_plaintext) return fail(AlertDescription::record_overflow);
      return body.first(plen);
    } catch (...) {
      return fail(AlertDescription::bad_record_mac);
    }
  }

  std::unique_ptr<Botan::Cipher_Mode> enc_, dec_;
  std::unique_ptr<RecordMac> mac_;
  size_t bs_;
  bool explicit_iv_, ssl3_, padding_check_, etm_;
  std::array<uint8_t, max_block> enc_iv_{}, dec_iv_{};  // TLS 1.0 / SSL 3.0 chained IVs
};

// ---- RC4 with a MAC (RFC 5246 6.2.3.1, RFC 6101 5.2.3.1) ----

// A stream cipher record is plaintext || MAC, encrypted with the keystream that runs on from record to
// record. Without padding there is nothing for a timing attack to learn: the MAC is computed over a
// length that the record's length gives away anyway, and compared in constant time.
class StreamProtection final : public RecordProtection {
 public:
  StreamProtection(std::unique_ptr<Botan::StreamCipher> enc, std::unique_ptr<Botan::StreamCipher> dec,
                   std::unique_ptr<RecordMac> mac)
      : enc_(std::move(enc)), dec_(std::move(dec)), mac_(std::move(mac)) {}

  size_t max_overhead() const override { return mac_->size(); }

  void protect(uint8_t content_type, uint16_t version, uint64_t seq, ByteView plaintext, Bytes& out,
               Rng&) override {
    try {
      const size_t body = out.size();
      out.resize(body + plaintext.size() + mac_->size());
      codec::copy_bytes(out.data() + body, plaintext.data(), plaintext.size());
      mac_->compute(seq, content_type, version, plaintext.data(), plaintext.size(),
                    out.data() + body + plaintext.size());
      enc_->cipher1(out.data() + body, out.size() - body);
    } catch (...) {
      std::terminate();  // unreachable with the sizes checked at construction; never send plaintext
    }
  }

  Result<std::span<uint8_t>, AlertDescription> unprotect(uint8_t content_type, uint16_t version, uint64_t seq,
                                                         std::span<uint8_t> fragment) override {
    if (fragment.size() > max_ciphertext) return fail(AlertDescription::record_overflow);
    const size_t t = mac_->size();
    if (fragment.size() < t) return fail(AlertDescription::bad_record_mac);
    const size_t len = fragment.size() - t;
    try {
      dec_->cipher1(fragment.data(), fragment.size());
      std::array<uint8_t, max_mac> computed{};
      mac_->compute(seq, content_type, version, fragment.data(), len, computed.data());
      uint64_t diff = 0;
      for (size_t k = 0; k < t; ++k) diff |= static_cast<uint64_t>(computed[k] ^ fragment[len + k]);
      if (barrier(ct_is_zero(diff)) == 0) return fail(AlertDescription::bad_record_mac);
    } catch (...) {
      return fail(AlertDescription::bad_record_mac);
    }
    if (len > max_plaintext) return fail(AlertDescription::record_overflow);
    return fragment.first(len);
  }

 private:
  std::unique_ptr<Botan::StreamCipher> enc_, dec_;
  std::unique_ptr<RecordMac> mac_;
};

}  // namespace

KeyLengths key_lengths(Version v, const SuiteSpec& s) {
  if (is_gcm(s.cipher)) return {0, enc_key_size(s.cipher), gcm_fixed_iv};
  const size_t bs = block_size(s.cipher);
  return {hash_size(s.mac), enc_key_size(s.cipher), v <= Version::tlsv1 ? bs : 0};
}

std::unique_ptr<RecordProtection> make_record_protection(Version v, const SuiteSpec& s, ByteView mac_key,
                                                         ByteView enc_key, ByteView iv, bool padding_check,
                                                         bool encrypt_then_mac) {
  const KeyLengths k = key_lengths(v, s);
  if (enc_key.size() != k.enc_key || iv.size() != k.iv || k.enc_key == 0) return nullptr;
  // RFC 7366 applies to TLS's block ciphers only.
  if (encrypt_then_mac && (v == Version::sslv3 || block_size(s.cipher) == 0)) return nullptr;
  try {
    if (is_gcm(s.cipher)) {
      if (v != Version::tlsv1_2) return nullptr;  // RFC 5288 4: TLS 1.2 only
      auto gcm = Gcm::make(enc_key);
      if (!gcm) return nullptr;
      return std::make_unique<GcmProtection>(std::move(gcm), iv);
    }
    // RFC 6101 5.2.3.1: SSL 3.0 defines its MAC for MD5 and SHA-1 only.
    if (v == Version::sslv3 && s.mac != Hash::md5 && s.mac != Hash::sha) return nullptr;
    if (mac_key.size() != k.mac_key) return nullptr;
    auto mac = RecordMac::make(s.mac, mac_key, v == Version::sslv3);
    if (!mac) return nullptr;
    if (s.cipher == Cipher::rc4_128) {
      auto enc = Botan::StreamCipher::create_or_throw("RC4");
      auto dec = Botan::StreamCipher::create_or_throw("RC4");
      enc->set_key(enc_key.data(), enc_key.size());
      dec->set_key(enc_key.data(), enc_key.size());
      return std::make_unique<StreamProtection>(std::move(enc), std::move(dec), std::move(mac));
    }
    const char* name = cbc_name(s.cipher);
    if (name == nullptr) return nullptr;
    auto enc = Botan::Cipher_Mode::create_or_throw(name, Botan::ENCRYPTION);
    auto dec = Botan::Cipher_Mode::create_or_throw(name, Botan::DECRYPTION);
    enc->set_key(enc_key.data(), enc_key.size());
    dec->set_key(enc_key.data(), enc_key.size());
    return std::make_unique<CbcProtection>(v, std::move(enc), std::move(dec), std::move(mac),
                                           block_size(s.cipher), iv, padding_check, encrypt_then_mac);
  } catch (...) {
    return nullptr;
  }
}

Result<size_t, AlertDescription> check_cbc_record(const CbcCheckInput& in) {
  try {
    auto mac = RecordMac::make(in.mac, in.mac_key, in.ssl3);
    if (!mac) return fail(AlertDescription::bad_record_mac);
    const CbcCheckParams p{in.seq, in.content_type, in.version, in.block_size, in.ssl3, in.padding_check};
    return check_cbc(*mac, p, in.decrypted);
  } catch (...) {
    return fail(AlertDescription::bad_record_mac);
  }
}

Result<size_t, AlertDescription> gcm_open(ByteView key, ByteView nonce, ByteView aad,
                                          std::span<uint8_t> ciphertext_and_tag) {
  if (nonce.size() != gcm_fixed_iv + gcm_explicit_nonce) return fail(AlertDescription::bad_record_mac);
  try {
    auto gcm = Gcm::make(key);
    if (!gcm) return fail(AlertDescription::bad_record_mac);
    return gcm->open(nonce, aad, ciphertext_and_tag);
  } catch (...) {
    return fail(AlertDescription::bad_record_mac);
  }
}

namespace {
class GcmAead final : public Aead {
 public:
  explicit GcmAead(std::unique_ptr<Gcm> g) : gcm_(std::move(g)) {}
  void seal(ByteView nonce, ByteView aad, ByteView plaintext, Bytes& out) override {
    gcm_->seal(nonce, aad, plaintext, out);
  }
  Result<size_t, AlertDescription> open(ByteView nonce, ByteView aad, std::span<uint8_t> ct) override {
    return gcm_->open(nonce, aad, ct);
  }

 private:
  std::unique_ptr<Gcm> gcm_;
};
}  // namespace

std::unique_ptr<Aead> make_gcm(ByteView key) {
  auto g = Gcm::make(key);
  if (!g) return nullptr;
  return std::make_unique<GcmAead>(std::move(g));
}

namespace {
class BotanCbcHmac final : public CbcHmac {
 public:
  BotanCbcHmac(std::unique_ptr<Botan::Cipher_Mode> enc, std::unique_ptr<Botan::Cipher_Mode> dec,
               std::unique_ptr<Botan::MessageAuthenticationCode> mac)
      : enc_(std::move(enc)), dec_(std::move(dec)), mac_(std::move(mac)) {}
  void encrypt(ByteView iv, std::span<uint8_t> data) override {
    enc_->start(iv.data(), iv.size());
    enc_->process(data.data(), data.size());
  }
  void decrypt(ByteView iv, std::span<uint8_t> data) override {
    dec_->start(iv.data(), iv.size());
    dec_->process(data.data(), data.size());
  }
  Bytes mac(ByteView data) override {
    mac_->update(data.data(), data.size());
    Bytes out(mac_->output_length());
    mac_->final(out.data());
    return out;
  }

 private:
  std::unique_ptr<Botan::Cipher_Mode> enc_, dec_;
  std::unique_ptr<Botan::MessageAuthenticationCode> mac_;
};
}  // namespace

std::unique_ptr<CbcHmac> make_cbc_hmac(Hash mac, ByteView mac_key, ByteView enc_key) {
  const char* cipher = enc_key.size() == 16 ? "AES-128/CBC/NoPadding" : enc_key.size() == 32 ? "AES-256/CBC/NoPadding"
                                                                                               : nullptr;
  const char* hash = botan_hash_name(mac);
  if (cipher == nullptr || hash == nullptr) return nullptr;
  try {
    auto enc = Botan::Cipher_Mode::create_or_throw(cipher, Botan::ENCRYPTION);
    auto dec = Botan::Cipher_Mode::create_or_throw(cipher, Botan::DECRYPTION);
    auto hmac = new_hmac(mac);
    enc->set_key(enc_key.data(), enc_key.size());
    dec->set_key(enc_key.data(), enc_key.size());
    hmac->set_key(mac_key.data(), mac_key.size());
    return std::make_unique<BotanCbcHmac>(std::move(enc), std::move(dec), std::move(hmac));
  } catch (...) {
    return nullptr;
  }
}

namespace {
bool cbc_raw(Botan::Cipher_Dir dir, ByteView key, ByteView iv, std::span<uint8_t> data) {
  const char* name = key.size() == 16 ? "AES-128/CBC/NoPadding" : key.size() == 32 ? "AES-256/CBC/NoPadding"
                                                                                     : nullptr;
  if (name == nullptr || iv.size() != 16 || data.size() % 16 != 0) return false;
  try {
    auto mode = Botan::Cipher_Mode::create_or_throw(name, dir);
    mode->set_key(key.data(), key.size());
    mode->start(iv.data(), iv.size());
    mode->process(data.data(), data.size());
    return true;
  } catch (...) {
    return false;
  }
}
}  // namespace

bool cbc_decrypt(ByteView key, ByteView iv, std::span<uint8_t> data) {
  return cbc_raw(Botan::DECRYPTION, key, iv, data);
}
bool cbc_encrypt(ByteView key, ByteView iv, std::span<uint8_t> data) {
  return cbc_raw(Botan::ENCRYPTION, key, iv, data);
}

}  // namespace essl::crypto
