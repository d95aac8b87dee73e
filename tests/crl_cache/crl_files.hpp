// CRLs for the CRL cache tests, made once per run with `openssl ca` from the test CAs in tests/data:
// an empty CRL of the test root CA, one of the same CA revoking server-rsa.pem, and an empty one of the
// unrelated CA; each as PEM and DER files in a temporary folder removed at exit.
#pragma once
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace essl::test {

using Bytes = std::vector<uint8_t>;

inline Bytes read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_text(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

inline std::filesystem::path source_root() {
  const char* root = std::getenv("ESSL_SOURCE_ROOT");
  if (root == nullptr) throw std::runtime_error("ESSL_SOURCE_ROOT is not set (meson test sets it)");
  return root;
}

class CrlFiles {
 public:
  // The one set of the run; throws with a clear message when openssl is missing or fails.
  static const CrlFiles& get() {
    static const CrlFiles files;
    return files;
  }

  std::filesystem::path dir;
  std::filesystem::path ca_empty_pem, ca_empty_der, ca_revoked_pem, ca_revoked_der, other_pem, other_der;
  std::filesystem::path both_pem;  // ca_empty and other in one PEM file, with a certificate between them
  Bytes ca_empty, ca_revoked, other;  // DER
  Bytes ca_subject, other_subject;    // issuer Name DER of each CA, from `openssl x509 -outform DER`

  ~CrlFiles() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

 private:
  CrlFiles() {
    if (std::system("command -v openssl >/dev/null 2>&1") != 0)
      throw std::runtime_error("openssl is not installed: the CRL tests make their CRLs with `openssl ca`");
    std::string tmpl = (std::filesystem::temp_directory_path() / "essl-crl-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir = tmpl;
    const auto data = source_root() / "tests" / "data";
    make_ca("ca", data / "ca.pem", data / "ca-key.pem");
    make_ca("other", data / "other-ca.pem", data / "other-ca-key.pem");
    run("openssl ca -config ca.cnf -gencrl -out ca-empty.crl.pem");
    run("openssl ca -config ca.cnf -revoke '" + (data / "server-rsa.pem").string() +
        "' -crl_reason keyCompromise");
    run("openssl ca -config ca.cnf -gencrl -out ca-revoked.crl.pem");
    run("openssl ca -config other.cnf -gencrl -out other.crl.pem");
    for (const char* name : {"ca-empty", "ca-revoked", "other"})
      run(std::string("openssl crl -in ") + name + ".crl.pem -outform DER -out " + name + ".crl.der");
    ca_empty_pem = dir / "ca-empty.crl.pem";
    ca_empty_der = dir / "ca-empty.crl.der";
    ca_revoked_pem = dir / "ca-revoked.crl.pem";
    ca_revoked_der = dir / "ca-revoked.crl.der";
    other_pem = dir / "other.crl.pem";
    other_der = dir / "other.crl.der";
    ca_empty = read_bytes(ca_empty_der);
    ca_revoked = read_bytes(ca_revoked_der);
    other = read_bytes(other_der);
    both_pem = dir / "both.crl.pem";
    const Bytes a = read_bytes(ca_empty_pem), cert = read_bytes(data / "ca.pem"), b = read_bytes(other_pem);
    write_text(both_pem, std::string(a.begin(), a.end()) + "some text\n" + std::string(cert.begin(), cert.end()) +
                             std::string(b.begin(), b.end()));
    ca_subject = subject_der(data / "ca.pem");
    other_subject = subject_der(data / "other-ca.pem");
  }

  void run(const std::string& cmd) const {
    const std::string full = "cd '" + dir.string() + "' && " + cmd + " >>openssl.log 2>&1";
    if (std::system(full.c_str()) != 0) {
      const Bytes log = read_bytes(dir / "openssl.log");
      throw std::runtime_error("openssl failed: " + cmd + "\n" + std::string(log.begin(), log.end()));
    }
  }

  void make_ca(const std::string& name, const std::filesystem::path& cert, const std::filesystem::path& key) const {
    std::filesystem::create_directory(dir / name);
    write_text(dir / name / "index.txt", "");
    write_text(dir / name / "crlnumber", "01\n");
    write_text(dir / (name + ".cnf"),
               "[ ca ]\ndefault_ca = d\n[ d ]\ndir = " + (dir / name).string() +
                   "\ndatabase = $dir/index.txt\ncrlnumber = $dir/crlnumber\ncertificate = " + cert.string() +
                   "\nprivate_key = " + key.string() + "\ndefault_md = sha256\ndefault_crl_days = 30\n");
  }

  // The subject Name of a certificate, cut out of its DER by a tiny walk of the TBSCertificate.
  Bytes subject_der(const std::filesystem::path& cert) const {
    const auto out = dir / "subject.der";
    run("openssl x509 -in '" + cert.string() + "' -outform DER -out subject.der");
    const Bytes der = read_bytes(out);
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version, serial, signature, issuer, validity,
    // subject, ... } }: skip headers and elements with DER lengths.
    size_t at = 0;
    auto header = [&](size_t& len) {
      if (at + 2 > der.size()) throw std::runtime_error("short certificate");
      ++at;  // tag
      const uint8_t first = der[at++];
      if (first < 0x80) {
        len = first;
        return;
      }
      const size_t n = first & 0x7f;
      len = 0;
      for (size_t i = 0; i < n; ++i) len = len << 8 | der.at(at++);
    };
    size_t len = 0;
    header(len);  // Certificate
    header(len);  // tbsCertificate
    auto skip = [&] {
      size_t l = 0;
      header(l);
      at += l;
    };
    skip();  // [0] version
    skip();  // serialNumber
    skip();  // signature
    skip();  // issuer
    skip();  // validity
    const size_t start = at;
    skip();  // subject
    return Bytes(der.begin() + static_cast<std::ptrdiff_t>(start), der.begin() + static_cast<std::ptrdiff_t>(at));
  }
};

}  // namespace essl::test
