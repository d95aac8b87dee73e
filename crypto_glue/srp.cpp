// SRP (RFC 5054) over Botan's SRP6 implementation.
#include "crypto_glue/srp.hpp"

#include <botan/bigint.h>
#include <botan/dl_group.h>
#include <botan/hash.h>
#include <botan/numthry.h>
#include <botan/srp6.h>

#include "crypto_glue/botan_glue.hpp"

namespace essl::crypto {
namespace {

constexpr const char* srp_hash = "SHA-1";  // RFC 5054 2.4

std::string group_name(size_t bits) { return "modp/srp/" + std::to_string(bits); }

bool known_bits(size_t bits) {
  for (size_t b : {1024, 1536, 2048, 3072, 4096, 6144, 8192})
    if (b == bits) return true;
  return false;
}

// RFC 5054 2.6 gives S as an integer; TLS implementations send it without leading zero bytes.
Bytes strip(const Botan::SymmetricKey& k) {
  const Botan::secure_vector<uint8_t> b = k.bits_of();
  size_t i = 0;
  while (i + 1 < b.size() && b[i] == 0) ++i;
  return Bytes(b.begin() + static_cast<ptrdiff_t>(i), b.end());
}

class SrpServer final : public KeyAgreement {
 public:
  SrpServer(Botan::BigInt B, std::unique_ptr<Botan::SRP6_Server_Session> s) : B_(std::move(B)), s_(std::move(s)) {}
  Bytes public_value() const override { return Botan::BigInt::encode(B_); }
  Result<Bytes, AlertDescription> agree(ByteView peer) override {
    try {
      //= https://www.rfc-editor.org/rfc/rfc5054#section-2.5.4
      //# The server MUST abort the handshake with an "illegal_parameter"
      //# alert if A % N = 0.
      return strip(s_->step2(Botan::BigInt(peer.data(), peer.size())));
    } catch (...) {
      return fail(AlertDescription::illegal_parameter);
    }
  }

 private:
  Botan::BigInt B_;
  std::unique_ptr<Botan::SRP6_Server_Session> s_;
};

class SrpClient final : public KeyAgreement {
 public:
  SrpClient(std::string user, std::string password, std::string group, Bytes salt, Rng& rng)
      : user_(std::move(user)), password_(std::move(password)), group_(std::move(group)), salt_(std::move(salt)),
        rng_(rng) {}
  Bytes public_value() const override { return A_; }
  Result<Bytes, AlertDescription> agree(ByteView peer) override {
    try {
      //= https://www.rfc-editor.org/rfc/rfc5054#section-2.5.3
      //# The client MUST abort the handshake with an "illegal_parameter"
      //# alert if B % N = 0.
      BotanRng brng(rng_);
      const Botan::BigInt B(peer.data(), peer.size());
      auto [A, S] = Botan::srp6_client_agree(user_, password_, group_, srp_hash, salt_, B, brng);
      A_ = Botan::BigInt::encode(A);
      return strip(S);
    } catch (...) {
      return fail(AlertDescription::illegal_parameter);
    }
  }

 private:
  std::string user_, password_, group_;
  std::vector<uint8_t> salt_;
  Rng& rng_;
  Bytes A_;
};

}  // namespace

std::optional<SrpGroup> srp_group(size_t bits) {
  if (!known_bits(bits)) return std::nullopt;
  try {
    const Botan::DL_Group g(group_name(bits));
    return SrpGroup{Botan::BigInt::encode(g.get_p()), Botan::BigInt::encode(g.get_g())};
  } catch (...) {
    return std::nullopt;
  }
}

Bytes srp_derived_key(const std::string& user, const std::string& password, ByteView salt) {
  auto h = Botan::HashFunction::create_or_throw(srp_hash);
  h->update(user);
  h->update(":");
  h->update(password);
  const Botan::secure_vector<uint8_t> inner = h->final();
  h->update(salt.data(), salt.size());
  h->update(inner);
  return to_bytes(h->final());
}

std::unique_ptr<KeyAgreement> srp_server(size_t group_bits, ByteView derived_key, Rng& rng) {
  if (!known_bits(group_bits) || derived_key.empty()) return nullptr;
  try {
    const std::string name = group_name(group_bits);
    const Botan::DL_Group g(name);
    // v = g^x % N (RFC 5054 2.4) from the spec's DerivedKey x.
    const Botan::BigInt x(derived_key.data(), derived_key.size());
    const Botan::BigInt v = Botan::power_mod(g.get_g(), x, g.get_p());
    auto session = std::make_unique<Botan::SRP6_Server_Session>();
    BotanRng brng(rng);
    Botan::BigInt B = session->step1(v, name, srp_hash, brng);
    return std::make_unique<SrpServer>(std::move(B), std::move(session));
  } catch (...) {
    return nullptr;
  }
}

std::unique_ptr<KeyAgreement> srp_client(const std::string& user, const std::string& password, ByteView N,
                                         ByteView g, ByteView salt, Rng& rng) {
  try {
    // RFC 5054 2.5.3: the client accepts only the groups of appendix A; an unknown (N, g) is
    // insufficient_security.
    const std::string group = Botan::srp6_group_identifier(Botan::BigInt(N.data(), N.size()), Botan::BigInt(g.data(), g.size()));
    if (group.empty()) return nullptr;
    return std::make_unique<SrpClient>(user, password, group, Bytes(salt.begin(), salt.end()), rng);
  } catch (...) {
    return nullptr;
  }
}

}  // namespace essl::crypto
