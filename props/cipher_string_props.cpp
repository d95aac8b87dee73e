// OpenSSL-format cipher strings: any input gives a list or an error (never a crash), a list has no
// duplicates and only table suites, and the operators do what they say on generated strings.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "essl/suites.hpp"

namespace essl {
namespace {

const std::vector<std::string>& words() {
  static const std::vector<std::string> w = [] {
    std::vector<std::string> out = {"ALL",  "DEFAULT", "COMPLEMENTOFDEFAULT", "HIGH", "MEDIUM", "LOW",   "aNULL",
                                    "kRSA", "aRSA",    "RSA",  "kEDH", "DHE",    "ECDHE", "ECDH",  "kECDH",
                                    "aECDSA", "DSS",   "PSK",  "kDHEPSK", "SRP", "aSRP",  "RC4",   "DES",
                                    "3DES", "AES",     "AES128", "AES256", "AESGCM", "MD5", "SHA1", "SHA256",
                                    "SHA384", "TLSv1.2", "SSLv3", "CHACHA20", "eNULL"};
    for (const SuiteInfo& s : all_suites()) {
      out.emplace_back(s.openssl);
      out.emplace_back(s.erlang);
    }
    return out;
  }();
  return w;
}

rc::Gen<std::string> item() {
  return rc::gen::apply(
      [](const std::string& prefix, const std::vector<std::string>& terms) {
        std::string out = prefix;
        for (size_t i = 0; i < terms.size(); ++i) out += (i ? "+" : "") + terms[i];
        return out;
      },
      // Mostly plain additions of one term, so that most strings select something.
      rc::gen::weightedElement<std::string>({{6, ""}, {1, "!"}, {1, "-"}, {1, "+"}}),
      rc::gen::mapcat(rc::gen::weightedElement<size_t>({{4, 1}, {1, 2}}), [](size_t n) {
        return rc::gen::container<std::vector<std::string>>(n, rc::gen::elementOf(words()));
      }));
}

rc::Gen<std::string> cipher_string() {
  const auto command = rc::gen::element<std::string>("@STRENGTH", "@SECLEVEL=0");
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(*rc::gen::inRange<size_t>(1, 6),
                                                                   rc::gen::weightedOneOf<std::string>(
                                                                       {{6, item()}, {1, command}})),
                      [](const std::vector<std::string>& items) {
                        std::string out;
                        for (size_t i = 0; i < items.size(); ++i) out += (i ? ":" : "") + items[i];
                        return out;
                      });
}

void check_list(const std::vector<const SuiteInfo*>& list) {
  RC_ASSERT(!list.empty());
  std::set<const SuiteInfo*> seen(list.begin(), list.end());
  RC_ASSERT(seen.size() == list.size());
  for (const SuiteInfo* s : list) RC_ASSERT(find_suite(s->id) == s);
}

RC_GTEST_PROP(CipherStringProps, ArbitraryBytesNeverCrash, ()) {
  const std::string text = *rc::gen::arbitrary<std::string>();
  auto r = parse_cipher_string(text);
  if (r.ok()) {
    check_list(r.value());
    RC_TAG("list");
  } else {
    RC_ASSERT(!r.error().empty());
  }
}

RC_GTEST_PROP(CipherStringProps, GeneratedStringsGiveValidLists, ()) {
  const std::string text = *cipher_string();
  auto r = parse_cipher_string(text);
  if (r.ok()) {
    check_list(r.value());
  } else {
    RC_ASSERT(r.error().find("no cipher suite selected") != std::string::npos);
    RC_TAG("empty");
  }
}

// X:!Y never holds a suite Y selects; X:+Y is X reordered; X:@STRENGTH is X sorted by bits, stably.
RC_GTEST_PROP(CipherStringProps, Operators, ()) {
  const std::string x = *cipher_string();
  const std::string y = *rc::gen::elementOf(words());
  auto base = parse_cipher_string(x);
  RC_PRE(base.ok());
  RC_CLASSIFY(base->size() > 1, "several suites");
  auto sel = parse_cipher_string(y);
  std::set<const SuiteInfo*> selected;
  if (sel.ok()) selected.insert(sel->begin(), sel->end());

  auto killed = parse_cipher_string(x + ":!" + y + ":" + y);
  if (killed.ok())
    for (const SuiteInfo* s : killed.value()) RC_ASSERT(!selected.count(s));

  auto moved = parse_cipher_string(x + ":+" + y);
  RC_ASSERT(moved.ok());
  RC_ASSERT(std::is_permutation(moved->begin(), moved->end(), base->begin(), base->end()));
  bool in_tail = false;
  for (const SuiteInfo* s : moved.value()) {
    if (selected.count(s)) in_tail = true;
    else RC_ASSERT(!in_tail);
  }

  auto strong = parse_cipher_string(x + ":@STRENGTH");
  RC_ASSERT(strong.ok());
  std::vector<const SuiteInfo*> want = base.value();
  std::stable_sort(want.begin(), want.end(), [](const SuiteInfo* a, const SuiteInfo* b) {
    return cipher_bits(a->spec.cipher) > cipher_bits(b->spec.cipher);
  });
  RC_ASSERT(strong.value() == want);
}

}  // namespace
}  // namespace essl
