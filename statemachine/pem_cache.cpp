// The PEM cache: path -> contents plus the file identity they were read with.
#include "statemachine/pem_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

namespace essl::pem_cache {
namespace {

using Clock = std::chrono::steady_clock;

// What identifies one version of a file: a rewrite in place changes the size or the modification time,
// a replacement by rename changes the inode.
struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  bool operator==(const Identity&) const = default;
};

Identity identity_of(const struct stat& st) {
  return {st.st_dev, st.st_ino, st.st_size, static_cast<int64_t>(st.st_mtim.tv_sec),
          static_cast<int64_t>(st.st_mtim.tv_nsec)};
}

struct Entry {
  Contents contents;
  Identity identity;
  Clock::time_point checked;  // when the identity was last compared with the file
  Clock::time_point used;     // when a read last returned this entry
};

std::mutex mu;
std::map<std::string, Entry> entries;
std::chrono::milliseconds interval = default_clean_interval;
Clock::time_point last_sweep;
std::atomic<uint64_t> reads{0};

std::string errno_text(int e) {
  switch (e) {
    case ENOENT: return "no such file";
    case EACCES: return "permission denied";
    case EISDIR: return "a directory, not a file";
    default: return std::strerror(e);
  }
}

Result<struct stat, std::string> stat_file(const std::string& path) {
  if (path.find('\0') != std::string::npos) return fail(std::string("a path with a NUL byte"));
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail(errno_text(errno));
  if (S_ISDIR(st.st_mode)) return fail(errno_text(EISDIR));
  if (!S_ISREG(st.st_mode)) return fail(std::string("not a regular file"));
  if (static_cast<uint64_t>(st.st_size) > max_file_size) return fail(std::string("larger than 16 MiB"));
  return st;
}

// Reads the whole file; the identity is taken from the open descriptor so that it describes the bytes
// read even if the file is replaced meanwhile.
Result<std::pair<Contents, Identity>, std::string> load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return fail(errno_text(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) > max_file_size) {
    const bool regular = S_ISREG(st.st_mode);
    ::close(fd);
    return fail(std::string(regular ? "larger than 16 MiB" : "not a regular file"));
  }
  auto bytes = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < bytes->size()) {
    const ssize_t n = ::read(fd, bytes->data() + got, bytes->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      return fail(errno_text(e));
    }
    if (n == 0) break;  // shrunk while reading: keep what is there
    got += static_cast<size_t>(n);
  }
  bytes->resize(got);
  ::close(fd);
  ++reads;
  return std::make_pair(Contents(std::move(bytes)), identity_of(st));
}

// Entries nobody read for this many intervals are dropped, so that files named once do not stay for
// ever; the next read of such a file goes to the file system again.
constexpr int idle_intervals = 10;

void sweep(Clock::time_point now) {
  if (now - last_sweep < interval) return;
  last_sweep = now;
  for (auto it = entries.begin(); it != entries.end();)
    it = now - it->second.used > idle_intervals * interval ? entries.erase(it) : std::next(it);
}

}  // namespace

Result<Contents, std::string> read(const std::string& path) {
  std::lock_guard lock(mu);
  const Clock::time_point now = Clock::now();
  sweep(now);
  auto it = entries.find(path);
  if (it != entries.end() && now - it->second.checked < interval) {
    it->second.used = now;
    return it->second.contents;
  }
  auto st = stat_file(path);
  if (!st) {
    if (it != entries.end()) entries.erase(it);
    return fail(st.error());
  }
  if (it != entries.end() && it->second.identity == identity_of(st.value())) {
    it->second.checked = now;
    it->second.used = now;
    return it->second.contents;
  }
  auto loaded = load(path);
  if (!loaded) {
    if (it != entries.end()) entries.erase(it);
    return fail(loaded.error());
  }
  entries[path] = Entry{loaded->first, loaded->second, now, now};
  return loaded->first;
}

void clear() {
  std::lock_guard lock(mu);
  entries.clear();
}

void set_clean_interval(std::chrono::milliseconds i) {
  std::lock_guard lock(mu);
  interval = i < std::chrono::milliseconds::zero() ? std::chrono::milliseconds::zero() : i;
}

std::chrono::milliseconds clean_interval() {
  std::lock_guard lock(mu);
  return interval;
}

uint64_t file_reads() { return reads.load(); }

}  // namespace essl::pem_cache
