// The SNI, ALPN and NPN options as the hello handlers use them: the checks every Config::make runs on
// them, and the per-host configurations a server switches to when the ClientHello names a host it knows
// (sni_hosts, sni_fun).
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "essl/error.hpp"
#include "essl/options.hpp"
#include "essl/result.hpp"

namespace essl {

struct Config;

// Type and range checks on sni_hosts, sni_fun, the ALPN lists and the NPN options, naming the option:
// empty lists and empty or over-long (> 255 bytes) protocol names are refused; sni_hosts and sni_fun
// exclude each other.
Result<void, Error> check_hello_options(const Options& o);

// A server's configurations per host name. sni_hosts entries are built when the base configuration is
// (so a bad per-host file is an options error at listen time); sni_fun results are built when first
// returned and kept while the fun returns the same options for that name.
class SniConfigs {
 public:
  // Null when the options have neither sni_hosts nor sni_fun. Errors name sni_hosts, the host and the
  // option that failed.
  static Result<std::shared_ptr<SniConfigs>, Error> make(const Config& base);

  // The configuration for `host`: null when the name is unknown (the base options stay in force); an
  // error text when sni_fun's options cannot be loaded or the fun throws.
  Result<std::shared_ptr<const Config>, std::string> lookup(const Config& base, const std::string& host);

 private:
  struct FunEntry {
    SniOptions options;
    std::shared_ptr<const Config> config;
  };
  std::map<std::string, std::shared_ptr<const Config>> hosts_;  // sni_hosts, by lower-case name
  std::mutex mu_;
  std::map<std::string, FunEntry> fun_results_;  // sni_fun, by name as sent
};

}  // namespace essl
