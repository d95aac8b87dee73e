#include "statemachine/session_cache.hpp"

#include <chrono>

namespace essl {
namespace {

int64_t now_unix() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

MemorySessionCache::MemorySessionCache(int64_t lifetime_seconds, size_t max_entries)
    : lifetime_(lifetime_seconds), max_(max_entries) {}

std::optional<Session> MemorySessionCache::lookup(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now_unix() - it->second.created_unix > lifetime_) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void MemorySessionCache::store(const std::string& key, const Session& s) {
  std::lock_guard lock(mu_);
  if (max_ == 0) return;
  if (entries_.size() >= max_ && !entries_.count(key)) {
    // Full: drop the oldest entry.
    auto oldest = entries_.begin();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
      if (it->second.created_unix < oldest->second.created_unix) oldest = it;
    entries_.erase(oldest);
  }
  entries_[key] = s;
}

void MemorySessionCache::erase(const std::string& key) {
  std::lock_guard lock(mu_);
  entries_.erase(key);
}

}  // namespace essl
