#include "pkix/path_builder.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace essl::pkix {
namespace {

using x509::CertView;

constexpr size_t max_path_certs = 24;
constexpr int max_expansions = 512;
// Signature checks only rank candidates; past this many, the remaining candidates rank as unverified.
constexpr int max_signature_checks = 256;

struct Candidate {
  const CertView* cert;
  bool anchor;
  std::tuple<bool, int, bool> rank;  // signature verifies, key identifier match (2/1/0), is an anchor
};

class Builder {
 public:
  Builder(const std::vector<CertView>& received, const std::vector<CertView>& anchors)
      : received_(received), anchors_(anchors), used_(received.size(), false), is_anchor_(received.size(), false) {
    for (size_t i = 0; i < received.size(); ++i)
      is_anchor_[i] =
          std::any_of(anchors.begin(), anchors.end(), [&](const CertView& a) { return a.der == received[i].der; });
  }

  BuiltPath run(const CertView& peer) {
    path_.push_back(&peer);
    best_.certs = path_;
    search();
    std::reverse(best_.certs.begin(), best_.certs.end());
    return best_;
  }

 private:
  bool signs(const CertView* subject, const CertView* issuer) {
    auto key = std::make_pair(subject, issuer);
    auto it = sig_cache_.find(key);
    if (it != sig_cache_.end()) return it->second;
    if (++signature_checks_ > max_signature_checks) return false;
    return sig_cache_[key] = x509::signature_valid(*subject, *issuer);
  }

  static int key_id_match(const CertView& subject, const CertView& issuer) {
    if (!subject.authority_key_id || subject.authority_key_id->key_id.empty() || issuer.subject_key_id.empty())
      return 1;
    return subject.authority_key_id->key_id == issuer.subject_key_id ? 2 : 0;
  }

  std::vector<Candidate> candidates(const CertView& c) {
    std::vector<Candidate> out;
    auto consider = [&](const CertView* issuer, bool anchor) {
      if (!(issuer->subject == c.issuer)) return;
      out.push_back({issuer, anchor, {signs(&c, issuer), key_id_match(c, *issuer), anchor}});
    };
    for (const auto& a : anchors_) consider(&a, true);
    for (size_t i = 0; i < received_.size(); ++i)
      if (!used_[i] && !is_anchor_[i] && &received_[i] != &c) consider(&received_[i], false);
    std::stable_sort(out.begin(), out.end(), [](const Candidate& x, const Candidate& y) { return x.rank > y.rank; });
    return out;
  }

  // True once a path to an anchor is in best_.
  bool search() {
    const CertView& c = *path_.back();
    for (const auto& cand : candidates(c)) {
      if (cand.anchor) {
        best_.certs = path_;
        best_.anchor = cand.cert;
        return true;
      }
      if (path_.size() >= max_path_certs || ++expansions_ > max_expansions) break;
      const size_t idx = size_t(cand.cert - received_.data());
      used_[idx] = true;
      path_.push_back(cand.cert);
      if (path_.size() > best_.certs.size()) best_.certs = path_;
      if (search()) return true;
      path_.pop_back();
      used_[idx] = false;
    }
    return false;
  }

  const std::vector<CertView>& received_;
  const std::vector<CertView>& anchors_;
  std::vector<bool> used_;
  std::vector<bool> is_anchor_;  // received certificates that are trust anchors themselves
  int signature_checks_ = 0;
  std::vector<const CertView*> path_;
  BuiltPath best_;
  int expansions_ = 0;
  std::map<std::pair<const CertView*, const CertView*>, bool> sig_cache_;
};

}  // namespace

BuiltPath build_path(const CertView& peer, const std::vector<CertView>& received,
                     const std::vector<CertView>& anchors) {
  return Builder(received, anchors).run(peer);
}

}  // namespace essl::pkix
