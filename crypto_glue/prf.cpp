// The PRF family and what is derived with it (RFC 2246 5 and 6.3, RFC 5246 5, 8.1 and 7.4.9; RFC 6101
// 6.1, 6.2.2 and 5.6.9 for SSL 3.0).
#include "crypto_glue/prf.hpp"

#include <botan/hash.h>
#include <botan/kdf.h>

#include <array>

#include "crypto_glue/prototypes.hpp"

namespace essl::crypto {

namespace {

constexpr size_t master_secret_size = 48;
constexpr size_t verify_data_size = 12;      // RFC 5246 7.4.9
constexpr size_t ssl3_md5_pad_size = 48;     // RFC 6101 5.2.3.1: pad_1/pad_2 lengths
constexpr size_t ssl3_sha_pad_size = 40;

Bytes concat(ByteView a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// SSL 3.0's generator (RFC 6101 6.1, 6.2.2): for i = 1, 2, ...:
//   MD5(secret || SHA-1(L_i || secret || r1 || r2)), L_i = 'A' x1, 'BB', 'CCC', ...
Bytes ssl3_expand(ByteView secret, ByteView r1, ByteView r2, size_t length) {
  Bytes out;
  out.reserve(length + 16);
  auto md5 = new_hash(Hash::md5);
  auto sha = new_hash(Hash::sha);
  std::array<uint8_t, 20> inner{};
  std::array<uint8_t, 16> outer{};
  for (uint8_t i = 0; out.size() < length; ++i) {
    if (i >= 26) return {};  // 'A'..'Z': more than SSL 3.0 can derive
    for (int k = 0; k <= i; ++k) sha->update(static_cast<uint8_t>('A' + i));
    sha->update(secret.data(), secret.size());
    sha->update(r1.data(), r1.size());
    sha->update(r2.data(), r2.size());
    sha->final(inner.data());
    md5->update(secret.data(), secret.size());
    md5->update(inner.data(), inner.size());
    md5->final(outer.data());
    out.insert(out.end(), outer.begin(), outer.end());
  }
  out.resize(length);
  return out;
}

// RFC 6101 5.6.9: hash(master || pad_2 || hash(handshake_messages || Sender || master || pad_1)).
void ssl3_finished_part(Botan::HashFunction& h, size_t pad_size, ByteView master, ByteView sender,
                        ByteView transcript, Bytes& out) {
  Bytes pad(pad_size, 0x36);
  Bytes inner(h.output_length());
  h.update(transcript.data(), transcript.size());
  h.update(sender.data(), sender.size());
  h.update(master.data(), master.size());
  h.update(pad.data(), pad.size());
  h.final(inner.data());
  std::fill(pad.begin(), pad.end(), uint8_t{0x5c});
  h.update(master.data(), master.size());
  h.update(pad.data(), pad.size());
  h.update(inner.data(), inner.size());
  const size_t at = out.size();
  out.resize(at + h.output_length());
  h.final(out.data() + at);
}

}  // namespace

Bytes prf(Hash h, ByteView secret, std::string_view label, ByteView seed, size_t length) {
  if (h == Hash::null || h == Hash::md5 || h == Hash::sha) return {};
  try {
    auto kdf = new_prf(h);
    // RFC 5246 5: PRF(secret, label, seed) = P_<hash>(secret, label + seed).
    Bytes label_seed(label.begin(), label.end());
    label_seed.insert(label_seed.end(), seed.begin(), seed.end());
    Bytes out(length);
    kdf->kdf(out.data(), out.size(), secret.data(), secret.size(), label_seed.data(), label_seed.size(),
             nullptr, 0);
    return out;
  } catch (...) {
    return {};
  }
}

Hash prf_hash(Version v, const SuiteSpec& s) {
  if (v != Version::tlsv1_2) return Hash::md5sha;
  // RFC 5246 5: suites defined before TLS 1.2 use the SHA-256 PRF; newer ones name theirs.
  return s.prf == Hash::null || s.prf == Hash::md5sha ? Hash::sha256 : s.prf;
}

Bytes master_secret(Version v, Hash h, ByteView premaster, ByteView client_random, ByteView server_random) {
  if (v == Version::sslv3) {
    try {
      return ssl3_expand(premaster, client_random, server_random, master_secret_size);
    } catch (...) {
      return {};
    }
  }
  return prf(h, premaster, "master secret", concat(client_random, server_random), master_secret_size);
}

Bytes extended_master_secret(Hash h, ByteView premaster, ByteView transcript) {
  return prf(h, premaster, "extended master secret", hash(h, transcript), master_secret_size);
}

Bytes key_block(Version v, Hash h, ByteView master, ByteView client_random, ByteView server_random,
                size_t length) {
  if (v == Version::sslv3) {
    try {
      return ssl3_expand(master, server_random, client_random, length);
    } catch (...) {
      return {};
    }
  }
  return prf(h, master, "key expansion", concat(server_random, client_random), length);
}

Bytes finished_verify_data(Version v, Hash h, ByteView master, bool from_client, ByteView transcript) {
  if (v == Version::sslv3) {
    static constexpr std::array<uint8_t, 4> client_sender{0x43, 0x4C, 0x4E, 0x54};  // "CLNT"
    static constexpr std::array<uint8_t, 4> server_sender{0x53, 0x52, 0x56, 0x52};  // "SRVR"
    const ByteView sender = from_client ? ByteView(client_sender) : ByteView(server_sender);
    try {
      Bytes out;
      out.reserve(36);
      auto md5 = new_hash(Hash::md5);
      auto sha = new_hash(Hash::sha);
      ssl3_finished_part(*md5, ssl3_md5_pad_size, master, sender, transcript, out);
      ssl3_finished_part(*sha, ssl3_sha_pad_size, master, sender, transcript, out);
      return out;
    } catch (...) {
      return {};
    }
  }
  // RFC 2246 7.4.9: MD5(handshake_messages) + SHA-1(handshake_messages); RFC 5246 7.4.9: Hash(...) of
  // the PRF hash.
  const Bytes digest = hash(h, transcript);
  return prf(h, master, from_client ? "client finished" : "server finished", digest, verify_data_size);
}

}  // namespace essl::crypto
