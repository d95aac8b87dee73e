// Plain HTTP GET through libcurl with a total deadline, a body cap and a few redirects.
#include "crl_cache/http_fetch.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

namespace essl::crl_cache {
namespace {

struct Body {
  Der data;
  size_t max = 0;
  bool too_large = false;
};

// libcurl's write callback: returning less than it was given aborts the transfer.
size_t on_body(char* ptr, size_t size, size_t nmemb, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t n = size * nmemb;
  if (n > body->max - body->data.size()) {
    body->too_large = true;
    return 0;
  }
  body->data.insert(body->data.end(), ptr, ptr + n);
  return n;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

bool global_init() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] { ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; });
  return ok;
}

}  // namespace

bool is_http_uri(std::string_view uri) {
  constexpr std::string_view scheme = "http://";
  if (uri.size() <= scheme.size()) return false;
  return std::equal(scheme.begin(), scheme.end(), uri.begin(),
                    [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
}

Result<Der, std::string> http_get(const std::string& uri, const FetchLimits& limits) {
  if (!is_http_uri(uri)) return fail(std::string("not an http:// URI"));
  if (uri.find('\0') != std::string::npos) return fail(std::string("bad URI"));
  if (!global_init()) return fail(std::string("libcurl initialisation failed"));
  std::unique_ptr<CURL, EasyDeleter> curl(curl_easy_init());
  if (!curl) return fail(std::string("libcurl: no handle"));
  CURL* c = curl.get();
  Body body;
  body.max = limits.max_body;
  char errbuf[CURL_ERROR_SIZE] = {};
  const long timeout_ms = std::max<long>(1, static_cast<long>(limits.timeout.count()));
  bool set_ok = true;
  auto set = [&](CURLcode rc) { set_ok = set_ok && rc == CURLE_OK; };
  set(curl_easy_setopt(c, CURLOPT_URL, uri.c_str()));
  set(curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http"));
  set(curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http"));
  set(curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L));
  set(curl_easy_setopt(c, CURLOPT_MAXREDIRS, limits.max_redirects));
  set(curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms));
  set(curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms));
  set(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L));  // no SIGALRM: other threads of the process keep running
  set(curl_easy_setopt(c, CURLOPT_PROXY, ""));      // the distribution point itself, never an environment proxy
  set(curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1)));
  set(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(limits.max_body)));
  set(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body));
  set(curl_easy_setopt(c, CURLOPT_WRITEDATA, &body));
  set(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf));
  set(curl_easy_setopt(c, CURLOPT_USERAGENT, "essl"));
  if (!set_ok) return fail(std::string("libcurl: option not supported"));

  const CURLcode rc = curl_easy_perform(c);
  if (body.too_large || rc == CURLE_FILESIZE_EXCEEDED)
    return fail("body larger than " + std::to_string(limits.max_body) + " bytes");
  if (rc == CURLE_OPERATION_TIMEDOUT) return fail(std::string("timeout"));
  if (rc != CURLE_OK) return fail(std::string(errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) return fail("http " + std::to_string(status));
  return std::move(body.data);
}

}  // namespace essl::crl_cache
