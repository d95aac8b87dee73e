// ssl_crl_cache's insert/delete and the internal cache's select/lookup over files and DER, without HTTP.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "crypto_glue/crl_names.hpp"
#include "essl/verify.hpp"
#include "tests/crl_cache/crl_files.hpp"

namespace essl {
namespace {

using test::Bytes;
using test::CrlFiles;
namespace cache = ssl_crl_cache;

class CrlStore : public ::testing::Test {
 protected:
  void SetUp() override { clear(); }
  void TearDown() override { clear(); }
  static void clear() {
    const auto& f = CrlFiles::get();
    ASSERT_TRUE(cache::delete_(std::vector<Der>{f.ca_empty, f.ca_revoked, f.other}).ok());
  }
  static DistributionPoint dp(std::vector<std::string> uris) { return DistributionPoint{std::move(uris), {}, {}}; }
  const CrlFiles& f = CrlFiles::get();
};

TEST_F(CrlStore, ParsesIssuerAndUpdateTimes) {
  auto names = crypto::parse_crl_names(f.ca_empty);
  ASSERT_TRUE(names.ok()) << names.error();
  EXPECT_EQ(names->issuer_dn, f.ca_subject);
  EXPECT_EQ(names->der, f.ca_empty);
  ASSERT_TRUE(names->next_update.has_value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::hours>(*names->next_update - names->this_update).count(), 30 * 24);
  auto other = crypto::parse_crl_names(f.other);
  ASSERT_TRUE(other.ok()) << other.error();
  EXPECT_EQ(other->issuer_dn, f.other_subject);
}

TEST_F(CrlStore, InsertPemFileThenSelectByIssuer) {
  auto cache = cache::internal();
  ASSERT_TRUE(cache::insert(cache::File{f.ca_empty_pem.string()}).ok());
  EXPECT_EQ(cache->select(f.ca_subject), std::vector<Der>{f.ca_empty});
  EXPECT_TRUE(cache->select(f.other_subject).empty());
  EXPECT_TRUE(cache->select(Bytes{0x30, 0x00}).empty());
}

TEST_F(CrlStore, InsertDerFileAndDerList) {
  auto cache = cache::internal();
  ASSERT_TRUE(cache::insert(cache::File{f.ca_revoked_der.string()}).ok());
  ASSERT_TRUE(cache::insert(std::vector<Der>{f.ca_empty, f.other}).ok());
  EXPECT_EQ(cache->select(f.ca_subject), (std::vector<Der>{f.ca_revoked, f.ca_empty}));
  EXPECT_EQ(cache->select(f.other_subject), std::vector<Der>{f.other});
}

TEST_F(CrlStore, PemFileWithSeveralCrlsAndOtherBlocks) {
  auto cache = cache::internal();
  ASSERT_TRUE(cache::insert(cache::File{f.both_pem.string()}).ok());
  EXPECT_EQ(cache->select(f.ca_subject), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(cache->select(f.other_subject), std::vector<Der>{f.other});
}

TEST_F(CrlStore, InsertingTwiceKeepsOneCopy) {
  auto cache = cache::internal();
  ASSERT_TRUE(cache::insert(cache::File{f.ca_empty_pem.string()}).ok());
  ASSERT_TRUE(cache::insert(cache::File{f.ca_empty_der.string()}).ok());
  ASSERT_TRUE(cache::insert(std::vector<Der>{f.ca_empty}).ok());
  EXPECT_EQ(cache->select(f.ca_subject), std::vector<Der>{f.ca_empty});
}

TEST_F(CrlStore, LookupFindsCrlsFiledUnderAnyUriOfTheDistributionPoint) {
  const std::string uri = "http://crl.test/store/ca.crl";
  ASSERT_TRUE(cache::insert(uri, cache::File{f.ca_empty_pem.string()}).ok());
  auto cache = cache::internal();
  EXPECT_EQ(cache->lookup(dp({uri})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(cache->lookup(dp({"ldap://crl.test/cn=x", uri})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(cache->lookup(dp({"  " + uri + "\n"})), std::vector<Der>{f.ca_empty});
  EXPECT_EQ(cache->lookup(dp({"http://crl.test/store/other.crl"})), std::nullopt);  // not_available
  EXPECT_EQ(cache->lookup(dp({})), std::nullopt);
  // Filed under a URI, it is also found by issuer.
  EXPECT_EQ(cache->select(f.ca_subject), std::vector<Der>{f.ca_empty});
  ASSERT_TRUE(cache::delete_(uri).ok());
}

TEST_F(CrlStore, DeleteByUriUnfilesAndDropsWhatIsLeftNowhere) {
  const std::string a = "http://crl.test/store/a.crl", b = "ldap://crl.test/store/b";
  ASSERT_TRUE(cache::insert(a, std::vector<Der>{f.ca_empty, f.other}).ok());
  ASSERT_TRUE(cache::insert(b, std::vector<Der>{f.other}).ok());
  auto cache = cache::internal();
  ASSERT_TRUE(cache::delete_(a).ok());
  EXPECT_EQ(cache->lookup(dp({a})), std::nullopt);
  EXPECT_EQ(cache->lookup(dp({b})), std::vector<Der>{f.other});
  EXPECT_TRUE(cache->select(f.ca_subject).empty());  // only filed under a: gone
  EXPECT_EQ(cache->select(f.other_subject), std::vector<Der>{f.other});
  ASSERT_TRUE(cache::delete_(b).ok());
  EXPECT_TRUE(cache->select(f.other_subject).empty());
}

TEST_F(CrlStore, DeleteByUriKeepsCrlsAlsoInsertedWithoutUri) {
  const std::string uri = "http://crl.test/store/kept.crl";
  ASSERT_TRUE(cache::insert(cache::File{f.ca_empty_der.string()}).ok());
  ASSERT_TRUE(cache::insert(uri, cache::File{f.ca_empty_der.string()}).ok());
  ASSERT_TRUE(cache::delete_(uri).ok());
  auto cache = cache::internal();
  EXPECT_EQ(cache->lookup(dp({uri})), std::nullopt);
  EXPECT_EQ(cache->select(f.ca_subject), std::vector<Der>{f.ca_empty});
}

TEST_F(CrlStore, DeleteByFileAndByDer) {
  const std::string uri = "http://crl.test/store/del.crl";
  ASSERT_TRUE(cache::insert(uri, cache::File{f.both_pem.string()}).ok());
  ASSERT_TRUE(cache::insert(std::vector<Der>{f.ca_revoked}).ok());
  auto cache = cache::internal();
  ASSERT_TRUE(cache::delete_(cache::File{f.other_pem.string()}).ok());
  EXPECT_TRUE(cache->select(f.other_subject).empty());
  EXPECT_EQ(cache->lookup(dp({uri})), std::vector<Der>{f.ca_empty});
  ASSERT_TRUE(cache::delete_(std::vector<Der>{f.ca_empty, f.ca_revoked}).ok());
  EXPECT_TRUE(cache->select(f.ca_subject).empty());
  EXPECT_EQ(cache->lookup(dp({uri})), std::nullopt);
  // Deleting what is not there is not an error.
  EXPECT_TRUE(cache::delete_(std::vector<Der>{f.ca_empty}).ok());
  EXPECT_TRUE(cache::delete_(std::string("http://crl.test/never")).ok());
}

TEST_F(CrlStore, ErrorsNameTheReasonAndInsertNothing) {
  auto missing = cache::insert(cache::File{(f.dir / "no-such.crl").string()});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, Error::Kind::other);
  EXPECT_NE(missing.error().detail.find("no such file"), std::string::npos) << missing.error().detail;
  EXPECT_NE(missing.error().detail.find("no-such.crl"), std::string::npos) << missing.error().detail;

  auto dir = cache::insert(cache::File{f.dir.string()});
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().detail.find("not a regular file"), std::string::npos) << dir.error().detail;

  const auto data = test::source_root() / "tests" / "data";
  auto cert_pem = cache::insert(cache::File{(data / "ca.pem").string()});
  ASSERT_FALSE(cert_pem.ok());
  EXPECT_NE(cert_pem.error().detail.find("no X509 CRL"), std::string::npos) << cert_pem.error().detail;

  auto cert_der = cache::insert(cache::File{(data / "server-dsa.der").string()});
  ASSERT_FALSE(cert_der.ok());
  EXPECT_NE(cert_der.error().detail.find("not a CRL"), std::string::npos) << cert_der.error().detail;

  Der trailing = f.other;
  trailing.push_back(0);
  auto bad_list = cache::insert("http://crl.test/store/bad", std::vector<Der>{f.ca_empty, trailing});
  ASSERT_FALSE(bad_list.ok());
  EXPECT_NE(bad_list.error().detail.find("der element 1"), std::string::npos) << bad_list.error().detail;

  auto empty_uri = cache::insert(" ", std::vector<Der>{f.ca_empty});
  ASSERT_FALSE(empty_uri.ok());
  EXPECT_NE(empty_uri.error().detail.find("empty distribution point URI"), std::string::npos);
  EXPECT_FALSE(cache::delete_(std::string()).ok());

  test::write_text(f.dir / "torn.pem", "-----BEGIN X509 CRL-----\nMIIB\n");
  auto torn = cache::insert(cache::File{(f.dir / "torn.pem").string()});
  ASSERT_FALSE(torn.ok());
  EXPECT_NE(torn.error().detail.find("no END line"), std::string::npos) << torn.error().detail;

  auto c = cache::internal();
  EXPECT_TRUE(c->select(f.ca_subject).empty());
  EXPECT_TRUE(c->select(f.other_subject).empty());
  EXPECT_EQ(c->lookup(dp({"http://crl.test/store/bad"})), std::nullopt);
}

TEST_F(CrlStore, DamagedDerIsRefusedWithoutCrashing) {
  // Every truncation must fail; byte flips may still parse (signatures are checked later) but never crash.
  for (size_t n = 0; n < f.ca_revoked.size(); ++n) {
    const Der cut(f.ca_revoked.begin(), f.ca_revoked.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(cache::insert(std::vector<Der>{cut}).ok()) << "length " << n;
  }
  size_t parsed = 0;
  for (size_t i = 0; i < f.ca_revoked.size(); ++i) {
    Der flipped = f.ca_revoked;
    flipped[i] ^= 0xa5;
    if (crypto::parse_crl_names(flipped).ok()) ++parsed;
  }
  EXPECT_LT(parsed, f.ca_revoked.size());
  EXPECT_TRUE(cache::internal()->select(f.ca_subject).empty());
}

TEST_F(CrlStore, OneStoreForTheWholeProcess) {
  const std::string uri = "http://crl.test/store/shared.crl";
  auto first = cache::internal();
  auto second = cache::internal(std::chrono::milliseconds(100));
  std::thread writer([&] { ASSERT_TRUE(cache::insert(uri, std::vector<Der>{f.other}).ok()); });
  writer.join();
  EXPECT_EQ(first->lookup(dp({uri})), std::vector<Der>{f.other});
  EXPECT_EQ(second->lookup(dp({uri})), std::vector<Der>{f.other});
  EXPECT_EQ(second->select(f.other_subject), std::vector<Der>{f.other});
  ASSERT_TRUE(cache::delete_(uri).ok());
  EXPECT_EQ(first->lookup(dp({uri})), std::nullopt);
}

TEST_F(CrlStore, ConcurrentInsertLookupDelete) {
  constexpr int kThreads = 8, kRounds = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = cache::internal();
      const std::string uri = "http://crl.test/store/t" + std::to_string(t);
      const Der& mine = t % 2 == 0 ? f.ca_empty : f.other;
      for (int i = 0; i < kRounds; ++i) {
        if (!cache::insert(uri, std::vector<Der>{mine}).ok()) ++wrong;
        if (c->lookup(dp({uri})) != std::vector<Der>{mine}) ++wrong;
        if (c->select(t % 2 == 0 ? f.ca_subject : f.other_subject) != std::vector<Der>{mine}) ++wrong;
        if (!cache::delete_(uri).ok()) ++wrong;
        if (c->lookup(dp({uri})).has_value()) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_TRUE(cache::internal()->select(f.ca_subject).empty());
}

TEST_F(CrlStore, FreshCrlWithoutHttpKeepsTheGivenCrls) {
  auto c = cache::internal();
  const std::vector<Der> given{f.ca_empty};
  EXPECT_EQ(c->fresh_crl(dp({"http://127.0.0.1:9/none.crl"}), given), given);
}

}  // namespace
}  // namespace essl
