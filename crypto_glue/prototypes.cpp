// Botan 2.19 offers no clone() for cipher modes, so GCM is built from its public constructor (gcm.h)
// around a cloned AES. gcm.h and aes.h are marked to become internal in a later Botan; the marker is a
// compiler warning, silenced here and only here.
#define BOTAN_NO_DEPRECATED_WARNINGS 1
#include "crypto_glue/prototypes.hpp"

#include <botan/block_cipher.h>
#include <botan/exceptn.h>
#include <botan/gcm.h>

#include <array>
#include <string>

#include "crypto_glue/hash_names.hpp"

namespace essl::crypto {

namespace {

constexpr size_t hash_count = static_cast<size_t>(Hash::md5sha) + 1;

const char* checked_hash_name(Hash h) {
  const char* name = botan_hash_name(h);
  if (name == nullptr) throw Botan::Invalid_Argument("no single hash for this value");
  return name;
}

// The thread's prototype in `slot`, made by `make` the first time.
template <class T, class Make>
std::unique_ptr<T> clone_of(std::unique_ptr<T>& slot, Make make) {
  if (!slot) slot = make();
  return std::unique_ptr<T>(slot->clone());
}

}  // namespace

std::unique_ptr<Botan::HashFunction> new_hash(Hash h) {
  thread_local std::array<std::unique_ptr<Botan::HashFunction>, hash_count> protos;
  const char* name = checked_hash_name(h);
  return clone_of(protos[static_cast<size_t>(h)], [&] { return Botan::HashFunction::create_or_throw(name); });
}

std::unique_ptr<Botan::MessageAuthenticationCode> new_hmac(Hash h) {
  thread_local std::array<std::unique_ptr<Botan::MessageAuthenticationCode>, hash_count> protos;
  const char* name = checked_hash_name(h);
  return clone_of(protos[static_cast<size_t>(h)], [&] {
    return Botan::MessageAuthenticationCode::create_or_throw(std::string("HMAC(") + name + ")");
  });
}

std::unique_ptr<Botan::KDF> new_prf(Hash h) {
  thread_local std::array<std::unique_ptr<Botan::KDF>, hash_count> protos;
  if (h == Hash::null) throw Botan::Invalid_Argument("no PRF for this value");
  return clone_of(protos[static_cast<size_t>(h)], [&] {
    const std::string name = h == Hash::md5sha ? std::string("TLS-PRF") : "TLS-12-PRF(" + std::string(checked_hash_name(h)) + ")";
    auto kdf = Botan::KDF::create(name);
    if (!kdf) throw Botan::Lookup_Error("KDF", name, "");
    return kdf;
  });
}

std::unique_ptr<Botan::AEAD_Mode> new_aes_gcm(size_t key_length, Botan::Cipher_Dir dir) {
  if (key_length != 16 && key_length != 32) throw Botan::Invalid_Key_Length("AES-GCM", key_length);
  thread_local std::array<std::unique_ptr<Botan::BlockCipher>, 2> protos;
  auto aes = clone_of(protos[key_length == 32 ? 1 : 0],
                      [&] { return Botan::BlockCipher::create_or_throw(key_length == 32 ? "AES-256" : "AES-128"); });
  // The mode owns the cipher it is given.
  if (dir == Botan::ENCRYPTION) return std::make_unique<Botan::GCM_Encryption>(aes.release());
  return std::make_unique<Botan::GCM_Decryption>(aes.release());
}

}  // namespace essl::crypto
