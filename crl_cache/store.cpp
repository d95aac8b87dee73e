// The internal CRL store and ssl_crl_cache's insert/delete.
#include "crl_cache/store.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <filesystem>

namespace essl::crl_cache {
namespace {

// Larger files are refused rather than read: a CRL of a big CA is a few MiB.
constexpr std::uintmax_t kMaxFileSize = 64u << 20;

Error crl_error(std::string why) { return Error::other("crl: " + std::move(why)); }

Result<Der, Error> read_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return fail(crl_error("cannot read " + path + ": no such file"));
  if (!fs::is_regular_file(status)) return fail(crl_error("cannot read " + path + ": not a regular file"));
  const auto size = fs::file_size(path, ec);
  if (ec) return fail(crl_error("cannot read " + path + ": " + ec.message()));
  if (size > kMaxFileSize) return fail(crl_error("cannot read " + path + ": larger than 64 MiB"));
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(crl_error("cannot read " + path + ": " + std::strerror(errno)));
  Der data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return fail(crl_error("cannot read " + path + ": read error"));
  return data;
}

}  // namespace

std::string normalise_uri(std::string_view uri) {
  constexpr std::string_view ws = " \t\r\n";
  const size_t first = uri.find_first_not_of(ws);
  if (first == std::string_view::npos) return {};
  const size_t last = uri.find_last_not_of(ws);
  return std::string(uri.substr(first, last - first + 1));
}

Result<std::vector<crypto::CrlNames>, Error> load(const ssl_crl_cache::CrlSource& src) {
  if (const auto* file = std::get_if<ssl_crl_cache::File>(&src)) {
    auto data = read_file(file->path);
    if (!data) return fail(data.error());
    auto crls = crypto::parse_crls(*data);
    if (!crls) return fail(crl_error(file->path + ": " + crls.error()));
    return std::move(crls.value());
  }
  const auto& ders = std::get<std::vector<Der>>(src);
  std::vector<crypto::CrlNames> out;
  out.reserve(ders.size());
  for (size_t i = 0; i < ders.size(); ++i) {
    auto c = crypto::parse_crl_names(ders[i]);
    if (!c) return fail(crl_error("der element " + std::to_string(i) + ": " + c.error()));
    out.push_back(std::move(c.value()));
  }
  return out;
}

Store& Store::instance() {
  static Store store;
  return store;
}

Store::Entry& Store::find_or_add(const crypto::CrlNames& crl) {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.der == crl.der; });
  if (it != entries_.end()) return *it;
  entries_.push_back(Entry{crl.der, crl.issuer_dn, {}, false});
  return entries_.back();
}

void Store::drop_orphans() {
  std::erase_if(entries_, [](const Entry& e) { return e.uris.empty() && !e.unfiled; });
}

void Store::add(const std::vector<crypto::CrlNames>& crls, const std::optional<std::string>& uri) {
  std::lock_guard lock(mu_);
  for (const auto& crl : crls) {
    Entry& e = find_or_add(crl);
    if (!uri) {
      e.unfiled = true;
    } else if (std::find(e.uris.begin(), e.uris.end(), *uri) == e.uris.end()) {
      e.uris.push_back(*uri);
    }
  }
}

void Store::replace(const std::string& uri, const std::vector<crypto::CrlNames>& crls) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_) std::erase(e.uris, uri);
  for (const auto& crl : crls) {
    Entry& e = find_or_add(crl);
    if (std::find(e.uris.begin(), e.uris.end(), uri) == e.uris.end()) e.uris.push_back(uri);
  }
  drop_orphans();
}

void Store::remove_uri(const std::string& uri) {
  std::lock_guard lock(mu_);
  for (auto& e : entries_) std::erase(e.uris, uri);
  drop_orphans();
}

void Store::remove_ders(const std::vector<Der>& ders) {
  std::lock_guard lock(mu_);
  std::erase_if(entries_, [&](const Entry& e) { return std::find(ders.begin(), ders.end(), e.der) != ders.end(); });
}

std::vector<Der> Store::by_uri(const std::string& uri) const {
  std::lock_guard lock(mu_);
  std::vector<Der> out;
  for (const auto& e : entries_)
    if (std::find(e.uris.begin(), e.uris.end(), uri) != e.uris.end()) out.push_back(e.der);
  return out;
}

std::vector<Der> Store::by_issuer(std::span<const uint8_t> issuer_dn) const {
  std::lock_guard lock(mu_);
  std::vector<Der> out;
  for (const auto& e : entries_)
    if (std::equal(e.issuer_dn.begin(), e.issuer_dn.end(), issuer_dn.begin(), issuer_dn.end())) out.push_back(e.der);
  return out;
}

size_t Store::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace essl::crl_cache

namespace essl::ssl_crl_cache {

Result<void, Error> insert(const CrlSource& src) {
  auto crls = crl_cache::load(src);
  if (!crls) return fail(crls.error());
  crl_cache::Store::instance().add(*crls, std::nullopt);
  return {};
}

Result<void, Error> insert(const std::string& uri, const CrlSource& src) {
  const std::string key = crl_cache::normalise_uri(uri);
  if (key.empty()) return fail(Error::other("crl: empty distribution point URI"));
  auto crls = crl_cache::load(src);
  if (!crls) return fail(crls.error());
  crl_cache::Store::instance().add(*crls, key);
  return {};
}

Result<void, Error> delete_(const std::variant<std::string, File, std::vector<Der>>& entries) {
  if (const auto* uri = std::get_if<std::string>(&entries)) {
    const std::string key = crl_cache::normalise_uri(*uri);
    if (key.empty()) return fail(Error::other("crl: empty distribution point URI"));
    crl_cache::Store::instance().remove_uri(key);
    return {};
  }
  std::vector<Der> ders;
  if (const auto* file = std::get_if<File>(&entries)) {
    auto crls = crl_cache::load(CrlSource{*file});
    if (!crls) return fail(crls.error());
    for (auto& c : *crls) ders.push_back(std::move(c.der));
  } else {
    ders = std::get<std::vector<Der>>(entries);
  }
  crl_cache::Store::instance().remove_ders(ders);
  return {};
}

}  // namespace essl::ssl_crl_cache
