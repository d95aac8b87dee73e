// RFC 5280 6.1 path processing, reporting each step to the verify fun (reference-behaviour.md,
// "verify_fun, precisely"): for each certificate from the one below the anchor down to the peer,
//   1. {extension, E} for each extension not processed here ({unknown, _} on a critical one is then
//      reported as {bad_cert, unknown_critical_extension});
//   2. the failing checks, each as {bad_cert, R}: cert_expired, invalid_issuer, name_not_permitted,
//      invalid_signature, then for a CA missing_basic_constraint, max_path_length_reached,
//      invalid_key_usage, then invalid_ext_key_usage, invalid_policy and, for the peer,
//      hostname_check_failed;
//   3. valid (a CA) or valid_peer;
//   4. with CRL checks, {bad_cert, {revoked, R}} or {bad_cert, revocation_status_undetermined}.
// Path-building errors (unknown_ca, selfsigned_peer) come first, with the peer certificate.
#include "pkix/validate.hpp"

#include <algorithm>

#include "crypto_glue/x509.hpp"
#include "pkix/names.hpp"
#include "pkix/path_builder.hpp"
#include "pkix/policy.hpp"
#include "pkix/revocation.hpp"

namespace essl::pkix {
namespace {

using x509::CertView;

const std::string any_policy = x509::oid::any_policy;

// Threads the user state through every call and turns {fail, R} into the result.
class Reporter {
 public:
  explicit Reporter(const VerifyFun& vf)
      : fun_(vf.fun ? vf : default_verify_fun_verify_peer()), state_(fun_.initial_user_state) {}

  // False when the fun failed the validation (failure() then says why).
  bool event(const CertView& cert, const VerifyEvent& ev, VerifyResult* out = nullptr) {
    VerifyResult r;
    try {
      r = fun_.fun(cert.der, ev, state_);
    } catch (...) {
      const auto* bad = std::get_if<BadCert>(&ev);
      r = bad ? VerifyResult::fail(*bad) : VerifyResult::fail(std::string("verify_fun_exception"));
    }
    if (out) *out = r;
    if (r.kind != VerifyResult::Kind::fail) return true;
    if (const auto* bad = std::get_if<BadCert>(&r.reason)) {
      failure_.alert = bad_cert_alert(bad->reason);
      failure_.reason = bad->reason == BadCertReason::revoked ? "{revoked," + bad->revocation_reason + "}"
                                                              : std::string(bad_cert_atom(bad->reason));
    } else if (const auto* text = std::get_if<std::string>(&r.reason)) {
      failure_.alert = AlertDescription::handshake_failure;
      failure_.reason = *text;
    } else {
      failure_.alert = AlertDescription::handshake_failure;
      failure_.reason = "verify_fun_failed";
    }
    return false;
  }
  bool bad(const CertView& cert, BadCertReason reason, std::string revocation_reason = {}) {
    return event(cert, BadCert{reason, std::move(revocation_reason)});
  }
  const Failure& failure() const { return failure_; }
  std::any& state() { return state_; }

 private:
  VerifyFun fun_;
  std::any state_;
  Failure failure_;
};

struct Working {
  const x509::PublicKeyInfo* key = nullptr;  // null: no issuer to check against
  x509::Bytes params;
  const x509::Name* issuer_name = nullptr;
  const CertView* issuer = nullptr;
};

class Validator {
 public:
  Validator(const Request& req, Reporter& rep) : req_(req), rep_(rep) {}

  Result<void, Failure> run();

 private:
  bool setup_path(const CertView& peer);
  bool process(size_t i);
  bool check_policies(const CertView& c, size_t i, bool peer, BadCertReason* fail);
  bool revocation(const CertView& c);
  Result<void, Failure> failed() const { return fail(rep_.failure()); }

  const Request& req_;
  Reporter& rep_;
  x509::Seconds now_ = 0;
  std::vector<CertView> received_, own_anchors_;
  const std::vector<CertView>* anchors_ = &own_anchors_;  // the request's decoded anchors, or own_anchors_
  std::vector<const CertView*> path_;  // below the anchor first, the peer last
  const CertView* anchor_ = nullptr;
  bool top_has_issuer_ = true;         // false: the first certificate has no issuer to check
  bool top_trusted_ = false;           // the peer itself is trusted (an anchor, or by partial_chain)
  Working w_;
  NameConstraintState names_;
  PolicyTree tree_;
  size_t n_ = 0;
  int64_t explicit_policy_ = 0, inhibit_any_ = 0, policy_mapping_ = 0, max_path_ = 0;
  bool policy_reported_ = false;
  std::vector<std::string> user_policies_;
  std::optional<RevocationChecker> crl_;
};

Failure decode_failure() { return Failure{AlertDescription::certificate_unknown, "malformed_certificate"}; }

bool Validator::setup_path(const CertView& peer) {
  const bool peer_trusted =
      std::any_of(anchors_->begin(), anchors_->end(), [&](const CertView& a) { return a.der == peer.der; });
  if (peer_trusted) {  // the peer is itself a trust anchor: nothing above it to check
    path_ = {&peer};
    top_has_issuer_ = false;
    top_trusted_ = true;
    return true;
  }
  BuiltPath built = build_path(peer, received_, *anchors_);
  path_ = built.certs;
  anchor_ = built.anchor;
  if (anchor_) return true;
  std::optional<BadCertReason> reason;
  if (path_.size() == 1 && peer.self_issued()) {
    reason = BadCertReason::selfsigned_peer;
  } else {
    if (req_.partial_chain) {
      std::vector<Der> root_first;
      for (const auto* c : path_) root_first.push_back(c->der);
      std::optional<Der> chosen;
      try {
        chosen = req_.partial_chain(root_first);
      } catch (...) {
        chosen.reset();
      }
      for (size_t k = 0; chosen && k < path_.size(); ++k)
        if (path_[k]->der == *chosen) {
          if (k + 1 == path_.size()) {
            path_ = {path_[k]};
            top_has_issuer_ = false;
            top_trusted_ = true;
          } else {
            anchor_ = path_[k];
            path_.erase(path_.begin(), path_.begin() + long(k) + 1);
          }
          return true;
        }
    }
    reason = BadCertReason::unknown_ca;
  }
  if (!rep_.bad(peer, *reason)) return false;
  // Accepted: the top of the path stands in for the anchor; a lone peer is checked against itself
  // when self-issued and otherwise without an issuer.
  if (path_.size() > 1) {
    anchor_ = path_.front();
    path_.erase(path_.begin());
  } else if (peer.self_issued()) {
    anchor_ = &peer;
  } else {
    top_has_issuer_ = false;
  }
  return true;
}

Result<void, Failure> Validator::run() {
  if (req_.chain.empty()) return fail(Failure{AlertDescription::handshake_failure, "no_peer_certificate"});
  now_ = std::chrono::duration_cast<std::chrono::seconds>(req_.time.time_since_epoch()).count();
  auto peer = x509::parse_certificate(req_.chain.front());
  if (!peer) return fail(decode_failure());
  for (size_t i = 1; i < req_.chain.size(); ++i) {
    auto c = x509::parse_certificate(req_.chain[i]);
    if (!c) return fail(decode_failure());
    const bool dup = c->der == peer->der || std::any_of(received_.begin(), received_.end(),
                                                        [&](const CertView& r) { return r.der == c->der; });
    if (!dup) received_.push_back(std::move(c.value()));
  }
  if (req_.anchor_views) {
    anchors_ = req_.anchor_views.get();
  } else {
    for (const auto& der : req_.anchors)
      if (auto a = x509::parse_certificate(der)) own_anchors_.push_back(std::move(a.value()));
  }

  if (!setup_path(*peer)) return failed();
  n_ = path_.size();
  const auto big = int64_t(n_) + 1;
  explicit_policy_ = req_.initial_explicit_policy ? 0 : big;
  inhibit_any_ = req_.initial_any_policy_inhibit ? 0 : big;
  policy_mapping_ = req_.initial_policy_mapping_inhibit ? 0 : big;
  max_path_ = std::max(0, req_.depth);
  if (anchor_) {
    w_ = Working{&anchor_->key, anchor_->key.params, &anchor_->subject, anchor_};
  }
  if (req_.crl_check != CrlCheck::off) {
    crl_.emplace(req_.crl_cache, req_.crls, now_);
    std::vector<const CertView*> trusted(path_.begin(), path_.end()), others;
    if (anchor_) trusted.push_back(anchor_);
    for (const auto& r : received_) others.push_back(&r);
    for (const auto& a : *anchors_) others.push_back(&a);
    crl_->set_trusted(std::move(trusted));
    crl_->set_others(std::move(others));
  }
  for (size_t i = 0; i < n_; ++i)
    if (!process(i)) return failed();
  if (req_.outcome) req_.outcome->user_constrained_policy_set = user_policies_;
  return {};
}

bool Validator::check_policies(const CertView& c, size_t i, bool peer, BadCertReason* fail) {
  const int depth = int(i) + 1;
  bool ok = true;
  // 6.1.3 (d)-(e).
  if (c.policies) tree_.add_certificate(depth, *c.policies, inhibit_any_ > 0 || (!peer && c.self_issued()));
  else tree_.clear();
  // (f).
  if (explicit_policy_ == 0 && tree_.null()) ok = false;
  if (!peer) {
    // 6.1.4 (a)-(b).
    if (c.policy_mappings) {
      for (const auto& [from, to] : *c.policy_mappings)
        if (from == any_policy || to == any_policy) ok = false;
      if (ok) tree_.apply_mappings(depth, *c.policy_mappings, policy_mapping_ > 0);
    }
    // (h)-(j).
    if (!c.self_issued()) {
      for (auto* v : {&explicit_policy_, &policy_mapping_, &inhibit_any_})
        if (*v > 0) --*v;
    }
    if (c.policy_constraints) {
      if (auto r = c.policy_constraints->require_explicit_policy)
        explicit_policy_ = std::min<int64_t>(explicit_policy_, *r);
      if (auto m = c.policy_constraints->inhibit_policy_mapping)
        policy_mapping_ = std::min<int64_t>(policy_mapping_, *m);
    }
    if (c.inhibit_any_policy) inhibit_any_ = std::min<int64_t>(inhibit_any_, *c.inhibit_any_policy);
  } else {
    // 6.1.5 (a)-(b), (g).
    if (explicit_policy_ > 0) --explicit_policy_;
    if (c.policy_constraints && c.policy_constraints->require_explicit_policy == 0u) explicit_policy_ = 0;
    user_policies_ = tree_.intersect(depth, req_.initial_policy_set);
    if (explicit_policy_ == 0 && user_policies_.empty()) ok = false;
  }
  if (tree_.overflowed()) ok = false;
  if (ok || policy_reported_) return true;
  policy_reported_ = true;
  *fail = BadCertReason::invalid_policy;
  return false;
}

bool Validator::process(size_t i) {
  const CertView& c = *path_[i];
  const bool peer = i + 1 == n_;
  const bool has_issuer = i > 0 || top_has_issuer_;
  // 1. Extensions left to the fun.
  for (const auto& e : c.extensions) {
    if (e.handled) continue;
    VerifyResult r;
    if (!rep_.event(c, ExtensionEvent{e.oid, e.critical, e.value}, &r)) return false;
    if (r.kind == VerifyResult::Kind::unknown && e.critical &&
        !rep_.bad(c, BadCertReason::unknown_critical_extension))
      return false;
  }
  // 2. The checks, in the order the fun sees their failures.
  std::vector<BadCertReason> failures;
  if (now_ < c.not_before || now_ > c.not_after) failures.push_back(BadCertReason::cert_expired);
  if (has_issuer && !(c.issuer == *w_.issuer_name)) failures.push_back(BadCertReason::invalid_issuer);
  if ((!c.self_issued() || peer) && !names_.permits(c)) failures.push_back(BadCertReason::name_not_permitted);
  if (has_issuer && !x509::signature_valid(c, *w_.key, w_.params))
    failures.push_back(BadCertReason::invalid_signature);
  if (!peer) {
    // 6.1.4 (k)-(n).
    if (!c.is_ca()) failures.push_back(BadCertReason::missing_basic_constraint);
    if (!c.self_issued()) {
      if (max_path_ <= 0) failures.push_back(BadCertReason::max_path_length_reached);
      else --max_path_;
    }
    if (c.basic_constraints && c.basic_constraints->path_len)
      max_path_ = std::min<int64_t>(max_path_, *c.basic_constraints->path_len);
    if (c.key_usage && !(*c.key_usage & x509::ku_key_cert_sign)) failures.push_back(BadCertReason::invalid_key_usage);
  }
  if (req_.purpose != Purpose::any && c.ext_key_usage) {
    const std::string want = req_.purpose == Purpose::server_auth ? x509::oid::server_auth : x509::oid::client_auth;
    const auto& eku = *c.ext_key_usage;
    if (std::find(eku.begin(), eku.end(), want) == eku.end() &&
        std::find(eku.begin(), eku.end(), std::string(x509::oid::any_eku)) == eku.end())
      failures.push_back(BadCertReason::invalid_ext_key_usage);
  }
  if (BadCertReason policy{}; !check_policies(c, i, peer, &policy)) failures.push_back(policy);
  if (peer && !req_.hostname.empty() && !hostname_matches(c, req_.hostname))
    failures.push_back(BadCertReason::hostname_check_failed);
  for (auto f : failures)
    if (!rep_.bad(c, f)) return false;
  // 3. The certificate passed (or the fun accepted its failures).
  if (!rep_.event(c, peer ? VerifyEvent{ValidPeer{}} : VerifyEvent{Valid{}})) return false;
  // 4. Revocation.
  if (!revocation(c)) return false;
  // 6.1.4 (c)-(g): prepare for the next certificate.
  if (!peer) {
    const bool same_alg = w_.key && w_.key->algorithm == c.key.algorithm;
    w_.params = c.key.params_absent_or_null() && same_alg ? w_.params : c.key.params;
    w_.key = &c.key;
    w_.issuer_name = &c.subject;
    w_.issuer = &c;
    if (c.name_constraints) names_.add(*c.name_constraints);
  }
  return true;
}

bool Validator::revocation(const CertView& c) {
  if (!crl_ || (req_.crl_check == CrlCheck::peer && &c != path_.back())) return true;
  RevocationStatus st;
  if (w_.issuer) st = crl_->check(c, *w_.issuer, w_.params);
  else if (top_trusted_) return true;  // a trusted certificate with nothing above it
  if (st.kind == RevocationStatus::Kind::revoked)
    return rep_.bad(c, BadCertReason::revoked, crl_reason_atom(st.reason));
  if (st.kind == RevocationStatus::Kind::undetermined && req_.crl_check != CrlCheck::best_effort)
    return rep_.bad(c, BadCertReason::revocation_status_undetermined);
  return true;
}

}  // namespace

Result<void, Failure> validate(const Request& request) {
  Reporter rep(request.verify_fun);
  Validator v(request, rep);
  auto result = v.run();
  if (request.outcome) request.outcome->user_state = rep.state();
  return result;
}

}  // namespace essl::pkix
