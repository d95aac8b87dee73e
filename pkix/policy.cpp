#include "pkix/policy.hpp"

#include <algorithm>
#include <map>

#include "crypto_glue/x509.hpp"

namespace essl::pkix {
namespace {
constexpr size_t max_nodes = 4096;
const std::string any_policy = x509::oid::any_policy;
}  // namespace

PolicyTree::PolicyTree() { nodes_.push_back(Node{any_policy, {any_policy}, -1, 0, true}); }

void PolicyTree::add(std::string policy, std::set<std::string> expected, int parent) {
  if (nodes_.size() >= max_nodes) {
    overflowed_ = true;
    return;
  }
  nodes_.push_back(Node{std::move(policy), std::move(expected), parent, nodes_[size_t(parent)].depth + 1, true});
}

// A child always comes after its parent in nodes_, so one forward pass reaches a whole subtree.
void PolicyTree::remove_subtree(int node) {
  nodes_[size_t(node)].live = false;
  for (size_t i = size_t(node) + 1; i < nodes_.size(); ++i)
    if (nodes_[i].live && !nodes_[size_t(nodes_[i].parent)].live) nodes_[i].live = false;
}

void PolicyTree::prune(int below_depth) {
  for (int d = below_depth - 1; d >= 0; --d) {
    std::vector<bool> has_child(nodes_.size(), false);
    for (const auto& n : nodes_)
      if (n.live && n.parent >= 0) has_child[size_t(n.parent)] = true;
    for (size_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].live && nodes_[i].depth == d && !has_child[i]) nodes_[i].live = false;
  }
  if (!nodes_[0].live) null_ = true;
}

void PolicyTree::add_certificate(int depth, const std::vector<std::string>& policies, bool any_policy_ok) {
  if (null_) return;
  const size_t existing = nodes_.size();  // nodes of depth `depth - 1` are among these
  auto parents = [&](auto&& f) {
    for (size_t i = 0; i < existing; ++i)
      if (nodes_[i].live && nodes_[i].depth == depth - 1) f(int(i));
  };
  bool has_any = false;
  for (const auto& p : policies) {
    if (p == any_policy) {
      has_any = true;
      continue;
    }
    // (d)(1)(i): each parent that expects P; (ii) otherwise the parent anyPolicy.
    bool matched = false;
    parents([&](int i) {
      if (nodes_[size_t(i)].expected.count(p)) {
        add(p, {p}, i);
        matched = true;
      }
    });
    if (!matched)
      parents([&](int i) {
        if (nodes_[size_t(i)].policy == any_policy) add(p, {p}, i);
      });
  }
  // (d)(2): anyPolicy adds every expected policy not yet present below each parent.
  if (has_any && any_policy_ok) {
    std::set<std::pair<int, std::string>> present;
    for (size_t c = existing; c < nodes_.size(); ++c) present.emplace(nodes_[c].parent, nodes_[c].policy);
    parents([&](int i) {
      const auto expected = nodes_[size_t(i)].expected;
      for (const auto& e : expected)
        if (!present.count({i, e})) add(e, {e}, i);
    });
  }
  prune(depth);  // (d)(3)
}

void PolicyTree::apply_mappings(int depth, const std::vector<std::pair<std::string, std::string>>& mappings,
                                bool mapping_allowed) {
  if (null_) return;
  std::map<std::string, std::set<std::string>> mapped;
  for (const auto& [issuer, subject] : mappings) mapped[issuer].insert(subject);
  for (const auto& [issuer, subjects] : mapped) {
    bool found = false;
    int any_node = -1;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Node& n = nodes_[i];
      if (!n.live || n.depth != depth) continue;
      if (n.policy == issuer) {
        found = true;
        if (mapping_allowed) n.expected = subjects;
        else n.live = false;  // (b)(2)
      } else if (n.policy == any_policy) {
        any_node = int(i);
      }
    }
    // (b)(1): a policy only reached through anyPolicy gets a node of its own beside it.
    if (mapping_allowed && !found && any_node >= 0) add(issuer, subjects, nodes_[size_t(any_node)].parent);
  }
  if (!mapping_allowed) prune(depth);
}

std::vector<std::string> PolicyTree::intersect(int n, const std::vector<std::string>& initial) {
  std::vector<std::string> result;
  if (null_) return result;
  const bool user_any = std::find(initial.begin(), initial.end(), any_policy) != initial.end();
  auto in_initial = [&](const std::string& p) { return std::find(initial.begin(), initial.end(), p) != initial.end(); };
  if (!user_any) {
    // (g)(iii)(1): nodes whose parent is an anyPolicy node.
    std::vector<int> node_set;
    for (size_t i = 1; i < nodes_.size(); ++i)
      if (nodes_[i].live && nodes_[size_t(nodes_[i].parent)].policy == any_policy) node_set.push_back(int(i));
    std::set<std::string> node_set_policies;
    for (int i : node_set) node_set_policies.insert(nodes_[size_t(i)].policy);
    // (2): drop those outside the initial set.
    for (int i : node_set) {
      const Node& node = nodes_[size_t(i)];
      if (node.live && node.policy != any_policy && !in_initial(node.policy)) remove_subtree(i);
    }
    // (3): a leaf anyPolicy stands for each initial policy not otherwise present.
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (!nodes_[i].live || nodes_[i].depth != n || nodes_[i].policy != any_policy) continue;
      const int parent = nodes_[i].parent;
      nodes_[i].live = false;
      for (const auto& p : initial)
        if (!node_set_policies.count(p) && parent >= 0) add(p, {p}, parent);
    }
    prune(n);  // (4)
  }
  if (null_) return result;
  // Each surviving leaf stands for the policy of its ancestor just below anyPolicy: the policy in the
  // trust anchor's domain, before any mapping.
  for (const auto& node : nodes_) {
    if (!node.live || node.depth != n) continue;
    const Node* x = &node;
    while (x->parent >= 0 && nodes_[size_t(x->parent)].policy != any_policy) x = &nodes_[size_t(x->parent)];
    if (std::find(result.begin(), result.end(), x->policy) == result.end()) result.push_back(x->policy);
  }
  if (result.empty()) null_ = true;
  return result;
}

}  // namespace essl::pkix
