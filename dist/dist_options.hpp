// The TLS distribution's options as the spec gives them on a command line (User's Guide 1.4.3-1.4.5):
//
//   -proto_dist inet_tls
//   -ssl_dist_opt server_certfile "/home/me/ssl/erlserver.pem"
//   -ssl_dist_opt server_secure_renegotiate true client_secure_renegotiate true
//
// Each -ssl_dist_opt is followed by pairs of a name and its value, up to the next flag (a word starting
// with '-' or '+'); the flag may be repeated any number of times and a later value of an option replaces
// an earlier one. The names are prefixed server_ (connections this node accepts) or client_ (connections
// it initiates):
//   certfile, keyfile, password, cacertfile   file names and the key's password
//   verify                                    verify_peer | verify_none
//   reuse_sessions, secure_renegotiate        true | false
//   depth, hibernate_after                    an integer >= 0 (hibernate_after in milliseconds)
//   ciphers                                   the old OpenSSL-style string, "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384"
// and for the server only: dhfile, fail_if_no_peer_cert (true | false). Raw socket options (packet, size,
// active, ...), the more complex options (verify_fun, ...) and unknown names are refused, naming the option
// as given (server_packet). keyfile defaults to certfile, as everywhere in essl.
//
// -proto_dist inet_tls or inet6_tls chooses the address family; other flags (-sname, -boot, -pa, +K ...)
// are skipped together with their arguments, and -extra ends the flags, as erl does.
//
// The same flags can be given in an environment variable (ERL_FLAGS in the spec, ESSL_DIST_FLAGS here),
// split into words as a Bourne shell does with its quoting ("..." and '...', a backslash outside single
// quotes) but without expanding anything.
//
// After parsing, each side is checked as listen and connect check their options (essl::validate), and the
// files given must be readable: an error names the option with its side (server_certfile, client_ciphers).
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "essl/error.hpp"
#include "essl/options.hpp"

namespace essl::dist {

struct DistOptions {
  essl::Options server;  // for connections this node accepts (the server_ options)
  essl::Options client;  // for connections this node initiates (the client_ options)
  bool ipv6 = false;     // -proto_dist inet6_tls
};

// The words of a command line (argv-like, without the program name, flags in any order): every
// -ssl_dist_opt group and -proto_dist; other flags are skipped.
Res<DistOptions> parse_args(std::span<const std::string> words);
// Adds to `into`, so that the environment and the command line combine (environment first, then the
// command line: a later value wins). `into` as a whole is checked afterwards; on an error it holds what
// was parsed before the bad option.
Result<void, Error> parse_args(std::span<const std::string> words, DistOptions& into);
// A flag string as in the environment variable: split_flags, then parse_args.
Res<DistOptions> parse_flags(std::string_view flags);
// Splits a flag string into words: blanks (space, tab, newline) separate words; '...' keeps everything
// up to the next ' as it is; "..." keeps everything but a backslash before $ ` " \ or a newline; outside
// quotes a backslash keeps the next character. Quoted and unquoted parts next to each other make one word.
// An unbalanced quote or a trailing backslash is an options error naming `flags`.
Res<std::vector<std::string>> split_flags(std::string_view flags);
// The environment variable (ESSL_DIST_FLAGS unless another is named) then `words`; an unset or empty
// variable gives nothing. An error in the variable's words names the option; an unbalanced quote in it
// names the variable.
Res<DistOptions> from_environment_and_args(std::span<const std::string> words, const char* var = "ESSL_DIST_FLAGS");

}  // namespace essl::dist
