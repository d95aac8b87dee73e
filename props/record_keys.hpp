// For the model-based properties: the record keys of an RSA key-exchange handshake, recovered from the
// captured handshake records with the server's private key (RFC 5246 6.3, 7.4.7.1, 8.1; RFC 7627 4 and
// RFC 7366 when the handshake used them), so
// that a proxy between the two ends can open and seal their records.
#pragma once
#include <rapidcheck.h>

#include "crypto_glue/kex.hpp"
#include "crypto_glue/prf.hpp"
#include "crypto_glue/record_protection.hpp"
#include "statemachine/engine.hpp"

namespace essl::props {

using codec::Bytes;
using codec::ByteView;

// The ClientHello's client_version and the encrypted premaster, from the client's handshake records.
struct ClientKex {
  uint16_t client_version = 0;
  Bytes encrypted;
};

// The raw handshake messages (header and body) of a stream's plaintext records, up to its ChangeCipherSpec.
inline std::vector<Bytes> plaintext_messages(const Bytes& stream) {
  Bytes hs;
  for (size_t at = 0; at + 5 <= stream.size();) {
    const size_t len = size_t(stream[at + 3]) << 8 | stream[at + 4];
    if (stream[at] == 20 || at + 5 + len > stream.size()) break;
    if (stream[at] == 22) hs.insert(hs.end(), stream.begin() + ptrdiff_t(at + 5), stream.begin() + ptrdiff_t(at + 5 + len));
    at += 5 + len;
  }
  std::vector<Bytes> out;
  for (size_t at = 0; at + 4 <= hs.size();) {
    const size_t len = size_t(hs[at + 1]) << 16 | size_t(hs[at + 2]) << 8 | hs[at + 3];
    if (at + 4 + len > hs.size()) break;
    out.emplace_back(hs.begin() + ptrdiff_t(at), hs.begin() + ptrdiff_t(at + 4 + len));
    at += 4 + len;
  }
  return out;
}

// RFC 7627's session hash input of a full handshake: the ClientHello, the server's first flight, then the
// client's messages up to and including the ClientKeyExchange.
inline Bytes transcript_to_client_key_exchange(const Bytes& to_server, const Bytes& to_client) {
  const std::vector<Bytes> c = plaintext_messages(to_server);
  const std::vector<Bytes> s = plaintext_messages(to_client);
  Bytes t;
  if (c.empty()) return t;
  t = c.front();
  for (const Bytes& m : s) t.insert(t.end(), m.begin(), m.end());
  for (size_t i = 1; i < c.size(); ++i) {
    t.insert(t.end(), c[i].begin(), c[i].end());
    if (c[i][0] == 16) break;  // client_key_exchange
  }
  return t;
}

inline ClientKex client_kex(const Bytes& to_server) {
  ClientKex k;
  for (const Bytes& m : plaintext_messages(to_server)) {
    const ByteView body = ByteView(m).subspan(4);
    if (m[0] == 1 && body.size() >= 2) k.client_version = uint16_t(body[0] << 8 | body[1]);
    if (m[0] == 16 && body.size() >= 2) k.encrypted.assign(body.begin() + 2, body.end());
  }
  return k;
}

// The fragment of the first record after ChangeCipherSpec (the encrypted Finished).
inline Bytes encrypted_finished(const Bytes& flight) {
  bool after_ccs = false;
  for (size_t at = 0; at + 5 <= flight.size();) {
    const size_t len = size_t(flight[at + 3]) << 8 | flight[at + 4];
    if (at + 5 + len > flight.size()) break;
    if (after_ccs) return Bytes(flight.begin() + ptrdiff_t(at + 5), flight.begin() + ptrdiff_t(at + 5 + len));
    after_ccs = flight[at] == 20;
    at += 5 + len;
  }
  return {};
}

// One direction's record state, as a proxy holds it: `open` reads what the writer sent, `seal` writes
// records the reader accepts.
struct DirectionKeys {
  std::unique_ptr<crypto::RecordProtection> open, seal;
};

// Both directions' states (client_write, server_write) from the client's flight. The writer's Finished
// (sequence number 0, in `finished_of[i]`) goes through both states of its direction: TLS 1.0 chains
// the CBC IV from it, and sealed again it must come out identical.
inline std::array<DirectionKeys, 2> recover_keys(Version v, const SuiteSpec& suite, const crypto::PrivateKey& server_key,
                                                 const ConnectionInfo& info, const Bytes& to_server,
                                                 const std::array<Bytes, 2>& flights, crypto::Rng& rng) {
  const ClientKex kex = client_kex(to_server);
  RC_ASSERT(!kex.encrypted.empty());
  const Bytes pms = crypto::rsa_decrypt_premaster(server_key, kex.encrypted, kex.client_version, rng);
  const Hash prf = crypto::prf_hash(v, suite);
  // flights[1] is the server's stream: with the extended master secret (RFC 7627) it is part of the hash.
  const Bytes master = info.extended_master_secret
                           ? crypto::extended_master_secret(prf, pms, transcript_to_client_key_exchange(to_server, flights[1]))
                           : crypto::master_secret(v, prf, pms, info.client_random, info.server_random);
  const crypto::KeyLengths kl = crypto::key_lengths(v, suite);
  const Bytes kb = crypto::key_block(v, prf, master, info.client_random, info.server_random,
                                     2 * (kl.mac_key + kl.enc_key + kl.iv));
  const ByteView k(kb);
  std::array<DirectionKeys, 2> out;
  for (size_t i = 0; i < 2; ++i) {
    const ByteView mac = k.subspan(i * kl.mac_key, kl.mac_key);
    const ByteView key = k.subspan(2 * kl.mac_key + i * kl.enc_key, kl.enc_key);
    const ByteView iv = k.subspan(2 * (kl.mac_key + kl.enc_key) + i * kl.iv, kl.iv);
    out[i].open = crypto::make_record_protection(v, suite, mac, key, iv, true, info.encrypt_then_mac);
    out[i].seal = crypto::make_record_protection(v, suite, mac, key, iv, true, info.encrypt_then_mac);
    RC_ASSERT(out[i].open && out[i].seal);
    if (flights[i].empty()) continue;
    const Bytes finished = encrypted_finished(flights[i]);
    RC_ASSERT(!finished.empty());
    Bytes frag = finished;
    auto plain = out[i].open->unprotect(22, uint16_t(v), 0, frag);
    RC_ASSERT(plain.ok());
    Bytes again;
    out[i].seal->protect(22, uint16_t(v), 0, plain.value(), again, rng);
    if (v == Version::tlsv1) RC_ASSERT(again == finished);
  }
  return out;
}

}  // namespace essl::props
