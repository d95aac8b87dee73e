// Credential loading: every key type and encoding (plain, PKCS#8 PBES2 and OpenSSL's legacy PEM
// encryption) signs and verifies; Config::make names the option and says why a credential is bad; the
// PEM cache serves files once, notices changes after its interval, and clear_pem_cache empties it; the
// essl command serves with an encrypted key and --password.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "crypto_glue/certs.hpp"
#include "crypto_glue/kex.hpp"
#include "essl/essl.hpp"
#include "statemachine/config.hpp"
#include "statemachine/pem_cache.hpp"
#include "test_util.hpp"

extern char** environ;

namespace essl::crypto {
namespace {

using namespace std::chrono_literals;
using Reason = KeyError::Reason;

constexpr const char* password = "essl-test";

std::string src_path(const std::string& rel) { return test::source_path(rel); }
Bytes src(const std::string& rel) { return test::read_file(src_path(rel)); }
std::string data(const std::string& name) { return src_path("tests/data/" + name); }

Certificate cert(const std::string& rel) {
  auto c = parse_certificates(src(rel));
  EXPECT_TRUE(c.ok()) << rel;
  return c.value().front();
}

// A scratch folder removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "essl-loading-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const Bytes& bytes) const {
    const std::string p = (path / name).string();
    FILE* f = std::fopen(p.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error("cannot write " + p);
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return p;
  }
};

Bytes text(const std::string& s) { return Bytes(s.begin(), s.end()); }
std::string as_string(const Bytes& b) { return std::string(b.begin(), b.end()); }

// ---- keys ----

struct KeyCase {
  const char* file;
  const char* password;
  KeyFormat format;
};

void expect_signs(const PrivateKey& k, const Certificate& c, const std::vector<uint16_t>& schemes) {
  auto rng = deterministic_rng(21);
  const Bytes msg = text("client_random || server_random || ServerDHParams");
  for (uint16_t s : schemes) {
    SCOPED_TRACE("scheme " + std::to_string(s));
    auto sig = k.sign(s, msg, *rng);
    ASSERT_TRUE(sig.ok()) << sig.error();
    EXPECT_TRUE(verify_signature(c, s, msg, sig.value()));
    Bytes other = msg;
    other[3] ^= 1;
    EXPECT_FALSE(verify_signature(c, s, other, sig.value()));
  }
}

TEST(Loading, EveryKeyTypeAndEncodingSignsAndVerifies) {
  const std::vector<KeyCase> rsa = {
      {"tests/data/server-rsa-key.pem", "", KeyFormat::any},
      {"tests/crypto/data/rsa-pkcs1.pem", "", KeyFormat::any},
      {"tests/crypto/data/rsa-pkcs1.der", "", KeyFormat::any},
      {"tests/crypto/data/rsa-pkcs1.der", "", KeyFormat::rsa_pkcs1},
      {"tests/data/server-rsa-key.p8.der", "", KeyFormat::pkcs8},
      {"tests/crypto/data/rsa-pkcs8-enc.pem", password, KeyFormat::any},
      {"tests/data/server-rsa-key-aes128.pem", password, KeyFormat::any},
      {"tests/data/server-rsa-key-des3.pem", password, KeyFormat::any},
  };
  const std::vector<KeyCase> ec = {
      {"tests/data/server-ecdsa-key.pem", "", KeyFormat::any},
      {"tests/crypto/data/ec-sec1.pem", "", KeyFormat::any},
      {"tests/crypto/data/ec-sec1.der", "", KeyFormat::ec_sec1},
      {"tests/crypto/data/ec-pkcs8.der", "", KeyFormat::pkcs8},
      {"tests/crypto/data/ec-pkcs8-enc.der", password, KeyFormat::any},
      {"tests/data/server-ecdsa-key-pkcs8-enc.pem", password, KeyFormat::any},
      {"tests/data/server-ecdsa-key-scrypt.pem", password, KeyFormat::any},
      {"tests/data/server-ecdsa-key-scrypt.der", password, KeyFormat::any},
      {"tests/data/server-ecdsa-key-aes256.pem", password, KeyFormat::any},
  };
  const std::vector<KeyCase> dsa = {
      {"tests/data/server-dsa-key.pem", "", KeyFormat::any},
      {"tests/data/server-dsa-key-trad.pem", "", KeyFormat::any},
      {"tests/data/server-dsa-key.der", "", KeyFormat::any},
      {"tests/data/server-dsa-key.der", "", KeyFormat::dsa_openssl},
      {"tests/data/server-dsa-key.p8.der", "", KeyFormat::pkcs8},
      {"tests/data/server-dsa-key-pkcs8-enc.pem", password, KeyFormat::any},
      {"tests/data/server-dsa-key-aes192.pem", password, KeyFormat::any},
  };
  struct Family {
    const std::vector<KeyCase>* cases;
    const char* cert;
    KeyAlgo algo;
    std::vector<uint16_t> schemes;
  };
  const Family families[] = {
      {&rsa, "tests/data/server-rsa.pem", KeyAlgo::rsa, {0, 0x0201, 0x0401, 0x0601, 0x0804}},
      {&ec, "tests/data/server-ecdsa.pem", KeyAlgo::ecdsa, {0, 0x0203, 0x0403, 0x0503}},
      // DSA: legacy SHA-1 below TLS 1.2, then sha1/dsa (0x0202) and sha256/dsa (0x0402).
      {&dsa, "tests/data/server-dsa.pem", KeyAlgo::dsa, {0, 0x0202, 0x0402}},
  };
  const Certificate others[] = {cert("tests/data/client-rsa.pem"), cert("tests/data/client-ecdsa.pem")};
  for (const Family& f : families) {
    const Certificate c = cert(f.cert);
    EXPECT_EQ(c.key_algo(), f.algo) << f.cert;
    for (const KeyCase& kc : *f.cases) {
      SCOPED_TRACE(std::string(kc.file) + " format " + std::to_string(static_cast<int>(kc.format)));
      auto k = load_private_key(src(kc.file), kc.password, kc.format);
      ASSERT_TRUE(k.ok()) << k.error().text;
      EXPECT_EQ(k->algo(), f.algo);
      EXPECT_TRUE(k->matches(c));
      for (const Certificate& o : others) EXPECT_FALSE(k->matches(o));
      expect_signs(k.value(), c, f.schemes);
    }
  }
  // A DSA signature does not verify under another scheme's hash, and a DSA key refuses RSA schemes.
  auto rng = deterministic_rng(22);
  auto k = load_private_key(src("tests/data/server-dsa-key.pem"), "");
  ASSERT_TRUE(k.ok());
  const Bytes msg = text("params");
  auto sig = k->sign(0x0402, msg, *rng);
  ASSERT_TRUE(sig.ok());
  EXPECT_FALSE(verify_signature(cert("tests/data/server-dsa.pem"), 0x0202, msg, sig.value()));
  EXPECT_FALSE(k->sign(0x0401, msg, *rng).ok());
  EXPECT_FALSE(k->sign(0x0403, msg, *rng).ok());
}

TEST(Loading, PasswordsWrongMissingAndCorruptFiles) {
  const char* encrypted[] = {"tests/crypto/data/rsa-pkcs8-enc.pem",       "tests/crypto/data/ec-pkcs8-enc.der",
                             "tests/data/server-dsa-key-pkcs8-enc.pem",   "tests/data/server-rsa-key-aes128.pem",
                             "tests/data/server-rsa-key-des3.pem",        "tests/data/server-ecdsa-key-aes256.pem",
                             "tests/data/server-dsa-key-aes192.pem",      "tests/data/server-ecdsa-key-scrypt.pem"};
  for (const char* f : encrypted) {
    SCOPED_TRACE(f);
    auto wrong = load_private_key(src(f), "not-the-password");
    ASSERT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.error().reason, Reason::wrong_password) << wrong.error().text;
    EXPECT_EQ(wrong.error().text, "wrong password");
    auto none = load_private_key(src(f), "");
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.error().reason, Reason::needs_password) << none.error().text;
  }

  // Legacy encryption with damage that the structure shows: a bad base64 character, a ciphertext cut to
  // a length that is not a whole number of blocks, a malformed IV, an unknown cipher.
  const std::string legacy = as_string(src("tests/data/server-rsa-key-aes128.pem"));
  const size_t body = legacy.find("\n\n") + 2;
  auto corrupt = [&](std::string s) {
    auto r = load_private_key(text(s), password);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Reason::not_a_key : r.error().reason;
  };
  std::string bad_char = legacy;
  bad_char[body + 5] = '!';
  EXPECT_EQ(corrupt(bad_char), Reason::corrupt);
  std::string cut = legacy;
  cut.erase(body, 4);  // three bytes fewer
  EXPECT_EQ(corrupt(cut), Reason::corrupt);
  std::string bad_iv = legacy;
  bad_iv.replace(bad_iv.find("AES-128-CBC,") + 12, 2, "zz");
  EXPECT_EQ(corrupt(bad_iv), Reason::corrupt);
  std::string short_iv = legacy;
  short_iv.erase(short_iv.find("AES-128-CBC,") + 12, 2);
  EXPECT_EQ(corrupt(short_iv), Reason::corrupt);
  std::string no_dek = legacy;
  no_dek.replace(no_dek.find("DEK-Info"), 8, "DEK-Infx");
  EXPECT_EQ(corrupt(no_dek), Reason::corrupt);
  std::string camellia = legacy;
  camellia.replace(camellia.find("AES-128-CBC"), 11, "CAMELLIA-99");
  EXPECT_EQ(corrupt(camellia), Reason::unsupported);
  std::string unterminated = legacy.substr(0, legacy.find("-----END"));
  EXPECT_EQ(corrupt(unterminated), Reason::corrupt);

  // Encrypted PKCS#8 whose structure is damaged is corrupt, not a wrong password.
  std::string p8 = as_string(src("tests/crypto/data/rsa-pkcs8-enc.pem"));
  p8[p8.find('\n') + 1] = 'A';  // the outer SEQUENCE tag
  p8[p8.find('\n') + 2] = 'A';
  EXPECT_EQ(corrupt(p8), Reason::corrupt);

  // PKCS#12 PBES1 is refused as unsupported whatever the password; so are scrypt work factors beyond the
  // bounds (N a power of two, at most 16 parallel lanes, at most 64 MiB of memory).
  auto pbes1 = load_private_key(src("tests/data/server-ecdsa-key-pbes1.pem"), password);
  ASSERT_FALSE(pbes1.ok());
  EXPECT_EQ(pbes1.error().reason, Reason::unsupported) << pbes1.error().text;
  EXPECT_NE(pbes1.error().text.find("PBES2"), std::string::npos) << pbes1.error().text;
  Bytes scrypt = src("tests/data/server-ecdsa-key-scrypt.der");
  const Bytes work = {0x02, 0x02, 0x40, 0x00, 0x02, 0x01, 0x08, 0x02, 0x01, 0x01};  // N = 16384, r = 8, p = 1
  auto at = std::search(scrypt.begin(), scrypt.end(), work.begin(), work.end());
  ASSERT_NE(at, scrypt.end());
  // p = 127; r = 127 (254 MiB); N = 32512.
  for (const auto& [offset, value] : {std::pair{9, 0x7f}, std::pair{6, 0x7f}, std::pair{2, 0x7f}}) {
    Bytes heavy_der = scrypt;
    heavy_der[static_cast<size_t>(at - scrypt.begin()) + static_cast<size_t>(offset)] = static_cast<uint8_t>(value);
    auto heavy = load_private_key(heavy_der, password);
    ASSERT_FALSE(heavy.ok());
    EXPECT_EQ(heavy.error().reason, Reason::unsupported) << heavy.error().text;
  }

  // An Ed25519 key decodes but has no use in TLS 1.2 and below.
  auto ed = load_private_key(src("tests/data/ed25519-key.pem"), "");
  ASSERT_FALSE(ed.ok());
  EXPECT_EQ(ed.error().reason, Reason::unsupported) << ed.error().text;

  // A plain key with a damaged body is corrupt; a certificate is not a key.
  std::string pkcs1 = as_string(src("tests/crypto/data/rsa-pkcs1.pem"));
  pkcs1.replace(pkcs1.find('\n') + 1, 8, "AAAAAAAA");
  EXPECT_EQ(corrupt(pkcs1), Reason::corrupt);
  auto ca = load_private_key(src("tests/data/ca.pem"), "");
  ASSERT_FALSE(ca.ok());
  EXPECT_EQ(ca.error().reason, Reason::not_a_key);
  auto ca_der = load_private_key(src("tests/crypto/data/server-rsa.der"), "");
  ASSERT_FALSE(ca_der.ok());
  EXPECT_EQ(ca_der.error().reason, Reason::not_a_key);
  EXPECT_NE(ca_der.error().text.find("certificate"), std::string::npos);

  // The declared DER type must be the real one.
  auto as_ec = load_private_key(src("tests/crypto/data/rsa-pkcs1.der"), "", KeyFormat::ec_sec1);
  ASSERT_FALSE(as_ec.ok());
  EXPECT_EQ(as_ec.error().text, "not an ECPrivateKey");
  EXPECT_FALSE(load_private_key(src("tests/crypto/data/ec-sec1.der"), "", KeyFormat::dsa_openssl).ok());
  EXPECT_FALSE(load_private_key(src("tests/data/server-dsa-key.der"), "", KeyFormat::rsa_pkcs1).ok());
  EXPECT_FALSE(load_private_key(src("tests/crypto/data/ec-pkcs8-enc.der"), password, KeyFormat::pkcs8).ok());

  // A DSAPrivateKey whose public value is not g^x mod p is refused.
  Bytes dsa = src("tests/data/server-dsa-key.der");
  dsa[dsa.size() - 40] ^= 0x01;  // inside y (x is the last 32 bytes plus its header)
  EXPECT_FALSE(load_private_key(dsa, "", KeyFormat::dsa_openssl).ok());

  // A damaged RSA CRT coefficient still decodes, but Botan's check of each signature with the public key
  // stops it from ever producing a wrong signature.
  Bytes rsa = src("tests/crypto/data/rsa-pkcs1.der");
  rsa[rsa.size() - 10] ^= 0x01;
  auto damaged = load_private_key(rsa, "", KeyFormat::rsa_pkcs1);
  ASSERT_TRUE(damaged.ok());
  auto rng = deterministic_rng(23);
  EXPECT_FALSE(damaged->sign(0x0401, text("m"), *rng).ok());

  // Garbage of every size never crashes.
  Bytes junk;
  for (int i = 0; i < 300; ++i) {
    junk.push_back(static_cast<uint8_t>(i * 37 + 11));
    EXPECT_FALSE(load_private_key(junk, password).ok());
  }
}

TEST(Loading, CertificateChains) {
  const Bytes leaf = src("tests/crypto/data/server-rsa.der");
  const Bytes ca = cert("tests/data/ca.pem").der();
  Bytes chain = leaf;
  chain.insert(chain.end(), ca.begin(), ca.end());
  auto both = parse_certificates(chain);
  ASSERT_TRUE(both.ok()) << both.error();
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ(both->at(0).der(), leaf);
  EXPECT_EQ(both->at(1).der(), ca);
  Bytes trailing = chain;
  trailing.push_back(0x00);
  EXPECT_FALSE(parse_certificates(trailing).ok());
  Bytes cut(chain.begin(), chain.end() - 1);
  EXPECT_FALSE(parse_certificates(cut).ok());
}

// ---- Config::make: each error names the option ----

Error make_error(Role role, const Options& o) {
  auto c = Config::make(role, o);
  EXPECT_FALSE(c.ok());
  if (c.ok()) return Error{};
  EXPECT_EQ(c.error().kind, Error::Kind::options);
  return c.error();
}

void expect_option_error(Role role, const Options& o, const std::string& option, const std::string& why) {
  const Error e = make_error(role, o);
  EXPECT_EQ(e.option, option) << e.detail;
  EXPECT_NE(e.detail.find(why), std::string::npos) << "option " << e.option << ": " << e.detail;
}

Options server(const std::string& certfile, const std::string& keyfile, const std::string& pw = "") {
  Options o;
  o.certfile = data(certfile);
  o.keyfile = keyfile.empty() ? "" : data(keyfile);
  o.password = pw;
  return o;
}

TEST(Loading, ConfigLoadsEveryCredentialForm) {
  for (const auto& [c, k, pw] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"server-rsa.pem", "server-rsa-key.pem", ""},
           {"server-rsa.pem", "server-rsa-key-aes128.pem", password},
           {"server-rsa.pem", "server-rsa-key-des3.pem", password},
           {"server-ecdsa.pem", "server-ecdsa-key-aes256.pem", password},
           {"server-ecdsa.pem", "server-ecdsa-key-pkcs8-enc.pem", password},
           {"server-dsa.pem", "server-dsa-key.pem", ""},
           {"server-dsa.pem", "server-dsa-key-aes192.pem", password}}) {
    SCOPED_TRACE(c + " " + k);
    auto cfg = Config::make(Role::server, server(c, k, pw));
    ASSERT_TRUE(cfg.ok()) << format_error(cfg.error());
    EXPECT_TRUE((*cfg)->key->matches((*cfg)->chain.front()));
  }
  // keyfile defaults to certfile: a file holding the chain and the key.
  TempDir dir;
  Bytes both = src("tests/data/server-ecdsa.pem");
  const Bytes ca_pem = src("tests/data/ca.pem");
  const Bytes key_pem = src("tests/data/server-ecdsa-key-aes256.pem");
  both.insert(both.end(), ca_pem.begin(), ca_pem.end());
  both.insert(both.end(), key_pem.begin(), key_pem.end());
  Options combined;
  combined.certfile = dir.write("combined.pem", both);
  combined.password = password;
  auto cfg = Config::make(Role::server, combined);
  ASSERT_TRUE(cfg.ok()) << format_error(cfg.error());
  EXPECT_EQ((*cfg)->chain.size(), 2u);
  EXPECT_EQ((*cfg)->key->algo(), KeyAlgo::ecdsa);

  // {cert, Der} (a chain back to back) with {key, {Type, Der}} for each type.
  struct DerCase {
    const char* cert;
    PrivateKeyDer::Type type;
    const char* key;
  };
  for (const DerCase& d : {DerCase{"tests/data/server-rsa.pem", PrivateKeyDer::Type::RSAPrivateKey, "tests/crypto/data/rsa-pkcs1.der"},
                           DerCase{"tests/data/server-rsa.pem", PrivateKeyDer::Type::PrivateKeyInfo, "tests/data/server-rsa-key.p8.der"},
                           DerCase{"tests/data/server-ecdsa.pem", PrivateKeyDer::Type::ECPrivateKey, "tests/crypto/data/ec-sec1.der"},
                           DerCase{"tests/data/server-ecdsa.pem", PrivateKeyDer::Type::PrivateKeyInfo, "tests/crypto/data/ec-pkcs8.der"},
                           DerCase{"tests/data/server-dsa.pem", PrivateKeyDer::Type::DSAPrivateKey, "tests/data/server-dsa-key.der"},
                           DerCase{"tests/data/server-dsa.pem", PrivateKeyDer::Type::PrivateKeyInfo, "tests/data/server-dsa-key.p8.der"}}) {
    SCOPED_TRACE(d.key);
    Options o;
    o.cert = cert(d.cert).der();
    const Bytes ca_der = cert("tests/data/ca.pem").der();
    o.cert.insert(o.cert.end(), ca_der.begin(), ca_der.end());
    o.key = PrivateKeyDer{d.type, src(d.key)};
    auto c = Config::make(Role::server, o);
    ASSERT_TRUE(c.ok()) << format_error(c.error());
    EXPECT_EQ((*c)->chain.size(), 2u);
  }

  // Trust from cacerts (each entry may itself be a chain) and from a DER cacertfile.
  Options trust;
  trust.cacerts = {cert("tests/data/ca.pem").der(), cert("tests/data/other-ca.pem").der()};
  auto t = Config::make(Role::client, trust);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ((*t)->trusted.size(), 2u);
  trust = Options{};
  trust.cacertfile = dir.write("ca.der", cert("tests/data/ca.pem").der());
  t = Config::make(Role::client, trust);
  ASSERT_TRUE(t.ok()) << format_error(t.error());
  EXPECT_EQ((*t)->trusted.size(), 1u);

  // DH: the built-in group when absent, PEM and DER files, and the dh option.
  Options dh = server("server-rsa.pem", "server-rsa-key.pem");
  auto d = Config::make(Role::server, dh);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d)->dh.p, default_dh_params().p);
  dh.dhfile = data("dh1024.pem");
  d = Config::make(Role::server, dh);
  ASSERT_TRUE(d.ok()) << format_error(d.error());
  EXPECT_EQ((*d)->dh.p.size(), 128u);
  const Bytes pem_p = (*d)->dh.p;
  dh.dhfile = data("dh1024.der");
  d = Config::make(Role::server, dh);
  ASSERT_TRUE(d.ok()) << format_error(d.error());
  EXPECT_EQ((*d)->dh.p.size(), 128u);
  dh.dhfile.clear();
  dh.dh = src("tests/data/dh1024.der");
  d = Config::make(Role::server, dh);
  ASSERT_TRUE(d.ok()) << format_error(d.error());
  EXPECT_NE((*d)->dh.p, pem_p);  // two generated groups
}

TEST(Loading, EachBadCredentialNamesItsOption) {
  TempDir dir;
  const Role S = Role::server;
  expect_option_error(S, server("no-such.pem", "server-rsa-key.pem"), "certfile", "no such file");
  expect_option_error(S, server("server-rsa.pem", "no-such-key.pem"), "keyfile", "no such file");
  Options dir_cert = server("server-rsa.pem", "server-rsa-key.pem");
  dir_cert.certfile = dir.path.string();
  expect_option_error(S, dir_cert, "certfile", "directory");
  Options device = server("server-rsa.pem", "server-rsa-key.pem");
  device.keyfile = "/dev/zero";
  expect_option_error(S, device, "keyfile", "not a regular file");
  expect_option_error(S, server("server-rsa-key.pem", "server-rsa-key.pem"), "certfile", "no certificate");
  expect_option_error(S, server("server-rsa.pem", "ca.pem"), "keyfile", "no private key");
  expect_option_error(S, server("server-rsa.pem", ""), "keyfile", "no private key");
  expect_option_error(S, server("server-rsa.pem", "client-rsa-key.pem"), "keyfile", "does not match");
  expect_option_error(S, server("server-dsa.pem", "server-rsa-key.pem"), "keyfile", "does not match");
  expect_option_error(S, server("server-rsa.pem", "server-rsa-key-aes128.pem", "wrong"), "keyfile", "wrong password");
  expect_option_error(S, server("server-rsa.pem", "server-rsa-key-aes128.pem"), "keyfile", "no password");
  expect_option_error(S, server("server-rsa.pem", "server-dsa-key-pkcs8-enc.pem", "wrong"), "keyfile",
                      "wrong password");
  std::string damaged = as_string(src("tests/data/server-rsa-key-aes128.pem"));
  damaged[damaged.find("\n\n") + 3] = '*';
  Options corrupt = server("server-rsa.pem", "");
  corrupt.keyfile = dir.write("damaged.pem", text(damaged));
  corrupt.password = password;
  const Error ce = make_error(S, corrupt);
  EXPECT_EQ(ce.option, "keyfile");
  EXPECT_EQ(ce.detail.find("wrong password"), std::string::npos) << ce.detail;

  Options der_key;
  der_key.cert = src("tests/crypto/data/server-rsa.der");
  der_key.key = PrivateKeyDer{PrivateKeyDer::Type::ECPrivateKey, src("tests/crypto/data/rsa-pkcs1.der")};
  expect_option_error(S, der_key, "key", "not an ECPrivateKey");
  der_key.key = PrivateKeyDer{PrivateKeyDer::Type::ECPrivateKey, src("tests/crypto/data/ec-sec1.der")};
  expect_option_error(S, der_key, "key", "does not match");
  der_key.cert = {0x30, 0x03, 0x02, 0x01, 0x00};
  expect_option_error(S, der_key, "cert", "certificate");

  Options trust;
  trust.cacertfile = data("no-such-ca.pem");
  expect_option_error(Role::client, trust, "cacertfile", "no such file");
  trust.cacertfile = data("server-rsa-key.pem");
  expect_option_error(Role::client, trust, "cacertfile", "no certificate");
  trust = Options{};
  trust.cacerts = {cert("tests/data/ca.pem").der(), Bytes{0x30, 0x00}};
  expect_option_error(Role::client, trust, "cacerts", "certificate 2");

  Options dh = server("server-rsa.pem", "server-rsa-key.pem");
  dh.dhfile = data("no-such-dh.pem");
  expect_option_error(S, dh, "dhfile", "no such file");
  dh.dhfile = data("dh512.pem");
  expect_option_error(S, dh, "dhfile", "weak DH group: 512 bits");
  dh.dhfile = data("ca.pem");
  expect_option_error(S, dh, "dhfile", "DH");
  dh.dhfile.clear();
  dh.dh = {0x30, 0x06, 0x02, 0x01, 0x17, 0x02, 0x01, 0x05};  // p = 23
  expect_option_error(S, dh, "dh", "weak DH group: 5 bits");

  // validate() checks the shapes before any file is read.
  Options bad;
  bad.key = PrivateKeyDer{static_cast<PrivateKeyDer::Type>(9), Bytes{1}};
  auto v = validate(bad);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().option, "key");
  bad = Options{};
  bad.cacerts = {Bytes{}};
  v = validate(bad);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().option, "cacerts");
  bad = Options{};
  bad.keyfile = std::string("key\0.pem", 8);
  v = validate(bad);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().option, "keyfile");
  // listen reports the option as Config::make names it.
  auto ls = listen(0, server("server-rsa.pem", "server-rsa-key-des3.pem", "nope"), passive_binary());
  ASSERT_FALSE(ls);
  EXPECT_EQ(ls.error().option, "keyfile");
  EXPECT_NE(format_error(ls.error()).find("wrong password"), std::string::npos) << format_error(ls.error());
}

// ---- the PEM cache ----

struct AppConfigGuard {
  ~AppConfigGuard() { (void)set_app_config(AppConfig{}); }
};

std::string subject_of_trust(const std::string& cacertfile) {
  Options o;
  o.cacertfile = cacertfile;
  auto c = Config::make(Role::client, o);
  EXPECT_TRUE(c.ok()) << format_error(c.error());
  return c.ok() ? as_string((*c)->trusted.front().subject_dn()) : "";
}

TEST(Loading, PemCacheReadsOnceAndRevalidatesAfterItsInterval) {
  AppConfigGuard restore;
  TempDir dir;
  const std::string ca = as_string(cert("tests/data/ca.pem").subject_dn());
  const std::string other = as_string(cert("tests/data/other-ca.pem").subject_dn());
  const std::string path = dir.write("trust.pem", src("tests/data/ca.pem"));

  AppConfig env;
  env.ssl_pem_cache_clean = 1h;
  ASSERT_TRUE(set_app_config(env));
  EXPECT_EQ(app_config().ssl_pem_cache_clean, 1h);
  EXPECT_EQ(pem_cache::clean_interval(), 1h);
  ASSERT_TRUE(clear_pem_cache());

  const uint64_t before = pem_cache::file_reads();
  EXPECT_EQ(subject_of_trust(path), ca);
  EXPECT_EQ(pem_cache::file_reads(), before + 1);
  // Within the interval the file system is not consulted: new contents are not seen, nothing is read.
  dir.write("trust.pem", src("tests/data/other-ca.pem"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(subject_of_trust(path), ca);
  EXPECT_EQ(pem_cache::file_reads(), before + 1);
  // clear_pem_cache: read again at once.
  ASSERT_TRUE(clear_pem_cache());
  EXPECT_EQ(subject_of_trust(path), other);
  EXPECT_EQ(pem_cache::file_reads(), before + 2);

  // A short interval: an unchanged file is checked but not read again; a changed one is read again.
  env.ssl_pem_cache_clean = 100ms;
  ASSERT_TRUE(set_app_config(env));
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(subject_of_trust(path), other);
  EXPECT_EQ(pem_cache::file_reads(), before + 2);
  // Same size (the two CA files are) and the same modification time, but a new inode (replaced by
  // rename).
  ASSERT_EQ(src("tests/data/ca.pem").size(), src("tests/data/other-ca.pem").size());
  const std::string next = dir.write("next.pem", src("tests/data/ca.pem"));
  struct stat old_st {};
  ASSERT_EQ(::stat(path.c_str(), &old_st), 0);
  const struct timespec times[2] = {old_st.st_atim, old_st.st_mtim};
  ASSERT_EQ(::utimensat(AT_FDCWD, next.c_str(), times, 0), 0);
  std::filesystem::rename(next, path);
  EXPECT_EQ(subject_of_trust(path), other);  // not yet: the interval has not passed
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(subject_of_trust(path), ca);
  EXPECT_EQ(pem_cache::file_reads(), before + 3);
  // Rewritten in place with the modification time put back: the size tells.
  Bytes longer = src("tests/data/other-ca.pem");
  longer.push_back('\n');
  dir.write("trust.pem", longer);
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(subject_of_trust(path), other);
  EXPECT_EQ(pem_cache::file_reads(), before + 4);
  // A file that disappears is an error at the next check, not a stale success.
  std::filesystem::remove(path);
  std::this_thread::sleep_for(150ms);
  Options gone;
  gone.cacertfile = path;
  expect_option_error(Role::client, gone, "cacertfile", "no such file");

  // Zero checks on every use; a negative interval is refused and changes nothing.
  env.ssl_pem_cache_clean = 0ms;
  ASSERT_TRUE(set_app_config(env));
  env.ssl_pem_cache_clean = -1ms;
  auto bad = set_app_config(env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, Error::Kind::options);
  EXPECT_EQ(bad.error().option, "ssl_pem_cache_clean");
  EXPECT_EQ(app_config().ssl_pem_cache_clean, 0ms);
  ASSERT_TRUE(set_app_config(AppConfig{}));
  EXPECT_EQ(pem_cache::clean_interval(), pem_cache::default_clean_interval);
  EXPECT_FALSE(app_config().ssl_pem_cache_clean.has_value());
}

TEST(Loading, PemCacheIsThreadSafe) {
  AppConfigGuard restore;
  AppConfig env;
  env.ssl_pem_cache_clean = 0ms;  // every read checks the file: the busiest path
  ASSERT_TRUE(set_app_config(env));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 20; ++i) {
        if (t == 0 && i % 5 == 0) (void)clear_pem_cache();
        auto c = Config::make(Role::server, server("server-ecdsa.pem", "server-ecdsa-key.pem"));
        if (!c.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- the essl command with an encrypted key ----

// Starts `essl server` and returns its pid; stderr goes to `err`.
pid_t spawn_server(const std::vector<std::string>& args, const std::string& err) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

uint16_t free_port() {
  auto ls = listen(0, server("server-rsa.pem", "server-rsa-key.pem"), passive_binary());
  return ls ? ls->port() : 0;
}

TEST(Loading, EsslServerTakesAnEncryptedKeyWithPassword) {
  const char* exe = std::getenv("ESSL_BIN");
  ASSERT_NE(exe, nullptr) << "ESSL_BIN (the essl command) is not set";
  TempDir dir;
  const std::string err = (dir.path / "stderr.txt").string();

  // A wrong password: the command stops with the options error.
  const uint16_t bad_port = free_port();
  ASSERT_NE(bad_port, 0);
  pid_t pid = spawn_server({exe, "server", "--port", std::to_string(bad_port), "--certfile", data("server-rsa.pem"),
                            "--keyfile", data("server-rsa-key-aes128.pem"), "--password", "wrong"},
                           err);
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0);
  const std::string message = as_string(test::read_file(err));
  EXPECT_NE(message.find("keyfile"), std::string::npos) << message;
  EXPECT_NE(message.find("wrong password"), std::string::npos) << message;

  // The right password: a client completes a verified handshake and gets its data echoed.
  const uint16_t port = free_port();
  ASSERT_NE(port, 0);
  pid = spawn_server({exe, "server", "--port", std::to_string(port), "--certfile", data("server-rsa.pem"),
                      "--keyfile", data("server-rsa-key-des3.pem"), "--password", password},
                     err);
  ASSERT_GT(pid, 0);
  Options c;
  c.cacertfile = data("ca.pem");
  c.verify = Verify::verify_peer;
  Res<Socket> s = fail(Error::other("not connected"));
  for (int i = 0; i < 100 && !s; ++i) {  // at most 10 s for the server to start
    s = connect("127.0.0.1", port, c, 2s, passive_binary());
    if (!s) std::this_thread::sleep_for(100ms);
  }
  std::string echoed;
  if (s && s->send("ping")) {
    auto r = s->recv(4, 5s);
    if (r) echoed = as_string(r.value());
  }
  const std::string said = as_string(test::read_file(err));
  if (s) (void)s->close();
  ::kill(pid, SIGTERM);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(s) << format_error(s.error()) << "; server said: " << said;
  EXPECT_EQ(echoed, "ping") << said;
}

}  // namespace
}  // namespace essl::crypto
