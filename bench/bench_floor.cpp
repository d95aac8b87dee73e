// The crypto floor of bench/run, through crypto_glue only: what one server handshake must spend in
// public-key operations (signing the ServerKeyExchange, making the ephemeral key and agreeing), and what
// the record layer's ciphers cost on their own. Prints one JSON object on stdout.
//
//   essl-bench-floor [SECONDS]    (each measurement uses about this much CPU time; default 1)
//
//   "ops_ms":   rsa2048_sign, ecdsa_p256_sign (TLS 1.2 SHA-256 signatures of a ServerKeyExchange-sized
//               message), p256_ecdh, x25519_ecdh (key pair, public value, agreement with a peer's value)
//   "floor_ms": per handshake case, the sum of its operations (rsa-p256, rsa-x25519, ecdsa-x25519)
//   "bulk":     per suite, MB/s of 16 KiB records sealed and opened by the record layer (RecordLayer,
//               in memory) and by the raw cipher, keyed once (GCM: Aead seal + open; CBC: CbcHmac's HMAC and
//               AES-CBC each way)
#include <time.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "bench/bench_common.hpp"
#include "codecs/extensions.hpp"
#include "crypto_glue/certs.hpp"
#include "crypto_glue/hash.hpp"
#include "crypto_glue/kex.hpp"
#include "crypto_glue/record_protection.hpp"
#include "statemachine/record_layer.hpp"

namespace essl::bench {
namespace {

using crypto::Bytes;
using crypto::ByteView;

// CPU seconds of this process, all its threads (CLOCK_PROCESS_CPUTIME_ID), as the servers' CPU time is
// measured: Botan computes half of an RSA private operation on a thread of its own pool, which the
// calling thread's clock would leave out.
double cpu_now() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// Calls `op` until it has used `seconds` of CPU (at least 3 times); CPU seconds per call. False from
// `op` aborts with -1.
double per_call(double seconds, const std::function<bool()>& op) {
  if (!op()) return -1;  // warm-up
  const double t0 = cpu_now();
  size_t n = 0;
  double used = 0;
  do {
    if (!op()) return -1;
    ++n;
    used = cpu_now() - t0;
  } while (used < seconds || n < 3);
  return used / static_cast<double>(n);
}

Bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(f), {});
}

// Seconds per TLS 1.2 signature (`scheme`) by the key in tests/data/`keyfile`.
double sign_s(double seconds, const std::string& keyfile, uint16_t scheme) {
  auto key = crypto::PrivateKey::parse(read_file(data_file(keyfile)), "");
  if (!key) return -1;
  // client_random || server_random || ECParameters || point || (as the ServerKeyExchange signs)
  Bytes message(32 + 32 + 4 + 65, 0x42);
  return per_call(seconds, [&] { return static_cast<bool>(key->sign(scheme, message, crypto::system_rng())); });
}

// Seconds per ephemeral key pair + public value + agreement on `group`.
double ecdh_s(double seconds, uint16_t group) {
  auto peer = crypto::ecdh(group, crypto::system_rng());
  if (!peer) return -1;
  const Bytes peer_public = peer->public_value();
  return per_call(seconds, [&] {
    auto mine = crypto::ecdh(group, crypto::system_rng());
    if (!mine || mine->public_value().empty()) return false;
    return static_cast<bool>(mine->agree(peer_public));
  });
}

// The record layer and the raw cipher are measured in alternating rounds and each keeps its best round,
// so that a burst of load on a shared machine hits both alike instead of skewing their ratio.
constexpr int bulk_rounds = 5;

struct Bulk {
  double record_layer_mbs = -1, raw_mbs = -1;
};

Bulk bulk_mbs(double seconds, const SuiteSpec& spec) {
  const auto len = crypto::key_lengths(Version::tlsv1_2, spec);
  const Bytes record(16384, 0x5a);
  const double round = seconds / bulk_rounds;

  // 16 KiB records through two RecordLayers, one sealing and one opening, at TLS 1.2 with `suite`'s keys.
  const Bytes mac_key(len.mac_key, 1), enc_key(len.enc_key, 2), iv(len.iv, 3);
  auto protection = [&] { return crypto::make_record_protection(Version::tlsv1_2, spec, mac_key, enc_key, iv, true); };
  RecordLayer writer, reader;
  writer.set_write_version(0x0303);
  writer.activate_write(protection());
  reader.activate_read(protection());
  std::function<bool()> layered = [&] {
    writer.write(codec::ContentType::application_data, record, crypto::system_rng());
    reader.append_input(writer.output());
    writer.consume(writer.output().size());
    auto r = reader.next();
    return r && *r && (*r)->fragment.size() == record.size();
  };

  // The cipher alone: GCM seal + open of 16 KiB with a 13-byte AAD; CBC: HMAC of the record and
  // encryption of record || MAC || padding, then decryption and HMAC again (without the record
  // protection's constant-time padding and MAC check).
  std::function<bool()> raw;
  std::unique_ptr<crypto::Aead> gcm;
  std::unique_ptr<crypto::CbcHmac> cbc;
  const Bytes aad(13, 7), nonce(12, 9), cbc_iv(16, 3);
  Bytes sealed, buf;
  if (spec.mac == Hash::null) {
    gcm = crypto::make_gcm(Bytes(len.enc_key, 2));
    if (!gcm) return {};
    raw = [&] {
      sealed.clear();
      gcm->seal(nonce, aad, record, sealed);
      auto r = gcm->open(nonce, aad, sealed);
      return r && *r == record.size();
    };
  } else {
    cbc = crypto::make_cbc_hmac(spec.mac, Bytes(len.mac_key, 1), Bytes(len.enc_key, 2));
    if (!cbc) return {};
    const size_t mac_len = crypto::hash_size(spec.mac);
    const size_t padded = (record.size() + mac_len) / 16 * 16 + 16;
    raw = [&, mac_len, padded] {
      Bytes mac = cbc->mac(record);
      buf.assign(record.begin(), record.end());
      buf.insert(buf.end(), mac.begin(), mac.end());
      buf.resize(padded, static_cast<uint8_t>(padded - record.size() - mac_len - 1));
      cbc->encrypt(cbc_iv, buf);
      cbc->decrypt(cbc_iv, buf);
      return cbc->mac(ByteView(buf).first(record.size())) == mac;
    };
  }

  double best_layered = -1, best_raw = -1;
  auto keep = [](double& best, double s) { best = s > 0 && (best < 0 || s < best) ? s : best; };
  for (int i = 0; i < bulk_rounds; ++i) {
    const double l = per_call(round, layered), r = per_call(round, raw);
    if (l < 0 || r < 0) return {};
    keep(best_layered, l);
    keep(best_raw, r);
  }
  return {16384 / best_layered / 1e6, 16384 / best_raw / 1e6};
}

double ms(double s) { return s > 0 ? s * 1000 : -1; }

}  // namespace
}  // namespace essl::bench

int main(int argc, char** argv) {
  using namespace essl::bench;
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  const uint16_t p256 = static_cast<uint16_t>(essl::codec::NamedGroup::secp256r1);
  const uint16_t x25519 = static_cast<uint16_t>(essl::codec::NamedGroup::x25519);
  // 0x0401: rsa_pkcs1_sha256; 0x0403: ecdsa_secp256r1_sha256.
  std::map<std::string, double> op{{"rsa2048_sign", ms(sign_s(seconds, "server-rsa-key.pem", 0x0401))},
                                   {"ecdsa_p256_sign", ms(sign_s(seconds, "server-ecdsa-key.pem", 0x0403))},
                                   {"p256_ecdh", ms(ecdh_s(seconds, p256))},
                                   {"x25519_ecdh", ms(ecdh_s(seconds, x25519))}};
  auto sum = [&](const char* a, const char* b) { return op[a] > 0 && op[b] > 0 ? op[a] + op[b] : -1; };
  std::printf("{\"ops_ms\":{");
  const char* sep = "";
  for (const auto& [name, v] : op) std::printf("%s\"%s\":%.6f", sep, name.c_str(), v), sep = ",";
  std::printf("},\"floor_ms\":{\"rsa-p256\":%.6f,\"rsa-x25519\":%.6f,\"ecdsa-x25519\":%.6f},\"bulk\":{",
              sum("rsa2048_sign", "p256_ecdh"), sum("rsa2048_sign", "x25519_ecdh"), sum("ecdsa_p256_sign", "x25519_ecdh"));
  sep = "";
  for (const char* name : {"AES128-GCM-SHA256", "AES256-GCM-SHA384", "AES128-SHA256"}) {
    const essl::SuiteInfo* s = essl::find_suite_by_name(name);
    if (!s) continue;
    const Bulk b = bulk_mbs(seconds, s->spec);
    std::printf("%s\"%s\":{\"record_layer_mbs\":%.1f,\"raw_mbs\":%.1f}", sep, name, b.record_layer_mbs,
                b.raw_mbs);
    sep = ",";
  }
  std::printf("}}\n");
  return 0;
}
