// load_app_config: the application environment from a `name = value` file (ESSL_CONFIG) and from
// ESSL_<NAME> variables, over what set_app_config gave.
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>

#include "essl/ssl.hpp"

extern char** environ;

namespace essl {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The parts of `s` between any of `separators`, trimmed, empty ones left out.
std::vector<std::string> split(std::string_view s, std::string_view separators) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find_first_of(separators, start);
    if (end == std::string_view::npos) end = s.size();
    if (auto part = trim(s.substr(start, end - start)); !part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

Result<int64_t, Error> integer(const std::string& name, const std::string& value) {
  int64_t n = 0;
  const char* end = value.data() + value.size();
  auto [p, ec] = std::from_chars(value.data(), end, n);
  if (ec != std::errc() || p != end || value.empty()) return fail(Error::options(name, "not an integer: " + value));
  return n;
}

// Sets one parameter of `config` from its text.
Result<void, Error> apply(AppConfig& config, const std::string& name, const std::string& value) {
  using std::chrono::milliseconds;
  if (name == "protocol_version") {
    std::vector<Version> versions;
    for (const auto& atom : split(value, ", \t")) {
      auto v = version_from_atom(atom);
      if (!v) return fail(Error::options(name, "unknown version " + atom));
      versions.push_back(*v);
    }
    config.protocol_version = std::move(versions);
    return {};
  }
  if (name == "session_cb_init_args") {
    SessionCacheInitArgs args;
    for (const auto& pair : split(value, ",")) {
      auto eq = pair.find('=');
      if (eq == std::string::npos) return fail(Error::options(name, "not name=value: " + pair));
      args.emplace_back(trim(std::string_view(pair).substr(0, eq)), trim(std::string_view(pair).substr(eq + 1)));
    }
    config.session_cb_init_args = std::move(args);
    return {};
  }
  const std::map<std::string, void (*)(AppConfig&, int64_t)> integers = {
      {"ssl_pem_cache_clean", [](AppConfig& c, int64_t n) { c.ssl_pem_cache_clean = milliseconds(n); }},
      {"session_lifetime", [](AppConfig& c, int64_t n) { c.session_lifetime = std::chrono::seconds(n); }},
      {"session_cache_client_max", [](AppConfig& c, int64_t n) { c.session_cache_client_max = n; }},
      {"session_cache_server_max", [](AppConfig& c, int64_t n) { c.session_cache_server_max = n; }},
      {"alert_timeout", [](AppConfig& c, int64_t n) { c.alert_timeout = milliseconds(n); }},
  };
  auto setter = integers.find(name);
  if (setter == integers.end()) return fail(Error::options(name, "not an application configuration parameter"));
  auto n = integer(name, value);
  if (!n) return fail(n.error());
  setter->second(config, *n);
  return {};
}

bool known(const std::string& name) {
  AppConfig scratch;
  auto r = apply(scratch, name, "0");
  return r || r.error().detail != "not an application configuration parameter";
}

}  // namespace

Result<void, Error> load_app_config(const std::string& file, const std::vector<std::string>& environment) {
  AppConfig config = app_config();
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return fail(Error::options("ESSL_CONFIG", "cannot read " + file));
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      line = trim(std::string_view(line).substr(0, line.find('#')));
      if (line.empty()) continue;
      auto eq = line.find('=');
      if (eq == std::string::npos)
        return fail(Error::options("ESSL_CONFIG", file + ":" + std::to_string(number) + ": not name = value: " + line));
      if (auto r = apply(config, trim(std::string_view(line).substr(0, eq)), trim(std::string_view(line).substr(eq + 1)));
          !r)
        return r;
    }
  }
  // ESSL_SESSION_LIFETIME -> session_lifetime; the variables override the file.
  constexpr std::string_view prefix = "ESSL_";
  for (const auto& entry : environment) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || entry.compare(0, prefix.size(), prefix) != 0) continue;
    std::string name = entry.substr(prefix.size(), eq - prefix.size());
    for (char& ch : name) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (!known(name)) continue;
    if (auto r = apply(config, name, trim(std::string_view(entry).substr(eq + 1))); !r) return r;
  }
  return set_app_config(config);
}

Result<void, Error> load_app_config() {
  std::vector<std::string> environment;
  for (char** e = environ; e && *e; ++e) environment.emplace_back(*e);
  const char* file = std::getenv("ESSL_CONFIG");
  return load_app_config(file ? file : "", environment);
}

}  // namespace essl
