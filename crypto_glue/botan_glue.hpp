// Private to crypto_glue: the Botan types behind the opaque handles, and small adapters.
#pragma once
#include <botan/pk_keys.h>
#include <botan/pubkey.h>
#include <botan/rng.h>
#include <botan/x509cert.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/rng.hpp"

namespace essl::crypto {

// Lets Botan draw from an essl Rng (the system RNG, or a deterministic one in tests and fuzzers).
class BotanRng final : public Botan::RandomNumberGenerator {
 public:
  explicit BotanRng(Rng& rng) : rng_(rng) {}
  void randomize(uint8_t output[], size_t length) override { rng_.fill(std::span<uint8_t>(output, length)); }
  bool accepts_input() const override { return false; }
  void add_entropy(const uint8_t[], size_t) override {}
  std::string name() const override { return "essl"; }
  void clear() override {}
  bool is_seeded() const override { return true; }

 private:
  Rng& rng_;
};

// system_rng() as Botan's interface, for the Botan objects that keep a generator (a signer's blinding, a
// key agreement's): one object for the process, each call served by the calling thread's generator.
Botan::RandomNumberGenerator& system_botan_rng();

struct Certificate::Impl {
  Botan::X509_Certificate cert;
  Bytes der;
  std::unique_ptr<Botan::Public_Key> key;  // decoded once
};

struct PrivateKey::Impl {
  std::unique_ptr<Botan::Private_Key> key;
  KeyAlgo algo = KeyAlgo::other;
  // One signer per (scheme) value, built on first use: building a PK_Signer costs about as much as
  // a signature for RSA (blinding setup), so handshakes reuse them.
  std::mutex mu;
  std::map<uint16_t, std::unique_ptr<Botan::PK_Signer>> signers;
  std::unique_ptr<Botan::PK_Decryptor_EME> decryptor;  // RSA key transport, same reasoning
};

inline Bytes to_bytes(const Botan::secure_vector<uint8_t>& v) { return Bytes(v.begin(), v.end()); }

}  // namespace essl::crypto
