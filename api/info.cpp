// connection_information/2, connection_info/1 and prf/5: what a connection negotiated and uses.
#include <algorithm>
#include <array>

#include "api/socket_impl.hpp"

namespace essl {
namespace {

constexpr std::array info_items = {
    InfoItem::protocol,
    InfoItem::cipher_suite,
    InfoItem::sni_hostname,
    InfoItem::verify,
    InfoItem::depth,
    InfoItem::fail_if_no_peer_cert,
    InfoItem::crl_check,
    InfoItem::versions,
    InfoItem::ciphers,
    InfoItem::certfile,
    InfoItem::keyfile,
    InfoItem::cacertfile,
    InfoItem::dhfile,
    InfoItem::reuse_sessions,
    InfoItem::secure_renegotiate,
    InfoItem::client_renegotiation,
    InfoItem::honor_cipher_order,
    InfoItem::padding_check,
    InfoItem::fallback,
    InfoItem::log_alert,
    InfoItem::alert_timeout,
    InfoItem::server_name_indication,
    InfoItem::alpn_advertised_protocols,
    InfoItem::alpn_preferred_protocols,
    InfoItem::next_protocols_advertised,
    InfoItem::client_preferred_next_protocols,
    InfoItem::psk_identity,
    InfoItem::srp_identity,
    InfoItem::extended_master_secret,
    InfoItem::encrypt_then_mac,
};

// Why an operation that needs an established connection cannot run (as socket.cpp answers).
Error unusable(const Socket::Impl* s) {
  if (s && s->error) return *s->error;
  if (s && s->open() && !s->engine) return Error::other("not_connected");
  return Error::closed();
}

// An optional value, undefined when empty.
template <class T>
std::optional<InfoValue> defined(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return InfoValue(*v);
}
std::optional<InfoValue> defined(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return InfoValue(s);
}

// One item's value on this connection, std::nullopt when it is undefined there.
std::optional<InfoValue> value_of(InfoItem item, const ConnectionInfo& info, const Config& cfg, Role role) {
  const Options& o = cfg.options;
  switch (item) {
    case InfoItem::protocol: return defined(info.protocol);
    case InfoItem::cipher_suite: return defined(info.cipher_suite);
    case InfoItem::sni_hostname: return defined(info.sni_hostname);
    case InfoItem::verify: return o.verify;
    case InfoItem::depth: return o.depth;
    case InfoItem::fail_if_no_peer_cert: return o.fail_if_no_peer_cert;
    case InfoItem::crl_check: return o.crl_check;
    case InfoItem::versions: return cfg.versions;
    case InfoItem::ciphers: {
      std::vector<SuiteSpec> suites;
      for (const SuiteInfo* s : cfg.suites) suites.push_back(s->spec);
      return suites;
    }
    case InfoItem::certfile: return defined(o.certfile);
    case InfoItem::keyfile: return defined(o.keyfile.empty() ? o.certfile : o.keyfile);
    case InfoItem::cacertfile: return defined(o.cacertfile);
    case InfoItem::dhfile: return defined(o.dhfile);
    case InfoItem::reuse_sessions: return o.reuse_sessions;
    case InfoItem::secure_renegotiate: return o.secure_renegotiate;
    case InfoItem::client_renegotiation: return o.client_renegotiation;
    case InfoItem::honor_cipher_order: return o.honor_cipher_order;
    case InfoItem::padding_check: return o.padding_check;
    case InfoItem::fallback: return o.fallback;
    case InfoItem::log_alert: return o.log_alert;
    case InfoItem::alert_timeout: return defined(o.alert_timeout);
    case InfoItem::server_name_indication:
      // A client's: the name it sends (given, or the host it connected to), or disable.
      if (role != Role::client) return std::nullopt;
      if (std::holds_alternative<DisableSni>(o.server_name_indication)) return DisableSni{};
      if (const auto* name = std::get_if<std::string>(&o.server_name_indication)) return *name;
      return defined(info.sni_hostname);
    case InfoItem::alpn_advertised_protocols: return defined(o.alpn_advertised_protocols);
    case InfoItem::alpn_preferred_protocols: return defined(o.alpn_preferred_protocols);
    case InfoItem::next_protocols_advertised: return defined(o.next_protocols_advertised);
    case InfoItem::client_preferred_next_protocols: return defined(o.client_preferred_next_protocols);
    case InfoItem::psk_identity: return defined(o.psk_identity);
    case InfoItem::srp_identity:
      if (!o.srp_identity) return std::nullopt;
      return o.srp_identity->first;
    case InfoItem::extended_master_secret: return info.extended_master_secret;
    case InfoItem::encrypt_then_mac: return info.encrypt_then_mac;
  }
  return std::nullopt;
}

}  // namespace

const std::span<const InfoItem> all_info_items{info_items};

std::string_view info_item_name(InfoItem item) {
  switch (item) {
    case InfoItem::protocol: return "protocol";
    case InfoItem::cipher_suite: return "cipher_suite";
    case InfoItem::sni_hostname: return "sni_hostname";
    case InfoItem::verify: return "verify";
    case InfoItem::depth: return "depth";
    case InfoItem::fail_if_no_peer_cert: return "fail_if_no_peer_cert";
    case InfoItem::crl_check: return "crl_check";
    case InfoItem::versions: return "versions";
    case InfoItem::ciphers: return "ciphers";
    case InfoItem::certfile: return "certfile";
    case InfoItem::keyfile: return "keyfile";
    case InfoItem::cacertfile: return "cacertfile";
    case InfoItem::dhfile: return "dhfile";
    case InfoItem::reuse_sessions: return "reuse_sessions";
    case InfoItem::secure_renegotiate: return "secure_renegotiate";
    case InfoItem::client_renegotiation: return "client_renegotiation";
    case InfoItem::honor_cipher_order: return "honor_cipher_order";
    case InfoItem::padding_check: return "padding_check";
    case InfoItem::fallback: return "fallback";
    case InfoItem::log_alert: return "log_alert";
    case InfoItem::alert_timeout: return "alert_timeout";
    case InfoItem::server_name_indication: return "server_name_indication";
    case InfoItem::alpn_advertised_protocols: return "alpn_advertised_protocols";
    case InfoItem::alpn_preferred_protocols: return "alpn_preferred_protocols";
    case InfoItem::next_protocols_advertised: return "next_protocols_advertised";
    case InfoItem::client_preferred_next_protocols: return "client_preferred_next_protocols";
    case InfoItem::psk_identity: return "psk_identity";
    case InfoItem::srp_identity: return "srp_identity";
    case InfoItem::extended_master_secret: return "extended_master_secret";
    case InfoItem::encrypt_then_mac: return "encrypt_then_mac";
  }
  return "unknown";
}

std::optional<InfoItem> info_item_named(std::string_view name) {
  for (InfoItem item : info_items)
    if (info_item_name(item) == name) return item;
  return std::nullopt;
}

const InfoValue* find_info(const InfoList& list, InfoItem item) {
  auto it = std::find_if(list.begin(), list.end(), [item](const InfoEntry& e) { return e.item == item; });
  return it == list.end() ? nullptr : &it->value;
}

Res<InfoList> Socket::connection_information(std::span<const InfoItem> items) const {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  const ConnectionInfo info = impl_->engine->info();
  InfoList out;
  for (InfoItem item : items)
    if (auto v = value_of(item, info, *impl_->config, impl_->role)) out.push_back({item, std::move(*v)});
  return out;
}

Res<std::pair<Version, SuiteSpec>> Socket::connection_info() const {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  const ConnectionInfo info = impl_->engine->info();
  if (!info.protocol || !info.cipher_suite) return fail(Error::other("undefined"));
  return std::pair{*info.protocol, *info.cipher_suite};
}

Res<std::vector<uint8_t>> Socket::prf(const PrfSecret& secret, std::string_view label, const std::vector<PrfSeed>& seed,
                                      size_t wanted_length) const {
  if (!impl_ || !impl_->connected()) return fail(unusable(impl_.get()));
  return impl_->engine->prf(secret, label, seed, wanted_length);
}

}  // namespace essl
