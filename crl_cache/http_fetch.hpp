// Fetching a CRL from an http:// distribution point (RFC 5280 4.2.1.13: the URI names a DER CRL, or
// RFC 7468 PEM served as such). libcurl does the HTTP; this file fixes its limits.
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

#include "essl/result.hpp"
#include "essl/verify.hpp"

namespace essl::crl_cache {

struct FetchLimits {
  std::chrono::milliseconds timeout{5000};  // the whole fetch: resolve, connect, redirects, body
  size_t max_body = 10u << 20;              // a larger body is abandoned
  long max_redirects = 3;
};

// GET `uri` over plain HTTP (http:// only, also after redirects; no proxy). The body of a 200 answer,
// or why there is none ("http 404", "timeout", "body larger than 10485760 bytes", ...).
Result<Der, std::string> http_get(const std::string& uri, const FetchLimits& limits);

// True for a URI with the http scheme (any case), the only one fetched.
bool is_http_uri(std::string_view uri);

}  // namespace essl::crl_cache
