#include "statemachine/session_cache.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "codecs/wire.hpp"

namespace essl {
namespace {

int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---- Session::to_bytes / from_bytes
//
//   opaque magic[4] = "essl";
//   uint8 format = 1;
//   opaque session_id<0..32>;
//   ProtocolVersion version;
//   CipherSuite cipher_suite;
//   opaque master_secret<48..48>;
//   ASN.1Cert peer_certificates<0..2^24-1>;  (each opaque<1..2^24-1>, leaf first)
//   opaque sni<0..2^16-1>;
//   opaque verify_fingerprint<0..2^16-1>;
//   uint32 created_high; uint32 created_low;  (unix seconds, two's complement)
//   uint8 extended_master_secret;  (format 2 on; format 1 reads as 0)

constexpr uint8_t magic[4] = {'e', 's', 's', 'l'};
constexpr uint8_t format_v1 = 1;
constexpr uint8_t format_v2 = 2;
constexpr size_t max_session_id = 32;    // RFC 5246 7.4.1.2: opaque SessionID<0..32>
constexpr size_t master_secret_len = 48;  // RFC 5246 8.1
constexpr size_t max_vec24 = (1u << 24) - 1;

codec::ByteView text_view(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::string text_of(codec::ByteView b) { return std::string(b.begin(), b.end()); }

bool known_version(uint16_t v) { return v >= uint16_t(Version::sslv3) && v <= uint16_t(Version::tlsv1_2); }

// ---- MemorySessionCache's table

struct Table {
  std::mutex mu;
  std::map<SessionKey, Session> entries;
};

std::shared_ptr<Table> table_of(const std::any& cache) {
  const auto* t = std::any_cast<std::shared_ptr<Table>>(&cache);
  return t ? *t : nullptr;
}

}  // namespace

std::vector<uint8_t> Session::to_bytes() const {
  codec::Bytes out;
  if (!state_) return out;
  const SessionState& s = *state_;
  codec::Writer w(out);
  for (uint8_t b : magic) w.u8(b);
  w.u8(format_v2);
  w.vec8(s.id);
  w.u16(uint16_t(s.version));
  w.u16(s.cipher_suite);
  w.vec8(s.master_secret);
  {
    auto list = w.prefix(3);
    for (const auto& cert : s.peer_certificates) w.vec24(cert);
  }
  w.vec16(text_view(s.sni));
  w.vec16(text_view(s.verify_fingerprint));
  const auto created = static_cast<uint64_t>(s.created_unix);
  w.u32(uint32_t(created >> 32));
  w.u32(uint32_t(created));
  w.u8(s.extended_master_secret ? 1 : 0);
  return out;
}

Res<Session> Session::from_bytes(std::span<const uint8_t> bytes) {
  auto bad = [](const std::string& why) { return fail(Error::other("bad_session: " + why)); };
  codec::Reader r(bytes);
  codec::ByteView m = r.bytes(sizeof magic);
  if (r.failed() || !std::equal(m.begin(), m.end(), magic)) return bad("not an essl session");
  const uint8_t format = r.u8();
  if (format != format_v1 && format != format_v2) return bad("unknown format");
  SessionState s;
  codec::ByteView id = r.vec8(0, max_session_id);
  s.id.assign(id.begin(), id.end());
  const uint16_t version = r.u16();
  s.cipher_suite = r.u16();
  codec::ByteView master = r.vec8(master_secret_len, master_secret_len);
  s.master_secret.assign(master.begin(), master.end());
  codec::Reader certs(r.vec24(0, max_vec24));
  while (!certs.failed() && !certs.empty()) {
    codec::ByteView c = certs.vec24(1, max_vec24);
    s.peer_certificates.emplace_back(c.begin(), c.end());
  }
  certs.finish_into(r);
  s.sni = text_of(r.vec16(0, 0xffff));
  s.verify_fingerprint = text_of(r.vec16(0, 0xffff));
  const uint64_t high = r.u32();
  const uint64_t low = r.u32();
  s.created_unix = static_cast<int64_t>(high << 32 | low);
  if (format >= format_v2) {
    const uint8_t ems = r.u8();
    if (ems > 1) return bad("extended_master_secret flag");
    s.extended_master_secret = ems == 1;
  }
  auto done = r.finish(std::move(s));
  if (!done) return bad(std::string(codec::to_string(done.error())));
  if (!known_version(version)) return bad("unknown version " + std::to_string(version));
  done->version = Version(version);
  return Session(std::make_shared<const SessionState>(std::move(done).value()));
}

// ---- MemorySessionCache

Res<std::any> MemorySessionCache::init(Role, const SessionCacheInitArgs&) {
  return std::any(std::make_shared<Table>());
}

void MemorySessionCache::terminate(const std::any& cache) {
  if (auto t = table_of(cache)) {
    std::lock_guard lock(t->mu);
    t->entries.clear();
  }
}

std::optional<Session> MemorySessionCache::lookup(const std::any& cache, const SessionKey& key) {
  auto t = table_of(cache);
  if (!t) return std::nullopt;
  std::lock_guard lock(t->mu);
  auto it = t->entries.find(key);
  if (it == t->entries.end()) return std::nullopt;
  return it->second;
}

void MemorySessionCache::update(const std::any& cache, const SessionKey& key, const Session& session) {
  if (auto t = table_of(cache)) {
    std::lock_guard lock(t->mu);
    t->entries.insert_or_assign(key, session);
  }
}

void MemorySessionCache::delete_(const std::any& cache, const SessionKey& key) {
  if (auto t = table_of(cache)) {
    std::lock_guard lock(t->mu);
    t->entries.erase(key);
  }
}

std::any MemorySessionCache::foldl(const FoldFun& fun, std::any acc0, const std::any& cache) {
  auto t = table_of(cache);
  if (!t) return acc0;
  std::vector<std::pair<SessionKey, Session>> entries;
  {
    std::lock_guard lock(t->mu);
    entries.assign(t->entries.begin(), t->entries.end());
  }
  // Without the lock: the fun may call back into the cache.
  std::any acc = std::move(acc0);
  for (const auto& [key, session] : entries) acc = fun(key, session, std::move(acc));
  return acc;
}

std::vector<Session> MemorySessionCache::select_session(const std::any& cache, const PartialKey& partial) {
  std::vector<Session> out;
  auto t = table_of(cache);
  if (!t) return out;
  std::lock_guard lock(t->mu);
  // Keys order by partial key first: one contiguous range.
  for (auto it = t->entries.lower_bound(SessionKey{partial, {}});
       it != t->entries.end() && it->first.partial == partial; ++it)
    out.push_back(it->second);
  return out;
}

// ---- SessionStore

SessionStore::SessionStore(Role role, std::shared_ptr<SessionCacheCallback> cb, std::any ref, SessionLimits limits,
                           Clock now)
    : role_(role), cb_(std::move(cb)), ref_(std::move(ref)), limits_(limits), now_(now ? std::move(now) : system_now) {}

Res<std::shared_ptr<SessionStore>> SessionStore::open(Role role, std::shared_ptr<SessionCacheCallback> cb,
                                                      const SessionCacheInitArgs& args, SessionLimits limits,
                                                      Clock now) {
  if (!cb) return fail(Error::options("session_cb", "no callback object"));
  auto ref = cb->init(role, args);
  if (!ref) return fail(ref.error());
  std::shared_ptr<SessionStore> store(
      new SessionStore(role, std::move(cb), std::move(ref).value(), limits, std::move(now)));
  std::unique_lock lock(store->mu_);
  store->count_ = store->count_entries();
  return store;
}

std::shared_ptr<SessionStore> SessionStore::memory(Role role, SessionLimits limits) {
  auto store = open(role, std::make_shared<MemorySessionCache>(), {}, limits);
  return store ? std::move(store).value() : nullptr;
}

bool SessionStore::expired(const SessionState& s) const {
  // As the reference: valid while now - created < lifetime.
  return now_() - s.created_unix >= limits_.lifetime_seconds;
}

size_t SessionStore::count_entries() {
  std::any n = cb_->foldl(
      [](const SessionKey&, const Session&, std::any acc) {
        if (auto* count = std::any_cast<size_t>(&acc)) ++*count;
        return acc;
      },
      std::any(size_t(0)), ref_);
  const auto* count = std::any_cast<size_t>(&n);
  return count ? *count : 0;
}

std::vector<SessionState> SessionStore::select(const PartialKey& partial) {
  std::vector<Session> found;
  {
    std::shared_lock lock(mu_);
    if (terminated_) return {};
    found = cb_->select_session(ref_, partial);
  }
  std::vector<SessionState> out;
  for (const Session& s : found) {
    if (!s.state() || s.state()->id.empty()) continue;
    if (expired(*s.state())) {
      erase(SessionKey{partial, s.state()->id});
      continue;
    }
    out.push_back(*s.state());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const SessionState& a, const SessionState& b) { return a.created_unix > b.created_unix; });
  return out;
}

std::optional<SessionState> SessionStore::lookup(const SessionKey& key) {
  std::optional<Session> found;
  {
    std::shared_lock lock(mu_);
    if (terminated_) return std::nullopt;
    found = cb_->lookup(ref_, key);
  }
  if (!found || !found->state()) return std::nullopt;
  if (expired(*found->state())) {
    erase(key);
    return std::nullopt;
  }
  return *found->state();
}

void SessionStore::update(const SessionKey& key, SessionState s) {
  std::unique_lock lock(mu_);
  if (terminated_) return;
  if (count_ >= limits_.max_entries) {
    // The count may be high (an update that replaced an entry); only a real count invalidates.
    count_ = count_entries();
    if (count_ >= limits_.max_entries) {
      std::any keys = cb_->foldl(
          [](const SessionKey& k, const Session&, std::any acc) {
            if (auto* keys = std::any_cast<std::vector<SessionKey>>(&acc)) keys->push_back(k);
            return acc;
          },
          std::any(std::vector<SessionKey>{}), ref_);
      if (const auto* all = std::any_cast<std::vector<SessionKey>>(&keys))
        for (const SessionKey& k : *all) cb_->delete_(ref_, k);
      count_ = 0;
    }
  }
  s.created_unix = now_();
  cb_->update(ref_, key, Session(std::make_shared<const SessionState>(std::move(s))));
  ++count_;
}

void SessionStore::erase(const SessionKey& key) {
  std::unique_lock lock(mu_);
  if (terminated_) return;
  cb_->delete_(ref_, key);
  if (count_ > 0) --count_;
}

void SessionStore::terminate() {
  std::unique_lock lock(mu_);
  if (terminated_) return;
  terminated_ = true;
  cb_->terminate(ref_);
}

}  // namespace essl
