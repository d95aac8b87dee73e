// Certificate path validation as the spec exposes it: verify_fun, partial_chain, CRL checks and the CRL
// cache. The names are the spec's:
//
//   {verify_fun, {Fun, InitialUserState}}   -> Options::verify_fun = VerifyFun{fun, initial_user_state}
//   Fun(OtpCert, Event, UserState)          -> fun(cert_der, event, user_state)  (state threaded by reference)
//   Event: {bad_cert, Reason} | {extension, #'Extension'{}} | valid | valid_peer
//                                           -> BadCert | ExtensionEvent | Valid | ValidPeer
//   {valid, S} | {fail, Reason} | {unknown, S} -> VerifyResult::valid() / fail(...) / unknown()
//   {partial_chain, fun(Chain) -> {trusted_ca, Der} | unknown_ca}
//                                           -> PartialChain returning the DER or std::nullopt
//   {crl_check, false | true | peer | best_effort} -> CrlCheck::off / on / peer / best_effort
//   {crl_cache, {Module, {DbHandle, Args}}} -> std::shared_ptr<CrlCache> (null: the internal cache)
//
// Order of the calls (reference-behaviour.md): path-building errors (unknown_ca, selfsigned_peer) first,
// with the peer certificate; then from the certificate just below the trust anchor down to the peer: an
// {extension, Ext} for each extension essl does not process itself, each failing check as
// {bad_cert, Reason} (validity, issuer, name constraints, signature, ...), then valid (a CA) or valid_peer.
// With CRL checks, a certificate may then be reported again with {bad_cert, {revoked, R}} or
// {bad_cert, revocation_status_undetermined}.
#pragma once
#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "essl/alert.hpp"
#include "essl/error.hpp"

namespace essl {

using Der = std::vector<uint8_t>;

// The Reason of {bad_cert, Reason}.
enum class BadCertReason {
  unknown_ca,                      // no trusted anchor found for the chain
  selfsigned_peer,                 // the chain is one self-signed certificate that is not trusted
  cert_expired,                    // outside notBefore..notAfter
  invalid_issuer,                  // issuer name does not chain
  invalid_signature,               // signature does not verify with the issuer's key
  name_not_permitted,              // name constraints
  missing_basic_constraint,        // an issuer that is not a CA
  invalid_key_usage,               // keyUsage forbids certificate signing (or the TLS use)
  invalid_ext_key_usage,           // extendedKeyUsage does not allow the TLS role
  max_path_length_reached,         // more intermediates than `depth` or a pathLenConstraint allows
  unknown_critical_extension,      // a critical extension the fun answered {unknown, _} for
  invalid_policy,                  // RFC 5280 6.1 policy processing left no valid policy
  revoked,                         // {revoked, Reason}: BadCert::revocation_reason holds Reason
  revocation_status_undetermined,  // no usable CRL (crl_check true / peer)
  hostname_check_failed,           // the server's name does not match the host connected to
};
std::string_view bad_cert_atom(BadCertReason r);  // "unknown_ca", "cert_expired", ...

// The alert a failed validation sends (reference-behaviour.md's table).
AlertDescription bad_cert_alert(BadCertReason r);

struct BadCert {
  BadCertReason reason;
  // For `revoked`: the CRL reason atom (unspecified, keyCompromise, cACompromise, affiliationChanged,
  // superseded, cessationOfOperation, certificateHold, removeFromCRL, privilegeWithdrawn, aACompromise).
  std::string revocation_reason;
  std::string text() const;  // "{bad_cert,unknown_ca}", "{bad_cert,{revoked,keyCompromise}}"
};

// {extension, #'Extension'{extnID, critical, extnValue}}
struct ExtensionEvent {
  std::string oid;       // dotted, e.g. "2.5.29.14"
  bool critical = false;
  Der value;             // the extnValue OCTET STRING's contents
};

struct Valid {};      // valid: a CA certificate of the path passed every check
struct ValidPeer {};  // valid_peer: the peer certificate passed every check

using VerifyEvent = std::variant<BadCert, ExtensionEvent, Valid, ValidPeer>;

struct VerifyResult {
  enum class Kind { valid, fail, unknown };
  Kind kind = Kind::valid;
  // fail: either a BadCert (the default funs pass the event's reason on) or the user's own reason.
  std::variant<std::monostate, BadCert, std::string> reason;

  static VerifyResult valid() { return {}; }
  static VerifyResult unknown() { return {Kind::unknown, {}}; }
  static VerifyResult fail(BadCert r) { return {Kind::fail, std::move(r)}; }
  static VerifyResult fail(std::string user_reason) { return {Kind::fail, std::move(user_reason)}; }
};

// The certificate is given as DER (the spec's #'OTPCertificate'{} decoded form has no C++ analogue).
using VerifyFunction =
    std::function<VerifyResult(std::span<const uint8_t> cert_der, const VerifyEvent& event, std::any& user_state)>;

struct VerifyFun {
  VerifyFunction fun;
  std::any initial_user_state;
};

// The spec's defaults. verify_peer: {bad_cert, _} fails, extensions are unknown, valid/valid_peer continue.
// verify_none: {bad_cert, _} continues, critical extensions are accepted, other extensions unknown.
VerifyFun default_verify_fun_verify_peer();
VerifyFun default_verify_fun_verify_none();

// Chain root first; return the DER of the certificate to trust, or std::nullopt for unknown_ca.
using PartialChain = std::function<std::optional<Der>(const std::vector<Der>& chain_root_first)>;

enum class CrlCheck {
  off,          // false (the default)
  on,           // true: every certificate of the path; no usable CRL = revocation_status_undetermined
  peer,         // only the peer certificate
  best_effort,  // every certificate; undetermined status is accepted
};

// #'DistributionPoint'{} reduced to what a cache needs.
struct DistributionPoint {
  std::vector<std::string> uris;  // fullName URIs (http://..., ldap://...)
  Der crl_issuer;                 // cRLIssuer Name DER, empty if absent
  Der der;                        // the whole DistributionPoint DER
};

// ssl_crl_cache_api: plug a CRL store into validation.
class CrlCache {
 public:
  virtual ~CrlCache() = default;
  // lookup(DistributionPoint, DbHandle) -> not_available | CRLs
  virtual std::optional<std::vector<Der>> lookup(const DistributionPoint& dp) = 0;
  // select(Issuer, DbHandle) -> CRLs; `issuer_name` is the issuer Name DER.
  virtual std::vector<Der> select(std::span<const uint8_t> issuer_name) = 0;
  // fresh_crl(DistributionPoint, CRL) -> FreshCRL: called when a CRL is out of date.
  virtual std::vector<Der> fresh_crl(const DistributionPoint& dp, const std::vector<Der>& crls) = 0;
};

// ssl_crl_cache: the internal cache, shared by every connection of the process.
namespace ssl_crl_cache {
// The internal cache as a CrlCache; with `http`, lookup() also fetches http:// distribution points
// (plain HTTP, at most that long per fetch) and keeps what it fetched.
std::shared_ptr<CrlCache> internal(std::optional<std::chrono::milliseconds> http = std::nullopt);

// insert({file, Path} | {der, [Der]}) and insert(URI, ...): add CRLs (PEM or DER files).
struct File {
  std::string path;
};
using CrlSource = std::variant<File, std::vector<Der>>;
Result<void, Error> insert(const CrlSource& src);
Result<void, Error> insert(const std::string& uri, const CrlSource& src);
// delete(Entries): a URI, {file, Path} or {der, [Der]}.
Result<void, Error> delete_(const std::variant<std::string, File, std::vector<Der>>& entries);
}  // namespace ssl_crl_cache

}  // namespace essl
