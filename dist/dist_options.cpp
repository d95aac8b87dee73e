// -ssl_dist_opt and -proto_dist (User's Guide 1.4.3-1.4.5): words to the two sides' Options.
#include "dist/dist_options.hpp"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

namespace essl::dist {
namespace {

// A word that starts another flag: erl's init flags (-name) and the emulator's (+K).
bool is_flag(const std::string& w) { return w.size() > 1 && (w[0] == '-' || w[0] == '+'); }

// Socket options of gen_tcp and inet: the distribution sets these itself (User's Guide 1.4.3).
constexpr std::string_view raw_socket_options[] = {
    "packet",         "packet_size",       "size",          "active",        "mode",
    "header",         "binary",            "list",          "buffer",        "recbuf",
    "sndbuf",         "nodelay",           "keepalive",     "reuseaddr",     "send_timeout",
    "send_timeout_close", "delay_send",    "exit_on_close", "tos",           "tclass",
    "priority",       "linger",            "deliver",       "line_delimiter", "high_watermark",
    "low_watermark",  "high_msgq_watermark", "low_msgq_watermark", "ip",    "ifaddr",
    "port",           "fd",                "inet",          "inet6",         "ipv6_v6only",
    "backlog",        "raw",               "show_econnreset", "netns",       "bind_to_device",
    "dontroute",      "local",
};

// SSL options that exist but cannot be written as a word on a command line (funs, lists, binaries) or that
// the distribution does not take from it.
constexpr std::string_view other_ssl_options[] = {
    "verify_fun",          "partial_chain",         "versions",
    "cert",                "key",                   "cacerts",
    "dh",                  "crl_check",             "crl_cache",
    "reuse_session",       "honor_cipher_order",    "padding_check",
    "client_renegotiation", "log_alert",            "server_name_indication",
    "sni_hosts",           "sni_fun",               "alpn_advertised_protocols",
    "alpn_preferred_protocols", "next_protocols_advertised", "client_preferred_next_protocols",
    "user_lookup_fun",     "psk_identity",          "srp_identity",
    "alert_timeout",       "eccs",                  "cb_info",
    "fallback",            "signature_algs",        "beast_mitigation",
};

template <size_t N>
bool among(const std::string_view (&list)[N], std::string_view name) {
  for (auto n : list)
    if (n == name) return true;
  return false;
}

Result<void, Error> set_bool(const std::string& name, const std::string& value, bool& out) {
  if (value == "true") {
    out = true;
  } else if (value == "false") {
    out = false;
  } else {
    return fail(Error::options(name, "expects true or false, got \"" + value + "\""));
  }
  return {};
}

Result<void, Error> set_count(const std::string& name, const std::string& value, const char* what, int& out) {
  int n = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, n);
  if (value.empty() || ec != std::errc{} || ptr != end || n < 0) {
    return fail(Error::options(name, std::string("expects ") + what + ", got \"" + value + "\""));
  }
  out = n;
  return {};
}

Result<void, Error> set_path(const std::string& name, const std::string& value, std::string& out) {
  if (value.empty()) return fail(Error::options(name, "an empty file name"));
  out = value;
  return {};
}

// One name and its value into the side's Options.
Result<void, Error> set_option(const std::string& name, const std::string& value, DistOptions& into) {
  const auto sep = name.find('_');
  const std::string prefix = name.substr(0, sep);
  if (sep == std::string::npos || (prefix != "server" && prefix != "client")) {
    return fail(Error::options(name, "unknown option: a name starts with server_ or client_"));
  }
  const bool server = prefix == "server";
  const std::string opt = name.substr(sep + 1);
  Options& o = server ? into.server : into.client;

  if (opt == "certfile") return set_path(name, value, o.certfile);
  if (opt == "keyfile") return set_path(name, value, o.keyfile);
  if (opt == "cacertfile") return set_path(name, value, o.cacertfile);
  if (opt == "password") {
    o.password = value;
    return {};
  }
  if (opt == "verify") {
    if (value == "verify_peer") {
      o.verify = Verify::verify_peer;
    } else if (value == "verify_none") {
      o.verify = Verify::verify_none;
    } else {
      return fail(Error::options(name, "expects verify_peer or verify_none, got \"" + value + "\""));
    }
    return {};
  }
  if (opt == "reuse_sessions") return set_bool(name, value, o.reuse_sessions);
  if (opt == "secure_renegotiate") return set_bool(name, value, o.secure_renegotiate);
  if (opt == "depth") return set_count(name, value, "an integer 0 or more", o.depth);
  if (opt == "hibernate_after") {
    int ms = 0;
    if (auto r = set_count(name, value, "an integer number of milliseconds 0 or more", ms); !r) return r;
    o.hibernate_after = ms;
    return {};
  }
  if (opt == "ciphers") {
    // The old string format; validate() checks it as for any string `ciphers`.
    o.ciphers = value;
    return {};
  }
  if (opt == "dhfile" || opt == "fail_if_no_peer_cert") {
    if (!server) return fail(Error::options(name, "only the server takes " + opt + " (server_" + opt + ")"));
    if (opt == "dhfile") return set_path(name, value, o.dhfile);
    return set_bool(name, value, o.fail_if_no_peer_cert);
  }
  if (among(raw_socket_options, opt)) {
    return fail(Error::options(name, "raw socket options cannot be given to the distribution"));
  }
  if (among(other_ssl_options, opt)) {
    return fail(Error::options(name, "not available on the command line"));
  }
  return fail(Error::options(name, "unknown option"));
}

// The proto_dist module: inet_tls or inet6_tls (the module name without _dist).
Result<void, Error> set_proto_dist(std::span<const std::string> args, DistOptions& into) {
  if (args.size() != 1) {
    return fail(Error::options("proto_dist", args.empty() ? "a module name is missing (inet_tls or inet6_tls)"
                                                          : "expects one module name (inet_tls or inet6_tls)"));
  }
  if (args[0] == "inet_tls") {
    into.ipv6 = false;
  } else if (args[0] == "inet6_tls") {
    into.ipv6 = true;
  } else {
    return fail(Error::options("proto_dist", "not a TLS distribution module: " + args[0] + " (inet_tls or inet6_tls)"));
  }
  return {};
}

// The words alone, without checking the resulting options.
Result<void, Error> parse_words(std::span<const std::string> words, DistOptions& into) {
  size_t i = 0;
  while (i < words.size()) {
    const std::string& w = words[i];
    if (!is_flag(w)) {  // a plain argument before the first flag
      ++i;
      continue;
    }
    if (w == "-extra") break;  // everything after -extra is plain arguments
    size_t end = i + 1;
    while (end < words.size() && !is_flag(words[end])) ++end;
    auto args = words.subspan(i + 1, end - i - 1);
    if (w == "-ssl_dist_opt") {
      if (args.size() % 2 != 0) {
        return fail(Error::options(args.back(), "a name without its value after -ssl_dist_opt"));
      }
      for (size_t k = 0; k < args.size(); k += 2) {
        if (auto r = set_option(args[k], args[k + 1], into); !r) return r;
      }
    } else if (w == "-proto_dist") {
      if (auto r = set_proto_dist(args, into); !r) return r;
    }
    i = end;
  }
  return {};
}

Result<void, Error> readable(const std::string& name, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return fail(Error::options(name, path + ": a directory"));
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(Error::options(name, path + ": " + std::strerror(errno)));
  std::fclose(f);
  return {};
}

// One side as listen or connect checks it, then its files; errors name the option with the side's prefix.
Result<void, Error> check_side(const char* side, const Options& o) {
  auto prefixed = [side](Error e) {
    if (!e.option.empty()) e.option = std::string(side) + "_" + e.option;
    return e;
  };
  if (auto r = validate(o); !r) return fail(prefixed(r.error()));
  const std::pair<const char*, const std::string*> files[] = {
      {"certfile", &o.certfile}, {"keyfile", &o.keyfile}, {"cacertfile", &o.cacertfile}, {"dhfile", &o.dhfile}};
  for (const auto& [name, path] : files) {
    if (path->empty()) continue;
    if (auto r = readable(std::string(side) + "_" + name, *path); !r) return r;
  }
  return {};
}

Result<void, Error> check(const DistOptions& d) {
  if (auto r = check_side("server", d.server); !r) return r;
  return check_side("client", d.client);
}

}  // namespace

Res<std::vector<std::string>> split_flags(std::string_view flags) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // "" makes a word even though it adds no character
  size_t i = 0;
  const size_t n = flags.size();
  while (i < n) {
    const char c = flags[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\'') {
      const size_t close = flags.find('\'', i + 1);
      if (close == std::string_view::npos) return fail(Error::options("flags", "an unbalanced single quote"));
      word.append(flags.substr(i + 1, close - i - 1));
      in_word = true;
      i = close + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        const char d = flags[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < n) {
          const char e = flags[i + 1];
          if (e == '$' || e == '`' || e == '"' || e == '\\') {
            word.push_back(e);
            i += 2;
            continue;
          }
          if (e == '\n') {  // a line continuation
            i += 2;
            continue;
          }
        }
        word.push_back(d);
        ++i;
      }
      if (!closed) return fail(Error::options("flags", "an unbalanced double quote"));
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= n) return fail(Error::options("flags", "a backslash at the end"));
      if (flags[i + 1] != '\n') {  // backslash-newline continues the line
        word.push_back(flags[i + 1]);
        in_word = true;
      }
      i += 2;
    } else {
      word.push_back(c);
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

Result<void, Error> parse_args(std::span<const std::string> words, DistOptions& into) {
  if (auto r = parse_words(words, into); !r) return r;
  return check(into);
}

Res<DistOptions> parse_args(std::span<const std::string> words) {
  DistOptions d;
  if (auto r = parse_args(words, d); !r) return fail(r.error());
  return d;
}

Res<DistOptions> parse_flags(std::string_view flags) {
  auto words = split_flags(flags);
  if (!words) return fail(words.error());
  return parse_args(*words);
}

Res<DistOptions> from_environment_and_args(std::span<const std::string> words, const char* var) {
  DistOptions d;
  if (const char* value = var ? std::getenv(var) : nullptr; value && *value) {
    auto env_words = split_flags(value);
    if (!env_words) {
      Error e = env_words.error();
      e.option = var;
      return fail(std::move(e));
    }
    // The variable's options alone need not be complete (verify_peer here, cacertfile on the command line).
    if (auto r = parse_words(*env_words, d); !r) return fail(r.error());
  }
  if (auto r = parse_args(words, d); !r) return fail(r.error());
  return d;
}

}  // namespace essl::dist
