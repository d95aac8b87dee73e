// Certificates, private keys, TLS signatures and basic path validation.
#include "crypto_glue/certs.hpp"

#include <botan/ber_dec.h>
#include <botan/certstor.h>
#include <botan/data_src.h>
#include <botan/der_enc.h>
#include <botan/ec_group.h>
#include <botan/ecc_key.h>
#include <botan/ecdsa.h>
#include <botan/pem.h>
#include <botan/pkcs8.h>
#include <botan/rsa.h>
#include <botan/system_rng.h>
#include <botan/x509path.h>

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

// PEM blocks with `label`, in order; a block that does not decode gives nullopt.
std::optional<std::vector<Botan::secure_vector<uint8_t>>> pem_blocks(std::string_view text,
                                                                     const std::string& label) {
  const std::string begin = "-----BEGIN " + label + "-----";
  const std::string end = "-----END " + label + "-----";
  std::vector<Botan::secure_vector<uint8_t>> out;
  size_t at = 0;
  while ((at = text.find(begin, at)) != std::string_view::npos) {
    const size_t stop = text.find(end, at);
    if (stop == std::string_view::npos) return std::nullopt;
    const std::string block(text.substr(at, stop + end.size() - at));
    try {
      out.push_back(Botan::PEM_Code::decode_check_label(block, label));
    } catch (...) {
      return std::nullopt;
    }
    at = stop + end.size();
  }
  return out;
}

bool looks_like_pem(ByteView b) { return as_text(b).find("-----BEGIN ") != std::string_view::npos; }

// RFC 8017 A.1.2 RSAPrivateKey.
std::unique_ptr<Botan::Private_Key> load_pkcs1_rsa(const Botan::secure_vector<uint8_t>& der) {
  return std::make_unique<Botan::RSA_PrivateKey>(Botan::AlgorithmIdentifier(), der);
}

// RFC 5915 3 ECPrivateKey; the curve comes from its [0] parameters.
std::unique_ptr<Botan::Private_Key> load_sec1_ec(const Botan::secure_vector<uint8_t>& der) {
  Botan::BER_Decoder outer(der);
  Botan::BER_Decoder seq = outer.start_cons(Botan::SEQUENCE);
  size_t version = 0;
  Botan::secure_vector<uint8_t> priv;
  seq.decode(version);
  seq.decode(priv, Botan::OCTET_STRING);
  Botan::BER_Object params = seq.get_next_object();
  if (version != 1 || !params.is_a(0, Botan::ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED)))
    return nullptr;
  const std::vector<uint8_t> params_der(params.bits(), params.bits() + params.length());
  const Botan::AlgorithmIdentifier alg(Botan::OID::from_string("ECDSA"), params_der);
  return std::make_unique<Botan::ECDSA_PrivateKey>(alg, der);
}

std::unique_ptr<Botan::Private_Key> load_pkcs8(ByteView data, const std::string& password) {
  Botan::DataSource_Memory src(data.data(), data.size());
  if (password.empty()) return Botan::PKCS8::load_key(src);
  return Botan::PKCS8::load_key(src, password);
}

Result<std::unique_ptr<Botan::Private_Key>, std::string> load_private_key(ByteView in,
                                                                          const std::string& password) {
  if (looks_like_pem(in)) {
    const std::string_view text = as_text(in);
    if (text.find("-----BEGIN PRIVATE KEY-----") != std::string_view::npos ||
        text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos) {
      try {
        return load_pkcs8(in, password);
      } catch (const std::exception& e) {
        return fail(std::string("PKCS#8 key: ") + e.what());
      }
    }
    if (text.find("Proc-Type: 4,ENCRYPTED") != std::string_view::npos)
      return fail(std::string("encrypted traditional PEM keys are not supported; use encrypted PKCS#8"));
    for (const char* label : {"RSA PRIVATE KEY", "EC PRIVATE KEY"}) {
      auto blocks = pem_blocks(text, label);
      if (!blocks) return fail(std::string("bad PEM block ") + label);
      if (blocks->empty()) continue;
      try {
        auto key = std::string_view(label) == "RSA PRIVATE KEY" ? load_pkcs1_rsa(blocks->front())
                                                                : load_sec1_ec(blocks->front());
        if (key) return key;
      } catch (const std::exception& e) {
        return fail(std::string(label) + ": " + e.what());
      }
      return fail(std::string("bad ") + label);
    }
    return fail(std::string("no private key PEM block"));
  }
  // DER: PKCS#8 (plain or encrypted), then PKCS#1, then SEC1.
  try {
    return load_pkcs8(in, password);
  } catch (...) {
  }
  const Botan::secure_vector<uint8_t> der(in.begin(), in.end());
  try {
    return load_pkcs1_rsa(der);
  } catch (...) {
  }
  try {
    if (auto key = load_sec1_ec(der)) return key;
  } catch (...) {
  }
  return fail(std::string("not a PKCS#8, PKCS#1 or SEC1 private key"));
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

std::string status_text(Botan::Certificate_Status_Code c) {
  const char* t = Botan::to_string(c);
  return t ? t : "unknown";
}

PathError map_status(Botan::Certificate_Status_Code c, bool lone_self_signed) {
  using C = Botan::Certificate_Status_Code;
  using A = AlertDescription;
  switch (c) {
    case C::CERT_HAS_EXPIRED:
    case C::CERT_NOT_YET_VALID: return {A::certificate_expired, "cert_expired"};
    case C::CERT_ISSUER_NOT_FOUND:
    case C::CANNOT_ESTABLISH_TRUST:
    case C::CHAIN_LACKS_TRUST_ROOT:
      if (lone_self_signed) return {A::bad_certificate, "selfsigned_peer"};
      return {A::unknown_ca, "unknown_ca"};
    case C::CHAIN_NAME_MISMATCH: return {A::bad_certificate, "invalid_issuer"};
    case C::SIGNATURE_ERROR:
    case C::SIGNATURE_METHOD_TOO_WEAK:
    case C::UNTRUSTED_HASH:
    case C::SIGNATURE_ALGO_UNKNOWN:
    case C::SIGNATURE_ALGO_BAD_PARAMS:
    case C::CERT_PUBKEY_INVALID: return {A::bad_certificate, "invalid_signature"};
    case C::NAME_CONSTRAINT_ERROR: return {A::bad_certificate, "name_not_permitted"};
    case C::UNKNOWN_CRITICAL_EXTENSION: return {A::unsupported_certificate, "unknown_critical_extension"};
    case C::CERT_IS_REVOKED: return {A::certificate_revoked, "revoked"};
    case C::CERT_NAME_NOMATCH: return {A::handshake_failure, "hostname_check_failed"};
    case C::CERT_CHAIN_TOO_LONG: return {A::handshake_failure, "max_path_length_reached"};
    case C::CA_CERT_NOT_FOR_CERT_ISSUER: return {A::handshake_failure, "missing_basic_constraint"};
    case C::INVALID_USAGE: return {A::handshake_failure, "invalid_key_usage"};
    case C::NO_REVOCATION_DATA: return {A::bad_certificate, "revocation_status_undetermined"};
    default: return {A::bad_certificate, status_text(c)};
  }
}

bool is_ipv4(const std::string& s) {
  int dots = 0, digits = 0;
  for (char ch : s) {
    if (ch == '.') {
      if (digits == 0) return false;
      ++dots;
      digits = 0;
    } else if (ch >= '0' && ch <= '9') {
      if (++digits > 3) return false;
    } else {
      return false;
    }
  }
  return dots == 3 && digits > 0;
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

Result<std::vector<Certificate>, std::string> parse_certificates(ByteView pem_or_der) {
  std::vector<Certificate> out;
  if (!looks_like_pem(pem_or_der)) {
    auto c = Certificate::from_der(pem_or_der);
    if (!c) return fail(c.error());
    out.push_back(std::move(c.value()));
    return out;
  }
  auto blocks = pem_blocks(as_text(pem_or_der), "CERTIFICATE");
  if (!blocks) return fail(std::string("bad CERTIFICATE PEM block"));
  if (blocks->empty()) return fail(std::string("no CERTIFICATE PEM block"));
  for (const auto& b : *blocks) {
    auto c = Certificate::from_der(ByteView(b.data(), b.size()));
    if (!c) return fail(c.error());
    out.push_back(std::move(c.value()));
  }
  return out;
}

// ---- PrivateKey ----

Result<PrivateKey, std::string> PrivateKey::parse(ByteView pem_or_der, const std::string& password) {
  try {
    auto key = load_private_key(pem_or_der, password);
    if (!key) return fail(key.error());
    PrivateKey k;
    k.impl = std::make_shared<Impl>();
    k.impl->algo = algo_of(key.value()->algo_name());
    k.impl->key = std::move(key.value());
    return k;
  } catch (const std::exception& e) {
    return fail(std::string("private key: ") + e.what());
  } catch (...) {
    return fail(std::string("private key: unreadable"));
  }
}

KeyAlgo PrivateKey::algo() const { return impl ? impl->algo : KeyAlgo::other; }

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
      signer = std::make_unique<Botan::PK_Signer>(*impl->key, Botan::system_rng(), *emsa, format_for(impl->algo));
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

// ---- path validation ----

Result<void, PathError> validate_path(const std::vector<Certificate>& chain, const std::vector<Certificate>& trusted,
                                      const std::string& hostname, int depth) {
  if (chain.empty()) return fail(PathError{AlertDescription::handshake_failure, "no_peer_certificate"});
  try {
    Botan::Certificate_Store_In_Memory store;
    for (const auto& t : trusted)
      if (t.impl) store.add_certificate(t.impl->cert);
    std::vector<Botan::X509_Certificate> certs;
    certs.reserve(chain.size());
    for (const auto& c : chain) {
      if (!c.impl) return fail(PathError{AlertDescription::certificate_unknown, "no certificate"});
      certs.push_back(c.impl->cert);
    }

    // Botan matches host names against DNS names only; IPv4 literals are checked against the
    // iPAddress subjectAltName entries here (RFC 6125 6.2.1 / RFC 5280 4.2.1.6).
    std::string dns_name = hostname;
    if (is_ipv4(hostname)) {
      const auto ips = certs.front().subject_alt_name().get_attribute("IP");
      if (std::find(ips.begin(), ips.end(), hostname) == ips.end())
        return fail(PathError{AlertDescription::handshake_failure, "hostname_check_failed"});
      dns_name.clear();
    }

    // Minimum key strength 80 keeps SHA-1-signed chains acceptable, as the reference accepts them.
    const Botan::Path_Validation_Restrictions restrictions(false, 80);
    const Botan::Path_Validation_Result r = Botan::x509_path_validate(certs, restrictions, store, dns_name);
    if (!r.successful_validation()) {
      const bool lone_self_signed = chain.size() == 1 && chain.front().is_self_signed();
      return fail(map_status(r.result(), lone_self_signed));
    }
    // `depth` counts the intermediates between the peer and the trust anchor.
    const size_t path = r.cert_path().size();
    const size_t intermediates = path >= 2 ? path - 2 : 0;
    if (depth >= 0 && intermediates > static_cast<size_t>(depth))
      return fail(PathError{AlertDescription::handshake_failure, "max_path_length_reached"});
    return {};
  } catch (const std::exception& e) {
    return fail(PathError{AlertDescription::bad_certificate, std::string("validation error: ") + e.what()});
  }
}

}  // namespace essl::crypto
