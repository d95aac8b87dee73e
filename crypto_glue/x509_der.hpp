// DER, Time, Name, Extensions and SIGNED{} decoding for certificates and CRLs (private to crypto_glue).
#pragma once
#include <botan/ber_dec.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "crypto_glue/x509.hpp"

namespace essl::x509::der {

using Botan::ASN1_Tag;
using Botan::BER_Decoder;
using Botan::BER_Object;

inline constexpr auto universal = Botan::UNIVERSAL;
inline constexpr auto constructed = Botan::CONSTRUCTED;
inline constexpr auto context = Botan::CONTEXT_SPECIFIC;
inline constexpr auto context_cons = ASN1_Tag(Botan::CONTEXT_SPECIFIC | Botan::CONSTRUCTED);

struct Malformed : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void malformed(const std::string& what) { throw Malformed(what); }

inline Bytes contents(const BER_Object& o) { return Bytes(o.bits(), o.bits() + o.length()); }

// The object's DER (tag, length, contents), re-encoded from what the decoder read.
Bytes tlv(const BER_Object& o);

inline BER_Object next(BER_Decoder& d, const char* what) {
  BER_Object o = d.get_next_object();
  if (!o.is_set()) malformed(std::string("missing ") + what);
  return o;
}

inline BER_Object expect(BER_Decoder& d, ASN1_Tag type, ASN1_Tag cls, const char* what) {
  BER_Object o = next(d, what);
  if (!o.is_a(type, cls)) malformed(std::string("unexpected tag for ") + what);
  return o;
}

inline BER_Decoder open(const BER_Object& o) { return BER_Decoder(o.bits(), o.length()); }

// The end of a constructed value: nothing may follow its last field.
inline void finish(BER_Decoder& d, const std::string& what) {
  if (d.more_items()) malformed("trailing data in " + what);
}

// Opens a SEQUENCE, or refuses anything else as "expected WHAT".
inline BER_Decoder open_sequence(const BER_Object& o, const char* what) {
  if (!o.is_a(Botan::SEQUENCE, constructed)) malformed(std::string("expected ") + what);
  return open(o);
}

std::string decode_oid(const BER_Object& o);
std::string read_oid(BER_Decoder& d);

// A non-negative INTEGER (or ENUMERATED / implicitly tagged integer), capped at UINT32_MAX.
uint32_t small_uint(const BER_Object& o);

bool decode_bool(const BER_Object& o);

// BIT STRING contents to flags, bit n as 1 << n.
uint16_t bit_flags(const BER_Object& o);

Bytes bit_string(const BER_Object& o);

// UTCTime or GeneralizedTime (RFC 5280 4.1.2.5) to seconds since the epoch.
Seconds decode_time(const BER_Object& o);

// f(), with anything it throws turned into an error string.
template <class F>
auto guarded(F&& f) -> Result<decltype(f()), std::string> {
  try {
    return f();
  } catch (const std::exception& e) {
    return fail(std::string(e.what()));
  }
}

// ---- names ----

// RFC 5280 7.1 (after RFC 4518): compare case-insensitively with leading, trailing and repeated inner
// white space removed. Case folding covers ASCII; other characters compare exactly.
std::string normalise(const std::string& s);

Rdn decode_rdn(const BER_Object& set);
Name decode_name(const BER_Object& seq);
GeneralName decode_general_name(const BER_Object& o);
std::vector<GeneralName> decode_general_names(const BER_Object& seq);

// ---- extensions and the signed envelope ----

// The [n] EXPLICIT Extensions of a tbsCertificate or tbsCertList, undecoded; duplicates refused.
std::vector<Extension> decode_extensions(const BER_Object& explicit_tag);

std::string algorithm_oid(BER_Decoder& d, Bytes* der_out);

// SIGNED{ToBeSigned}: the outer SEQUENCE's three parts.
struct Signed {
  BER_Object tbs;
  Bytes alg_der;
  std::string alg;
};

Signed decode_signed(ByteView der);

// ---- defined in x509.cpp, shared with CRLs (x509_crl.cpp) ----

void decode_dp_name(const BER_Object& o, std::optional<std::vector<GeneralName>>& full,
                    std::optional<Rdn>& relative);
std::vector<DistributionPoint> decode_dps(BER_Decoder& ext);
AuthorityKeyId decode_aki(BER_Decoder& ext);

// Checks the signature of the SIGNED{} object `der` with `key` (DSA parameters from `inherited` when
// the key has none); false for any failure.
bool verify_envelope(ByteView der, const PublicKeyInfo& key, ByteView inherited);

}  // namespace essl::x509::der
