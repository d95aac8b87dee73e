// SNI, ALPN and NPN options: their checks, the merge of per-host overrides, and the per-host
// configurations of a server.
#include "statemachine/hello_options.hpp"

#include <algorithm>
#include <cctype>

#include "statemachine/config.hpp"

namespace essl {
namespace {

// RFC 7301 3.1: opaque ProtocolName<1..2^8-1>; ProtocolName protocol_name_list<2..2^16-1>.
constexpr size_t max_protocol_name = 255;
constexpr size_t max_protocol_list = 0xffff;
// sni_fun results kept at most (names are chosen by clients; only those the fun knows are kept).
constexpr size_t max_fun_results = 256;

Result<void, Error> check_name(const std::string& option, const std::string& name) {
  if (name.empty()) return fail(Error::options(option, "empty protocol name"));
  if (name.size() > max_protocol_name)
    return fail(Error::options(option, "protocol name longer than 255 bytes: " + name.substr(0, 32) + "..."));
  return {};
}

Result<void, Error> check_list(const std::string& option, const std::optional<std::vector<std::string>>& list) {
  if (!list) return {};
  if (list->empty()) return fail(Error::options(option, "empty protocol list"));
  size_t encoded = 0;
  for (const std::string& n : *list) {
    if (auto r = check_name(option, n); !r) return r;
    encoded += 1 + n.size();
  }
  if (encoded > max_protocol_list) return fail(Error::options(option, "protocol list longer than 65535 bytes"));
  return {};
}

std::string lower(std::string s) {
  for (char& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// A per-host configuration: the base options with the host's over them, loaded like any other.
Result<std::shared_ptr<const Config>, Error> host_config(const Config& base, const SniOptions& host) {
  Options merged = merge_sni_options(base.options, host);
  merged.sni_hosts.clear();
  merged.sni_fun = nullptr;
  auto made = Config::make(Role::server, merged, base.session_cache);
  if (!made) return fail(made.error());
  return std::move(made).value();
}

Error nested(const std::string& host, const Error& e) {
  return Error::options("sni_hosts", host + ": " + e.option + ": " + e.detail);
}

}  // namespace

Options merge_sni_options(const Options& base, const SniOptions& h) {
  Options o = base;
  if (h.cert || h.certfile) {
    o.cert = h.cert.value_or(std::vector<uint8_t>{});
    o.certfile = h.certfile.value_or("");
  }
  if (h.key || h.keyfile) {
    o.key = h.key;
    o.keyfile = h.keyfile.value_or("");
  }
  if (h.password) o.password = *h.password;
  if (h.cacerts || h.cacertfile) {
    o.cacerts = h.cacerts.value_or(std::vector<std::vector<uint8_t>>{});
    o.cacertfile = h.cacertfile.value_or("");
  }
  if (h.verify) o.verify = *h.verify;
  if (h.fail_if_no_peer_cert) o.fail_if_no_peer_cert = *h.fail_if_no_peer_cert;
  if (h.depth) o.depth = *h.depth;
  if (h.dh || h.dhfile) {
    o.dh = h.dh.value_or(std::vector<uint8_t>{});
    o.dhfile = h.dhfile.value_or("");
  }
  if (h.ciphers) o.ciphers = *h.ciphers;
  if (h.versions) o.versions = *h.versions;
  if (h.honor_cipher_order) o.honor_cipher_order = *h.honor_cipher_order;
  if (h.alpn_preferred_protocols) o.alpn_preferred_protocols = h.alpn_preferred_protocols;
  if (h.next_protocols_advertised) o.next_protocols_advertised = h.next_protocols_advertised;
  return o;
}

Result<void, Error> check_hello_options(const Options& o) {
  if (auto r = check_list("alpn_advertised_protocols", o.alpn_advertised_protocols); !r) return r;
  if (auto r = check_list("alpn_preferred_protocols", o.alpn_preferred_protocols); !r) return r;
  if (auto r = check_list("next_protocols_advertised", o.next_protocols_advertised); !r) return r;
  if (const auto& p = o.client_preferred_next_protocols) {
    const std::string name = "client_preferred_next_protocols";
    if (p->precedence != NextProtocolPreference::Precedence::client &&
        p->precedence != NextProtocolPreference::Precedence::server)
      return fail(Error::options(name, "precedence must be client or server"));
    if (auto r = check_list(name, p->protocols); !r) return r;
    if (p->default_protocol)
      if (auto r = check_name(name, *p->default_protocol); !r) return r;
  }
  if (!o.sni_hosts.empty() && o.sni_fun)
    return fail(Error::options("sni_fun", "sni_hosts and sni_fun are mutually exclusive"));
  for (const auto& [host, opts] : o.sni_hosts) {
    if (host.empty()) return fail(Error::options("sni_hosts", "empty host name"));
    if (auto r = check_list("alpn_preferred_protocols", opts.alpn_preferred_protocols); !r)
      return fail(nested(host, r.error()));
    if (auto r = check_list("next_protocols_advertised", opts.next_protocols_advertised); !r)
      return fail(nested(host, r.error()));
    if (opts.depth && *opts.depth < 0) return fail(nested(host, Error::options("depth", "must be 0 or more")));
  }
  return {};
}

Result<std::shared_ptr<SniConfigs>, Error> SniConfigs::make(const Config& base) {
  const Options& o = base.options;
  if (o.sni_hosts.empty() && !o.sni_fun) return std::shared_ptr<SniConfigs>();
  auto s = std::make_shared<SniConfigs>();
  for (const auto& [host, opts] : o.sni_hosts) {
    std::string key = lower(host);
    if (s->hosts_.count(key)) return fail(Error::options("sni_hosts", host + ": listed twice"));
    auto cfg = host_config(base, opts);
    if (!cfg) return fail(nested(host, cfg.error()));
    s->hosts_.emplace(std::move(key), std::move(cfg).value());
  }
  return s;
}

Result<std::shared_ptr<const Config>, std::string> SniConfigs::lookup(const Config& base, const std::string& host) {
  if (!base.options.sni_fun) {
    auto it = hosts_.find(lower(host));
    return it == hosts_.end() ? nullptr : it->second;
  }
  std::optional<SniOptions> opts;
  try {
    opts = base.options.sni_fun(host);
  } catch (...) {
    return fail(std::string("sni_fun threw"));
  }
  if (!opts) return std::shared_ptr<const Config>();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = fun_results_.find(host); it != fun_results_.end() && it->second.options == *opts)
    return it->second.config;
  if (auto r = check_hello_options(merge_sni_options(base.options, *opts)); !r)
    return fail("sni_fun: " + r.error().option + ": " + r.error().detail);
  auto cfg = host_config(base, *opts);
  if (!cfg) return fail("sni_fun: " + cfg.error().option + ": " + cfg.error().detail);
  if (fun_results_.size() >= max_fun_results) fun_results_.clear();
  fun_results_[host] = FunEntry{*opts, cfg.value()};
  return std::move(cfg).value();
}

}  // namespace essl
