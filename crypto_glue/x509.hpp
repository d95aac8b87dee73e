// Plain-data views of X.509 certificates and CRLs (RFC 5280 4 and 5), decoded with Botan's BER decoder,
// and the signature checks path validation needs. Nothing here decides whether a path is valid: pkix/
// does that from these views alone. Malformed input gives an error string; nothing throws out.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "essl/result.hpp"

namespace essl::x509 {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;
using Seconds = int64_t;  // seconds since 1970-01-01T00:00:00Z (UTCTime and GeneralizedTime, years 0..9999)

namespace oid {
inline constexpr const char* any_policy = "2.5.29.32.0";
inline constexpr const char* server_auth = "1.3.6.1.5.5.7.3.1";
inline constexpr const char* client_auth = "1.3.6.1.5.5.7.3.2";
inline constexpr const char* any_eku = "2.5.29.37.0";
inline constexpr const char* email_address = "1.2.840.113549.1.9.1";
inline constexpr const char* common_name = "2.5.4.3";
}  // namespace oid

// One AttributeTypeAndValue of a distinguished name.
struct Attribute {
  std::string type;   // dotted OID
  std::string value;  // the string as UTF-8 (other value types: their DER in hex, prefixed by '#')
  std::string norm;   // RFC 5280 7.1 comparison form: case folded, inner whitespace collapsed, trimmed
};
using Rdn = std::vector<Attribute>;  // sorted by (type, norm): a SET compares without order

// A Name (RDNSequence). Equality is RFC 5280 7.1 name matching on the normalised RDNs.
struct Name {
  Bytes der;  // as encoded
  std::vector<Rdn> rdns;
  bool empty() const { return rdns.empty(); }
  bool operator==(const Name& o) const;
  // The first rdns.size() RDNs of `o` match this name's (directoryName subtrees, RFC 5280 4.2.1.10).
  bool is_prefix_of(const Name& o) const;
  // A name with `rdn` appended (nameRelativeToCRLIssuer).
  Name with(const Rdn& rdn) const;
};

struct GeneralName {
  enum class Type { other, rfc822, dns, x400, directory, edi, uri, ip, registered_id };
  Type type = Type::other;
  std::string text;  // rfc822Name, dNSName, uniformResourceIdentifier (IA5String bytes)
  Name dn;           // directoryName
  Bytes ip;          // iPAddress: 4 or 16 bytes in a name, 8 or 32 (address then mask) in a constraint
  Bytes der;         // the whole GeneralName as encoded
  bool operator==(const GeneralName& o) const;
};

struct BasicConstraints {
  bool ca = false;
  std::optional<uint32_t> path_len;
};

// keyUsage bits (RFC 5280 4.2.1.3), bit n of the BIT STRING as 1 << n.
enum KeyUsageBit : uint16_t {
  ku_digital_signature = 1 << 0,
  ku_non_repudiation = 1 << 1,
  ku_key_encipherment = 1 << 2,
  ku_data_encipherment = 1 << 3,
  ku_key_agreement = 1 << 4,
  ku_key_cert_sign = 1 << 5,
  ku_crl_sign = 1 << 6,
  ku_encipher_only = 1 << 7,
  ku_decipher_only = 1 << 8,
};

struct NameConstraints {
  std::vector<GeneralName> permitted;  // the base of each GeneralSubtree (minimum/maximum are unused)
  std::vector<GeneralName> excluded;
};

struct PolicyConstraints {
  std::optional<uint32_t> require_explicit_policy;
  std::optional<uint32_t> inhibit_policy_mapping;
};

// ReasonFlags bits (RFC 5280 4.2.1.13) as 1 << n; the CRLReason code of a reason is its bit number.
inline constexpr uint16_t all_reasons = 0x01FE;  // keyCompromise (bit 1) .. aACompromise (bit 8)

struct DistributionPoint {
  std::optional<std::vector<GeneralName>> full_name;
  std::optional<Rdn> relative_name;  // nameRelativeToCRLIssuer
  std::optional<uint16_t> reasons;
  std::vector<GeneralName> crl_issuer;
  Bytes der;
};

struct AuthorityKeyId {
  Bytes key_id;                        // empty if absent
  std::vector<GeneralName> issuer;     // authorityCertIssuer
  Bytes serial;                        // authorityCertSerialNumber contents, empty if absent
};

struct Extension {
  std::string oid;
  bool critical = false;
  Bytes value;           // extnValue contents
  bool handled = false;  // path validation processes it itself (no {extension, _} event)
};

struct PublicKeyInfo {
  std::string algorithm;  // dotted OID
  Bytes params;           // the parameters' DER; empty when absent
  Bytes key;              // subjectPublicKey bits
  Bytes der;              // the whole SubjectPublicKeyInfo
  bool params_absent_or_null() const;
};

struct CertView {
  Bytes der;
  int version = 1;  // 1, 2 or 3
  Bytes serial;     // INTEGER contents (two's complement, as encoded)
  std::string signature_algorithm;
  Name issuer, subject;
  Seconds not_before = 0, not_after = 0;
  PublicKeyInfo key;

  std::optional<BasicConstraints> basic_constraints;
  std::optional<uint16_t> key_usage;
  std::optional<std::vector<std::string>> ext_key_usage;
  std::optional<std::vector<GeneralName>> subject_alt_names;
  std::optional<NameConstraints> name_constraints;
  std::optional<std::vector<std::string>> policies;  // policy OIDs (qualifiers are not kept)
  std::optional<std::vector<std::pair<std::string, std::string>>> policy_mappings;  // issuer, subject
  std::optional<PolicyConstraints> policy_constraints;
  std::optional<uint32_t> inhibit_any_policy;
  Bytes subject_key_id;
  std::optional<AuthorityKeyId> authority_key_id;
  std::vector<DistributionPoint> crl_distribution_points;
  std::vector<DistributionPoint> freshest_crl;
  std::vector<Extension> extensions;  // every extension, in the certificate's order

  bool self_issued() const { return subject == issuer; }
  bool is_ca() const { return basic_constraints && basic_constraints->ca; }
};

// One DER certificate, nothing after it. Unknown extensions are kept; a known extension that does not
// decode, or one that appears twice, is an error.
Result<CertView, std::string> parse_certificate(ByteView der);

// Whether `subject`'s signature verifies with `issuer`'s public key. A DSA key without parameters
// takes them from `inherited_params` (RFC 5280 6.1.4 (f)): pass the parameters of the nearest
// certificate above `issuer` that has them.
bool signature_valid(const CertView& subject, const PublicKeyInfo& issuer_key,
                     ByteView inherited_params = {});
bool signature_valid(const CertView& subject, const CertView& issuer);

struct IssuingDistributionPoint {
  std::optional<std::vector<GeneralName>> full_name;
  std::optional<Rdn> relative_name;
  bool only_user_certs = false;
  bool only_ca_certs = false;
  std::optional<uint16_t> only_some_reasons;
  bool indirect_crl = false;
  bool only_attribute_certs = false;
};

struct RevokedEntry {
  Bytes serial;
  Seconds revocation_date = 0;
  std::optional<int> reason;  // CRLReason code
  std::optional<Seconds> invalidity_date;
  // certificateIssuer in force for this entry (it carries over to the entries after it); empty: the
  // CRL's issuer.
  std::vector<GeneralName> certificate_issuer;
  bool unknown_critical_extension = false;
};

struct CrlView {
  Bytes der;
  std::string signature_algorithm;
  Name issuer;
  Seconds this_update = 0;
  std::optional<Seconds> next_update;
  std::vector<RevokedEntry> revoked;
  std::optional<Bytes> crl_number;            // INTEGER contents
  std::optional<Bytes> delta_base_crl_number; // deltaCRLIndicator: this is a delta CRL
  std::optional<IssuingDistributionPoint> idp;
  Bytes authority_key_id;
  std::vector<DistributionPoint> freshest_crl;
  bool unknown_critical_extension = false;    // in the CRL or in one of its entries
};

Result<CrlView, std::string> parse_crl(ByteView der);

// Whether the CRL's signature verifies with the key (parameters inherited as for certificates).
bool crl_signature_valid(const CrlView& crl, const PublicKeyInfo& issuer_key, ByteView inherited_params = {});
bool crl_signature_valid(const CrlView& crl, const CertView& issuer);

// Compares two INTEGER contents as numbers (-1, 0, 1).
int compare_integers(ByteView a, ByteView b);

}  // namespace essl::x509
