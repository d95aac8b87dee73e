#include "pkix/names.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <optional>

namespace essl::pkix {
namespace {

using x509::GeneralName;
using Type = GeneralName::Type;

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

std::string strip_dot(std::string s) {
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// dNSName: "host.example.com" admits the name itself and any name with labels added on the left. A
// leading "." (as some CAs write it) admits only the names below.
bool dns_within(const std::string& name_in, const std::string& base_in) {
  const std::string name = lower(strip_dot(name_in)), base = lower(strip_dot(base_in));
  if (base.empty()) return true;
  if (base[0] == '.') return ends_with(name, base);
  return name == base || ends_with(name, "." + base);
}

// A host (rfc822Name domain part, URI host) against a constraint: "host" exactly, ".host" any below.
bool host_within(const std::string& host_in, const std::string& base_in) {
  const std::string host = lower(strip_dot(host_in)), base = lower(strip_dot(base_in));
  if (base.empty()) return true;
  if (base[0] == '.') return ends_with(host, base);
  return host == base;
}

// rfc822Name: a whole mailbox, all mailboxes on a host, or (".host") all mailboxes below a host.
bool email_within(const std::string& name, const std::string& base) {
  const auto at = name.rfind('@');
  if (at == std::string::npos) return false;
  const std::string local = name.substr(0, at), host = name.substr(at + 1);
  const auto base_at = base.rfind('@');
  if (base_at != std::string::npos)
    return local == base.substr(0, base_at) && lower(host) == lower(base.substr(base_at + 1));
  return host_within(host, base);
}

// The host of a URI with an authority ("scheme://[userinfo@]host[:port]/..."); empty if none.
std::string uri_host(const std::string& uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos) return {};
  std::string auth = uri.substr(scheme_end + 3);
  auth = auth.substr(0, auth.find_first_of("/?#"));
  if (const auto at = auth.rfind('@'); at != std::string::npos) auth = auth.substr(at + 1);
  if (!auth.empty() && auth[0] == '[') return auth.substr(0, auth.find(']') + 1);
  return auth.substr(0, auth.find(':'));
}

bool ip_within(const x509::Bytes& addr, const x509::Bytes& base) {
  if (base.size() != 2 * addr.size() || addr.empty()) return false;
  const size_t n = addr.size();
  for (size_t i = 0; i < n; ++i)
    if ((addr[i] & base[n + i]) != (base[i] & base[n + i])) return false;
  return true;
}

std::vector<GeneralName> names_of(const x509::CertView& cert) {
  std::vector<GeneralName> names;
  if (!cert.subject.empty()) {
    GeneralName dn;
    dn.type = Type::directory;
    dn.dn = cert.subject;
    names.push_back(dn);
  }
  if (cert.subject_alt_names)
    names.insert(names.end(), cert.subject_alt_names->begin(), cert.subject_alt_names->end());
  // RFC 5280 4.2.1.10: rfc822Name constraints apply to emailAddress attributes of the subject too.
  for (const auto& rdn : cert.subject.rdns)
    for (const auto& a : rdn)
      if (a.type == x509::oid::email_address) {
        GeneralName mail;
        mail.type = Type::rfc822;
        mail.text = a.value;
        names.push_back(mail);
      }
  return names;
}

std::optional<x509::Bytes> ip_literal(const std::string& host) {
  unsigned char buf[16];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return x509::Bytes(buf, buf + 4);
  std::string h = host;
  if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (inet_pton(AF_INET6, h.c_str(), buf) == 1) return x509::Bytes(buf, buf + 16);
  return std::nullopt;
}

bool dns_pattern_matches(const std::string& pattern_in, const std::string& host) {
  const std::string pattern = lower(strip_dot(pattern_in));
  if (pattern.empty() || host.empty()) return false;
  if (pattern == host) return true;
  if (pattern.size() < 3 || pattern.compare(0, 2, "*.") != 0) return false;
  const std::string rest = pattern.substr(2);
  if (rest.find('.') == std::string::npos || rest.find('*') != std::string::npos) return false;
  const auto dot = host.find('.');
  return dot != std::string::npos && dot > 0 && host.substr(dot + 1) == rest;
}

}  // namespace

bool within_subtree(const GeneralName& name, const GeneralName& base) {
  if (name.type != base.type) return false;
  switch (name.type) {
    case Type::directory: return base.dn.is_prefix_of(name.dn);
    case Type::dns: return dns_within(name.text, base.text);
    case Type::rfc822: return email_within(name.text, base.text);
    case Type::uri: {
      const std::string host = uri_host(name.text);
      return !host.empty() && host_within(host, base.text);
    }
    case Type::ip: return ip_within(name.ip, base.ip);
    default: return name == base;
  }
}

void NameConstraintState::add(const x509::NameConstraints& nc) {
  if (!nc.permitted.empty()) permitted_.push_back(nc.permitted);
  excluded_.insert(excluded_.end(), nc.excluded.begin(), nc.excluded.end());
}

bool NameConstraintState::permits(const GeneralName& name) const {
  for (const auto& set : permitted_) {
    bool typed = false, inside = false;
    for (const auto& base : set) {
      if (base.type != name.type) continue;
      typed = true;
      if (within_subtree(name, base)) {
        inside = true;
        break;
      }
    }
    if (typed && !inside) return false;
  }
  return std::none_of(excluded_.begin(), excluded_.end(),
                      [&](const GeneralName& base) { return within_subtree(name, base); });
}

bool NameConstraintState::permits(const x509::CertView& cert) const {
  if (permitted_.empty() && excluded_.empty()) return true;
  const auto names = names_of(cert);
  return std::all_of(names.begin(), names.end(), [&](const GeneralName& n) { return permits(n); });
}

bool hostname_matches(const x509::CertView& peer, const std::string& host_in) {
  const std::string host = lower(strip_dot(host_in));
  bool has_dns = false;
  if (const auto ip = ip_literal(host)) {
    if (peer.subject_alt_names)
      for (const auto& n : *peer.subject_alt_names)
        if (n.type == Type::ip && n.ip == *ip) return true;
    return false;
  }
  if (peer.subject_alt_names)
    for (const auto& n : *peer.subject_alt_names)
      if (n.type == Type::dns) {
        has_dns = true;
        if (dns_pattern_matches(n.text, host)) return true;
      }
  if (has_dns) return false;
  for (const auto& rdn : peer.subject.rdns)
    for (const auto& a : rdn)
      if (a.type == x509::oid::common_name && dns_pattern_matches(a.value, host)) return true;
  return false;
}

}  // namespace essl::pkix
