// Certificates, private keys, TLS signatures and basic path validation.
#include "crypto_glue/certs.hpp"

#include <botan/base64.h>
#include <botan/ber_dec.h>
#include <botan/cipher_mode.h>
#include <botan/data_src.h>
#include <botan/der_enc.h>
#include <botan/dsa.h>
#include <botan/ec_group.h>
#include <botan/ecc_key.h>
#include <botan/ecdsa.h>
#include <botan/hash.h>
#include <botan/hex.h>
#include <botan/pem.h>
#include <botan/pkcs8.h>
#include <botan/rsa.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string_view>

#include "crypto_glue/botan_glue.hpp"
#ifdef ESSL_FUZZING
#include "crypto_glue/fuzzing_provider.hpp"
#endif

namespace essl::crypto {

namespace {

// RFC 8422 5.1.1 NamedCurve values.
constexpr uint16_t group_secp256r1 = 23;
constexpr uint16_t group_secp384r1 = 24;
constexpr uint16_t group_secp521r1 = 25;

KeyAlgo algo_of(const std::string& botan_name) {
  if (botan_name == "RSA") return KeyAlgo::rsa;
  if (botan_name == "ECDSA") return KeyAlgo::ecdsa;
  if (botan_name == "DSA") return KeyAlgo::dsa;
  return KeyAlgo::other;
}

std::string_view as_text(ByteView b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// PEM blocks with `label`, in order; a block that does not decode fails with the reason.
Result<std::vector<Botan::secure_vector<uint8_t>>, std::string> pem_blocks(std::string_view text,
                                                                          const std::string& label) {
  const std::string begin = "-----BEGIN " + label + "-----";
  const std::string end = "-----END " + label + "-----";
  std::vector<Botan::secure_vector<uint8_t>> out;
  size_t at = 0;
  while ((at = text.find(begin, at)) != std::string_view::npos) {
    const size_t stop = text.find(end, at);
    if (stop == std::string_view::npos) return fail(std::string("no END line"));
    const std::string block(text.substr(at, stop + end.size() - at));
    try {
      out.push_back(Botan::PEM_Code::decode_check_label(block, label));
    } catch (const std::exception& e) {
      return fail(std::string(e.what()));
    }
    at = stop + end.size();
  }
  return out;
}

bool looks_like_pem(ByteView b) { return as_text(b).find("-----BEGIN ") != std::string_view::npos; }

// ---- private keys ----

using SecureBytes = Botan::secure_vector<uint8_t>;
using KeyResult = Result<std::unique_ptr<Botan::Private_Key>, KeyError>;

Unexpected<KeyError> key_error(KeyError::Reason r, std::string text) { return fail(KeyError{r, std::move(text)}); }

// RFC 8017 A.1.2 RSAPrivateKey.
std::unique_ptr<Botan::Private_Key> load_pkcs1_rsa(const SecureBytes& der) {
  return std::make_unique<Botan::RSA_PrivateKey>(Botan::AlgorithmIdentifier(), der);
}

// RFC 5915 3 ECPrivateKey; the curve comes from its [0] parameters.
std::unique_ptr<Botan::Private_Key> load_sec1_ec(const SecureBytes& der) {
  Botan::BER_Decoder outer(der);
  Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE);
  size_t version = 0;
  SecureBytes priv;
  seq.decode(version);
  seq.decode(priv, Botan::OCTET_STRING);
  Botan::BER_Object params = seq.get_next_object();
  if (version != 1 || !params.is_a(0, Botan::ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED)))
    return nullptr;
  const std::vector<uint8_t> params_der(params.bits(), params.bits() + params.length());
  const Botan::AlgorithmIdentifier alg(Botan::OID::from_string("ECDSA"), params_der);
  return std::make_unique<Botan::ECDSA_PrivateKey>(alg, der);
}

constexpr size_t max_key_der = 32 * 1024;
constexpr size_t max_key_bits = 16384;  // signing with a bigger key would take seconds
constexpr size_t max_dsa_p_bits = 8192;
constexpr size_t max_dsa_q_bits = 512;

// OpenSSL's DSAPrivateKey: SEQUENCE { version 0, p, q, g, y, x }. The public value y must be g^x mod p.
std::unique_ptr<Botan::Private_Key> load_openssl_dsa(const SecureBytes& der) {
  Botan::BER_Decoder outer(der);
  Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE);
  size_t version = 1;
  Botan::BigInt p, q, g, y, x;
  seq.decode(version).decode(p).decode(q).decode(g).decode(y).decode(x);
  seq.verify_end();
  outer.verify_end();
  if (version != 0 || p < 3 || q < 2 || g < 2 || g >= p || x < 1 || x >= q || p.bits() > max_dsa_p_bits ||
      q.bits() > max_dsa_q_bits)
    return nullptr;
  auto key = std::make_unique<Botan::DSA_PrivateKey>(system_botan_rng(), Botan::DL_Group(p, q, g), x);
  if (key->get_y() != y) return nullptr;
  return key;
}

// RFC 5208 5 PrivateKeyInfo, unencrypted. Botan computes a DSA key's public value while loading it, so
// an oversized DSA group is refused first.
std::unique_ptr<Botan::Private_Key> load_pkcs8_plain(const SecureBytes& der) {
  size_t version = 0;
  Botan::AlgorithmIdentifier alg;
  Botan::BER_Decoder(der).start_cons(Botan::SEQUENCE).decode(version).decode(alg);
  if (alg.get_oid() == Botan::OID("1.2.840.10040.4.1")) {
    Botan::BigInt p, q;
    Botan::BER_Decoder(alg.get_parameters()).start_cons(Botan::SEQUENCE).decode(p).decode(q);
    if (p.bits() > max_dsa_p_bits || q.bits() > max_dsa_q_bits) return nullptr;
  }
  Botan::DataSource_Memory src(der);
  return Botan::PKCS8::load_key(src);
}

// RFC 5208 6 EncryptedPrivateKeyInfo ::= SEQUENCE { AlgorithmIdentifier, OCTET STRING }; nullopt when
// the input does not have that shape.
struct EncryptedPkcs8 {
  Botan::AlgorithmIdentifier alg;
  SecureBytes data;
};
std::optional<EncryptedPkcs8> as_encrypted_pkcs8(const SecureBytes& der) {
  try {
    EncryptedPkcs8 e;
    Botan::BER_Decoder outer(der);
    outer.start_cons(Botan::SEQUENCE).decode(e.alg).decode(e.data, Botan::OCTET_STRING).verify_end();
    outer.verify_end();
    return e;
  } catch (...) {
    return std::nullopt;
  }
}

// PBES2 (RFC 8018 6.2, A.4) with PBKDF2 or scrypt (RFC 7914 7.1) and a cipher this build has. The work
// factors are bounded so that a hostile file cannot stall the loader or exhaust memory.
constexpr size_t max_pbkdf2_iterations = 10'000'000;
constexpr size_t max_scrypt_memory = size_t{64} << 20;  // 128 * N * r bytes; OpenSSL allows 32 MiB

Result<void, KeyError> check_pbes2(const EncryptedPkcs8& e) {
  const Botan::OID pbkdf2("1.2.840.113549.1.5.12");
  const Botan::OID scrypt("1.3.6.1.4.1.11591.4.11");
  if (e.alg.get_oid() != Botan::OID("1.2.840.113549.1.5.13"))
    return key_error(KeyError::Reason::unsupported,
                     "key encryption " + e.alg.get_oid().to_formatted_string() + " is not supported (use PBES2)");
  Botan::AlgorithmIdentifier kdf, enc;
  bool bounded = false;
  try {
    Botan::BER_Decoder(e.alg.get_parameters()).start_cons(Botan::SEQUENCE).decode(kdf).decode(enc).verify_end();
    SecureBytes salt;
    Botan::BER_Decoder params(kdf.get_parameters());
    Botan::BER_Decoder seq = params.start_cons(Botan::SEQUENCE);
    seq.decode(salt, Botan::OCTET_STRING);
    if (kdf.get_oid() == pbkdf2) {
      size_t iterations = 0;
      seq.decode(iterations);
      bounded = iterations > 0 && iterations <= max_pbkdf2_iterations;
    } else if (kdf.get_oid() == scrypt) {
      size_t n = 0, r = 0, p = 0;
      seq.decode(n).decode(r).decode(p);
      bounded = n > 1 && (n & (n - 1)) == 0 && r > 0 && p > 0 && p <= 16 && n <= max_scrypt_memory / 128 / r;
    } else {
      return key_error(KeyError::Reason::unsupported,
                       "key derivation " + kdf.get_oid().to_formatted_string() + " is not supported");
    }
  } catch (...) {
    return key_error(KeyError::Reason::corrupt, "damaged PBES2 parameters");
  }
  if (!bounded) return key_error(KeyError::Reason::unsupported, "key derivation work factor out of range");
  const std::string cipher = enc.get_oid().to_formatted_string();
  if (!Botan::Cipher_Mode::create(cipher, Botan::DECRYPTION))
    return key_error(KeyError::Reason::unsupported, "key encryption " + cipher + " is not supported");
  return {};
}

// With the structure and parameters known to be sound, a failure to decrypt (padding or tag) or to
// decode what decrypts means the password is wrong.
KeyResult decrypt_pkcs8(const SecureBytes& der, const EncryptedPkcs8& e, const std::string& password) {
  if (auto ok = check_pbes2(e); !ok) return fail(ok.error());
  if (password.empty()) return key_error(KeyError::Reason::needs_password, "the key is encrypted and no password is given");
  try {
    Botan::DataSource_Memory src(der);
    return Botan::PKCS8::load_key(src, password);
  } catch (...) {
    return key_error(KeyError::Reason::wrong_password, "wrong password");
  }
}

std::unique_ptr<Botan::Private_Key> load_as(KeyFormat f, const SecureBytes& der) {
  switch (f) {
    case KeyFormat::rsa_pkcs1: return load_pkcs1_rsa(der);
    case KeyFormat::dsa_openssl: return load_openssl_dsa(der);
    case KeyFormat::ec_sec1: return load_sec1_ec(der);
    case KeyFormat::pkcs8: return load_pkcs8_plain(der);
    case KeyFormat::any: break;
  }
  return nullptr;
}

const char* format_name(KeyFormat f) {
  switch (f) {
    case KeyFormat::rsa_pkcs1: return "an RSAPrivateKey";
    case KeyFormat::dsa_openssl: return "a DSAPrivateKey";
    case KeyFormat::ec_sec1: return "an ECPrivateKey";
    case KeyFormat::pkcs8: return "a PrivateKeyInfo";
    case KeyFormat::any: break;
  }
  return "a private key";
}

// DER in `format`, or (any) whichever encoding it is.
KeyResult load_der(const SecureBytes& der, const std::string& password, KeyFormat format) {
  // An RSA-16384 key is about 9 KiB; bigger inputs would only make the arithmetic below slow.
  if (der.size() > max_key_der) return key_error(KeyError::Reason::unsupported, "a key larger than 32 KiB");
  if (format == KeyFormat::any) {
    if (auto enc = as_encrypted_pkcs8(der)) return decrypt_pkcs8(der, *enc, password);
    for (KeyFormat f : {KeyFormat::pkcs8, KeyFormat::rsa_pkcs1, KeyFormat::ec_sec1, KeyFormat::dsa_openssl}) {
      try {
        if (auto key = load_as(f, der)) return key;
      } catch (...) {
      }
    }
    try {
      Botan::X509_Certificate(der.data(), der.size());
      return key_error(KeyError::Reason::not_a_key, "a certificate, not a private key");
    } catch (...) {
    }
    return key_error(KeyError::Reason::not_a_key, "not a private key (PKCS#8, PKCS#1, SEC1 or DSA)");
  }
  try {
    if (auto key = load_as(format, der)) return key;
  } catch (...) {
  }
  return key_error(KeyError::Reason::not_a_key, std::string("not ") + format_name(format));
}

// One PEM block with its RFC 1421 headers (Proc-Type, DEK-Info) and base64 body.
struct PemBlock {
  std::string label;
  std::map<std::string, std::string> headers;
  std::string body;
};

bool is_key_label(std::string_view l) {
  return l == "PRIVATE KEY" || l == "ENCRYPTED PRIVATE KEY" || l == "RSA PRIVATE KEY" || l == "DSA PRIVATE KEY" ||
         l == "EC PRIVATE KEY";
}

// The first private key block of a PEM text; nullopt when there is none. An unterminated block is
// reported through `error`.
std::optional<PemBlock> first_key_block(std::string_view text, std::string& error) {
  constexpr std::string_view begin = "-----BEGIN ";
  size_t at = 0;
  while ((at = text.find(begin, at)) != std::string_view::npos) {
    const size_t label_at = at + begin.size();
    const size_t label_end = text.find("-----", label_at);
    const size_t line_end = text.find('\n', label_at);
    if (label_end == std::string_view::npos || (line_end != std::string_view::npos && label_end > line_end)) {
      at = label_at;
      continue;
    }
    const std::string label(text.substr(label_at, label_end - label_at));
    const std::string end = "-----END " + label + "-----";
    const size_t body_at = label_end + 5;
    const size_t stop = text.find(end, body_at);
    if (!is_key_label(label)) {
      at = stop == std::string_view::npos ? body_at : stop + end.size();
      continue;
    }
    if (stop == std::string_view::npos) {
      error = "unterminated " + label + " block";
      return std::nullopt;
    }
    PemBlock b;
    b.label = label;
    std::string_view rest = text.substr(body_at, stop - body_at);
    bool in_headers = true;
    while (!rest.empty()) {
      const size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      const size_t colon = line.find(':');
      if (in_headers && colon != std::string_view::npos) {
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        b.headers[std::string(line.substr(0, colon))] = std::string(value);
        continue;
      }
      if (!line.empty()) in_headers = false;
      b.body.append(line);
    }
    return b;
  }
  return std::nullopt;
}

// OpenSSL's legacy PEM encryption: the key is EVP_BytesToKey(cipher, MD5, salt = the first 8 bytes of
// the IV, password, 1 iteration), that is D1 = MD5(password || salt), Di = MD5(D(i-1) || password ||
// salt), concatenated; the body is the DER key in CBC mode with PKCS#7 padding.
Result<SecureBytes, KeyError> legacy_decrypt(const PemBlock& b, const SecureBytes& data, const std::string& password) {
  const auto dek = b.headers.find("DEK-Info");
  if (dek == b.headers.end()) return key_error(KeyError::Reason::corrupt, "an encrypted key without DEK-Info");
  const size_t comma = dek->second.find(',');
  const std::string cipher = dek->second.substr(0, comma);
  static const std::map<std::string, std::string> modes = {
      {"AES-128-CBC", "AES-128/CBC/PKCS7"}, {"AES-192-CBC", "AES-192/CBC/PKCS7"},
      {"AES-256-CBC", "AES-256/CBC/PKCS7"}, {"DES-EDE3-CBC", "TripleDES/CBC/PKCS7"},
      {"DES-CBC", "DES/CBC/PKCS7"}};
  const auto mode_name = modes.find(cipher);
  if (mode_name == modes.end()) return key_error(KeyError::Reason::unsupported, "key encryption " + cipher + " is not supported");
  auto mode = Botan::Cipher_Mode::create(mode_name->second, Botan::DECRYPTION);
  if (!mode) return key_error(KeyError::Reason::unsupported, "key encryption " + cipher + " is not available");
  std::vector<uint8_t> iv;
  try {
    if (comma == std::string::npos) throw std::invalid_argument("no IV");
    iv = Botan::hex_decode(dek->second.substr(comma + 1));
  } catch (...) {
    return key_error(KeyError::Reason::corrupt, "bad DEK-Info IV");
  }
  const size_t block = mode->default_nonce_length();  // CBC: the IV is one block
  if (iv.size() != block || data.empty() || data.size() % block != 0)
    return key_error(KeyError::Reason::corrupt, "bad encrypted key length or IV");
  if (password.empty()) return key_error(KeyError::Reason::needs_password, "the key is encrypted and no password is given");

  const size_t key_len = mode->key_spec().maximum_keylength();
  auto md5 = Botan::HashFunction::create_or_throw("MD5");
  SecureBytes key, d;
  while (key.size() < key_len) {
    md5->update(d);
    md5->update(password);
    md5->update(iv.data(), 8);
    d = md5->final();
    key.insert(key.end(), d.begin(), d.end());
  }
  key.resize(key_len);
  SecureBytes plain = data;
  try {
    mode->set_key(key);
    mode->start(iv);
    mode->finish(plain);
  } catch (...) {
    return key_error(KeyError::Reason::wrong_password, "wrong password");
  }
  return plain;
}

KeyResult load_pem(std::string_view text, const std::string& password) {
  std::string error;
  auto block = first_key_block(text, error);
  if (!block) {
    if (!error.empty()) return key_error(KeyError::Reason::corrupt, error);
    return key_error(KeyError::Reason::not_a_key, "no private key in it");
  }
  SecureBytes der;
  try {
    der = Botan::base64_decode(block->body);
  } catch (...) {
    return key_error(KeyError::Reason::corrupt, "bad base64 in the " + block->label + " block");
  }
  if (block->label == "ENCRYPTED PRIVATE KEY") {
    auto enc = as_encrypted_pkcs8(der);
    if (!enc) return key_error(KeyError::Reason::corrupt, "a damaged ENCRYPTED PRIVATE KEY block");
    return decrypt_pkcs8(der, *enc, password);
  }
  const KeyFormat format = block->label == "PRIVATE KEY"       ? KeyFormat::pkcs8
                           : block->label == "RSA PRIVATE KEY" ? KeyFormat::rsa_pkcs1
                           : block->label == "DSA PRIVATE KEY" ? KeyFormat::dsa_openssl
                                                               : KeyFormat::ec_sec1;
  const auto proc = block->headers.find("Proc-Type");
  const bool encrypted = proc != block->headers.end() && proc->second.find("ENCRYPTED") != std::string::npos;
  if (encrypted) {
    auto plain = legacy_decrypt(*block, der, password);
    if (!plain) return fail(plain.error());
    auto key = load_der(plain.value(), "", format);
    if (!key) return key_error(KeyError::Reason::wrong_password, "wrong password");
    return key;
  }
  auto key = load_der(der, "", format);
  if (!key) return key_error(KeyError::Reason::corrupt, "a damaged " + block->label + " block");
  return key;
}

// ---- signature schemes (RFC 5246 7.4.1.4.1; RFC 8446 4.2.3 for rsa_pss_rsae_*) ----

struct Scheme {
  KeyAlgo algo;
  std::string emsa;
};

std::optional<Scheme> scheme_for(uint16_t scheme) {
  switch (scheme) {
    case 0x0804: return Scheme{KeyAlgo::rsa, "PSSR(SHA-256,MGF1,32)"};
    case 0x0805: return Scheme{KeyAlgo::rsa, "PSSR(SHA-384,MGF1,48)"};
    case 0x0806: return Scheme{KeyAlgo::rsa, "PSSR(SHA-512,MGF1,64)"};
    default: break;
  }
  const char* hash = nullptr;
  switch (scheme >> 8) {
    case 2: hash = "SHA-1"; break;
    case 3: hash = "SHA-224"; break;
    case 4: hash = "SHA-256"; break;
    case 5: hash = "SHA-384"; break;
    case 6: hash = "SHA-512"; break;
    default: return std::nullopt;  // none (0) and md5 (1) are not accepted
  }
  switch (scheme & 0xff) {
    case 1: return Scheme{KeyAlgo::rsa, std::string("EMSA3(") + hash + ")"};
    case 2: return Scheme{KeyAlgo::dsa, std::string("EMSA1(") + hash + ")"};
    case 3: return Scheme{KeyAlgo::ecdsa, std::string("EMSA1(") + hash + ")"};
    default: return std::nullopt;
  }
}

// Below TLS 1.2 (RFC 4346 7.4.3): RSA signs MD5 || SHA-1 with PKCS#1 v1.5 block type 1 and no
// DigestInfo; DSA and ECDSA (RFC 4492 5.4) sign SHA-1.
std::optional<std::string> legacy_emsa(KeyAlgo algo) {
  switch (algo) {
    case KeyAlgo::rsa: return std::string("EMSA3(Parallel(MD5,SHA-160))");
    case KeyAlgo::dsa:
    case KeyAlgo::ecdsa: return std::string("EMSA1(SHA-160)");
    default: return std::nullopt;
  }
}

std::optional<std::string> emsa_for(KeyAlgo algo, uint16_t scheme) {
  if (scheme == 0) return legacy_emsa(algo);
  auto s = scheme_for(scheme);
  if (!s || s->algo != algo) return std::nullopt;
  return s->emsa;
}

Botan::Signature_Format format_for(KeyAlgo algo) {
  // TLS carries DSA and ECDSA signatures as DER SEQUENCE { r, s } (RFC 4492 5.4, RFC 5246 4.7).
  return algo == KeyAlgo::rsa ? Botan::IEEE_1363 : Botan::DER_SEQUENCE;
}

}  // namespace

// ---- Certificate ----

Result<Certificate, std::string> Certificate::from_der(ByteView der) {
#ifdef ESSL_FUZZING
  // Whole-connection fuzzers see the same few certificates in almost every input; parsing one (and
  // Botan's RSA precomputation on its key) would cost more than the rest of the handshake.
  static std::map<Bytes, Certificate> parsed;
  if (auto it = parsed.find(Bytes(der.begin(), der.end())); it != parsed.end()) return it->second;
  if (parsed.size() > 64) parsed.clear();
#endif
  try {
    auto impl = std::make_shared<Impl>(Impl{Botan::X509_Certificate(der.data(), der.size()),
                                            Bytes(der.begin(), der.end()), nullptr});
    try {
      impl->key = impl->cert.load_subject_public_key();
    } catch (...) {
      impl->key = nullptr;  // an unsupported key algorithm: key_algo() says other
    }
    Certificate c;
    c.impl = std::move(impl);
#ifdef ESSL_FUZZING
    parsed.emplace(c.der(), c);
#endif
    return c;
  } catch (const std::exception& e) {
    return fail(std::string("certificate: ") + e.what());
  }
}

const Bytes& Certificate::der() const {
  static const Bytes none;
  return impl ? impl->der : none;
}

KeyAlgo Certificate::key_algo() const {
  return impl && impl->key ? algo_of(impl->key->algo_name()) : KeyAlgo::other;
}

KeyAlgo Certificate::signed_with() const {
  if (!impl) return KeyAlgo::other;
  try {
    // "RSA/EMSA3(SHA-256)", "ECDSA/EMSA1(SHA-256)", "DSA/EMSA1(SHA-256)"; RSA-PSS counts as other.
    const std::string name = impl->cert.signature_algorithm().get_oid().to_formatted_string();
    return algo_of(name.substr(0, name.find('/')));
  } catch (...) {
    return KeyAlgo::other;
  }
}

uint16_t Certificate::ec_named_group() const {
  if (!impl) return 0;
  const auto* ec = dynamic_cast<const Botan::EC_PublicKey*>(impl->key.get());
  if (ec == nullptr) return 0;
  try {
    const Botan::OID oid = ec->domain().get_curve_oid();
    if (oid == Botan::OID::from_string("secp256r1")) return group_secp256r1;
    if (oid == Botan::OID::from_string("secp384r1")) return group_secp384r1;
    if (oid == Botan::OID::from_string("secp521r1")) return group_secp521r1;
  } catch (...) {
  }
  return 0;
}

Bytes Certificate::subject_dn() const { return impl ? impl->cert.raw_subject_dn() : Bytes{}; }
Bytes Certificate::issuer_dn() const { return impl ? impl->cert.raw_issuer_dn() : Bytes{}; }

bool Certificate::is_self_signed() const { return impl && impl->cert.is_self_signed(); }

Result<std::vector<Bytes>, std::string> split_pem_or_der(ByteView pem_or_der, const std::string& label,
                                                         const std::string& what) {
  std::vector<Bytes> out;
  if (!looks_like_pem(pem_or_der)) {
    // DER objects back to back: each element's extent comes from the BER reader's position.
    if (pem_or_der.empty()) return fail("no " + what);
    try {
      Botan::DataSource_Memory src(pem_or_der.data(), pem_or_der.size());
      Botan::BER_Decoder dec(src);
      size_t start = 0;
      while (dec.more_items()) {
        const Botan::BER_Object obj = dec.get_next_object();
        if (!obj.is_a(Botan::SEQUENCE, Botan::CONSTRUCTED)) return fail("not a " + what + ": not a DER SEQUENCE");
        const size_t end = src.get_bytes_read();
        out.emplace_back(pem_or_der.begin() + ptrdiff_t(start), pem_or_der.begin() + ptrdiff_t(end));
        start = end;
      }
    } catch (const std::exception& e) {
      return fail("not a " + what + ": " + e.what());
    }
    return out;
  }
  auto blocks = pem_blocks(as_text(pem_or_der), label);
  if (!blocks) return fail("bad " + label + " PEM block: " + blocks.error());
  if (blocks->empty()) return fail("no " + what + " in it (no " + label + " PEM block)");
  for (const auto& b : *blocks) out.emplace_back(b.begin(), b.end());
  return out;
}

Result<std::vector<Certificate>, std::string> parse_certificates(ByteView pem_or_der) {
  auto ders = split_pem_or_der(pem_or_der, "CERTIFICATE", "certificate");
  if (!ders) return fail(ders.error());
  std::vector<Certificate> out;
  for (const Bytes& der : *ders) {
    auto c = Certificate::from_der(der);
    if (!c) return fail(c.error());
    out.push_back(std::move(c.value()));
  }
  return out;
}

// ---- PrivateKey ----

Result<PrivateKey, KeyError> load_private_key(ByteView pem_or_der, const std::string& password, KeyFormat format) {
  try {
    KeyResult key = format == KeyFormat::any && looks_like_pem(pem_or_der)
                        ? load_pem(as_text(pem_or_der), password)
                        : load_der(SecureBytes(pem_or_der.begin(), pem_or_der.end()), password, format);
    if (!key) return fail(key.error());
    const KeyAlgo algo = algo_of(key.value()->algo_name());
    if (algo == KeyAlgo::other)
      return key_error(KeyError::Reason::unsupported, "a " + key.value()->algo_name() + " key is not usable in TLS 1.2 and below");
    if (key.value()->key_length() > max_key_bits)
      return key_error(KeyError::Reason::unsupported, "a key of more than " + std::to_string(max_key_bits) + " bits");
    // Botan's key checks run primality tests (tens of milliseconds for RSA-2048, more for DSA), too
    // much for every Config::make; the public key is compared with the certificate's instead, and
    // Botan checks each RSA signature with the public key before releasing it.
    PrivateKey k;
    k.impl = std::make_shared<PrivateKey::Impl>();
    k.impl->algo = algo;
    k.impl->key = std::move(key.value());
    return k;
  } catch (const std::exception& e) {
    return key_error(KeyError::Reason::corrupt, std::string("private key: ") + e.what());
  } catch (...) {
    return key_error(KeyError::Reason::corrupt, "private key: unreadable");
  }
}

Result<PrivateKey, std::string> PrivateKey::parse(ByteView pem_or_der, const std::string& password) {
  auto key = load_private_key(pem_or_der, password);
  if (!key) return fail(key.error().text);
  return std::move(key.value());
}

KeyAlgo PrivateKey::algo() const { return impl ? impl->algo : KeyAlgo::other; }

Bytes PrivateKey::pkcs8() const {
  if (!impl || !impl->key) return {};
  const Botan::secure_vector<uint8_t> der = Botan::PKCS8::BER_encode(*impl->key);
  return Bytes(der.begin(), der.end());
}

bool PrivateKey::matches(const Certificate& cert) const {
  if (!impl || !impl->key || !cert.impl || !cert.impl->key) return false;
  try {
    return impl->key->algo_name() == cert.impl->key->algo_name() &&
           impl->key->public_key_bits() == cert.impl->key->public_key_bits();
  } catch (...) {
    return false;
  }
}

Result<Bytes, std::string> PrivateKey::sign(uint16_t scheme, ByteView message, Rng& rng) const {
  if (!impl || !impl->key) return fail(std::string("no key"));
  const auto emsa = emsa_for(impl->algo, scheme);
  if (!emsa) return fail(std::string("signature scheme does not fit the key"));
#ifdef ESSL_FUZZING
  (void)rng;
  return fuzzing::sign(scheme, message);
#endif
  try {
    std::lock_guard<std::mutex> lock(impl->mu);
    auto& signer = impl->signers[scheme];
    if (!signer) {
      // Botan keeps the construction RNG for RSA blinding, so it must outlive the signer: the
      // process-wide system RNG does. Per-signature randomness comes from `rng` below.
      signer = std::make_unique<Botan::PK_Signer>(*impl->key, system_botan_rng(), *emsa, format_for(impl->algo));
    }
    BotanRng brng(rng);
    return signer->sign_message(message.data(), message.size(), brng);
  } catch (const std::exception& e) {
    return fail(std::string("signing failed: ") + e.what());
  }
}

bool verify_signature(const Certificate& cert, uint16_t scheme, ByteView message, ByteView signature) {
  if (!cert.impl || !cert.impl->key) return false;
  const KeyAlgo algo = cert.key_algo();
  const auto emsa = emsa_for(algo, scheme);
  if (!emsa) return false;
#ifdef ESSL_FUZZING
  return fuzzing::verify(scheme, message, signature);
#endif
  try {
    Botan::PK_Verifier v(*cert.impl->key, *emsa, format_for(algo));
    return v.verify_message(message.data(), message.size(), signature.data(), signature.size());
  } catch (...) {
    return false;
  }
}

bool scheme_supported(uint16_t scheme) { return scheme_for(scheme).has_value(); }

}  // namespace essl::crypto
