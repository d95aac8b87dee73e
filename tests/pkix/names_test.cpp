// Name constraint matching for the name forms NIST PKITS covers lightly (dNSName, rfc822Name, URI) or not
// at all (iPAddress), and the intersection of permitted subtrees over several certificates.
#include "pkix/names.hpp"

#include <gtest/gtest.h>

namespace {

using essl::pkix::NameConstraintState;
using essl::pkix::within_subtree;
using essl::x509::GeneralName;
using Type = GeneralName::Type;

GeneralName text(Type t, const std::string& s) {
  GeneralName g;
  g.type = t;
  g.text = s;
  return g;
}

GeneralName ip(std::vector<uint8_t> bytes) {
  GeneralName g;
  g.type = Type::ip;
  g.ip = std::move(bytes);
  return g;
}

TEST(PkixNames, DnsSubtrees) {
  const auto base = text(Type::dns, "example.com");
  EXPECT_TRUE(within_subtree(text(Type::dns, "example.com"), base));
  EXPECT_TRUE(within_subtree(text(Type::dns, "WWW.Example.com"), base));
  EXPECT_TRUE(within_subtree(text(Type::dns, "a.b.example.com."), base));
  EXPECT_FALSE(within_subtree(text(Type::dns, "badexample.com"), base));
  EXPECT_FALSE(within_subtree(text(Type::dns, "example.org"), base));
  const auto below = text(Type::dns, ".example.com");
  EXPECT_FALSE(within_subtree(text(Type::dns, "example.com"), below));
  EXPECT_TRUE(within_subtree(text(Type::dns, "a.example.com"), below));
  EXPECT_TRUE(within_subtree(text(Type::dns, "anything.org"), text(Type::dns, "")));
  EXPECT_FALSE(within_subtree(text(Type::rfc822, "example.com"), base));  // another name form
}

TEST(PkixNames, EmailSubtrees) {
  EXPECT_TRUE(within_subtree(text(Type::rfc822, "user@Example.com"), text(Type::rfc822, "user@example.com")));
  EXPECT_FALSE(within_subtree(text(Type::rfc822, "other@example.com"), text(Type::rfc822, "user@example.com")));
  EXPECT_TRUE(within_subtree(text(Type::rfc822, "a@example.com"), text(Type::rfc822, "example.com")));
  EXPECT_FALSE(within_subtree(text(Type::rfc822, "a@sub.example.com"), text(Type::rfc822, "example.com")));
  EXPECT_TRUE(within_subtree(text(Type::rfc822, "a@sub.example.com"), text(Type::rfc822, ".example.com")));
  EXPECT_FALSE(within_subtree(text(Type::rfc822, "a@example.com"), text(Type::rfc822, ".example.com")));
  EXPECT_FALSE(within_subtree(text(Type::rfc822, "no-at-sign"), text(Type::rfc822, "example.com")));
}

TEST(PkixNames, UriSubtrees) {
  const auto base = text(Type::uri, "example.com");
  EXPECT_TRUE(within_subtree(text(Type::uri, "http://example.com/path"), base));
  EXPECT_TRUE(within_subtree(text(Type::uri, "https://user@EXAMPLE.com:8443/?q#f"), base));
  EXPECT_FALSE(within_subtree(text(Type::uri, "http://www.example.com/"), base));
  EXPECT_FALSE(within_subtree(text(Type::uri, "urn:isbn:0451450523"), base));
  EXPECT_TRUE(within_subtree(text(Type::uri, "ldap://host.example.com/cn=x"), text(Type::uri, ".example.com")));
}

TEST(PkixNames, IpSubtrees) {
  const auto ten = ip({10, 0, 0, 0, 255, 0, 0, 0});
  EXPECT_TRUE(within_subtree(ip({10, 1, 2, 3}), ten));
  EXPECT_FALSE(within_subtree(ip({11, 0, 0, 1}), ten));
  std::vector<uint8_t> v6(32, 0);
  v6[0] = 0x20;
  v6[1] = 0x01;
  for (int i = 16; i < 20; ++i) v6[size_t(i)] = 0xFF;  // 2001::/32
  std::vector<uint8_t> addr(16, 0);
  addr[0] = 0x20;
  addr[1] = 0x01;
  addr[15] = 1;
  EXPECT_TRUE(within_subtree(ip(addr), ip(v6)));
  EXPECT_FALSE(within_subtree(ip({10, 1, 2, 3}), ip(v6)));  // IPv4 name, IPv6 subtree
  EXPECT_FALSE(within_subtree(ip(addr), ten));
}

TEST(PkixNames, PermittedSetsIntersectAndExclusionsAdd) {
  NameConstraintState st;
  st.add({{text(Type::dns, "example.com")}, {}});
  st.add({{text(Type::dns, "www.example.com"), text(Type::rfc822, "example.com")},
          {text(Type::dns, "x.www.example.com")}});
  EXPECT_TRUE(st.permits(text(Type::dns, "www.example.com")));
  EXPECT_TRUE(st.permits(text(Type::dns, "a.www.example.com")));
  EXPECT_FALSE(st.permits(text(Type::dns, "mail.example.com")));  // outside the second set
  EXPECT_FALSE(st.permits(text(Type::dns, "x.www.example.com")));  // excluded
  EXPECT_TRUE(st.permits(text(Type::rfc822, "a@example.com")));
  EXPECT_FALSE(st.permits(text(Type::rfc822, "a@example.org")));
  EXPECT_TRUE(st.permits(text(Type::uri, "http://anywhere.org/")));  // no URI constraints
}

}  // namespace
