// The valid_policy_tree of RFC 5280 6.1 and the steps that grow, map, prune and intersect it.
#pragma once
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace essl::pkix {

class PolicyTree {
 public:
  PolicyTree();  // 6.1.2 (a): one node, anyPolicy, at depth 0

  bool null() const { return null_; }
  // More nodes than validation allows (policy mappings can make a tree grow exponentially).
  bool overflowed() const { return overflowed_; }

  // 6.1.3 (d) for certificate `depth` (1 = just below the anchor) with its certificatePolicies.
  // `any_policy_ok`: inhibit_anyPolicy > 0, or the certificate is a self-issued intermediate.
  void add_certificate(int depth, const std::vector<std::string>& policies, bool any_policy_ok);
  // 6.1.3 (e): no certificatePolicies extension.
  void clear() { null_ = true; }
  // 6.1.4 (b) for certificate `depth`'s policyMappings (issuerDomainPolicy, subjectDomainPolicy).
  void apply_mappings(int depth, const std::vector<std::pair<std::string, std::string>>& mappings,
                      bool mapping_allowed);
  // 6.1.5 (g): intersects the tree (of depth n) with the user's initial policy set; returns the
  // valid policies at depth n (the user-constrained policy set).
  std::vector<std::string> intersect(int n, const std::vector<std::string>& initial_policy_set);

 private:
  struct Node {
    std::string policy;
    std::set<std::string> expected;
    int parent = -1;
    int depth = 0;
    bool live = true;
  };
  void add(std::string policy, std::set<std::string> expected, int parent);
  void remove_subtree(int node);
  void prune(int below_depth);  // removes childless nodes above the given depth, repeatedly

  std::vector<Node> nodes_;
  bool null_ = false;
  bool overflowed_ = false;
};

}  // namespace essl::pkix
