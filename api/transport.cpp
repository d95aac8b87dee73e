// The transports: TCP and Unix-domain descriptors, the in-memory pipe pair, the prefixed wrapper.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>

#include "api/transports.hpp"

namespace essl {

Result<void, Error> Transport::setopts(const TransportOptions& o) {
  // Passive streams only. The mode is recorded (recv returns bytes either way): a TLS socket made over
  // the transport (the upgrade) takes it as its own, as it does the other options.
  if (o.active && *o.active) return fail(Error::other("einval"));
  if (o.packet && *o.packet != 0) return fail(Error::other("einval"));
  if (o.mode) options_.mode = o.mode;
  if (o.nodelay) options_.nodelay = o.nodelay;
  return {};
}

Res<TransportOptions> Transport::getopts() const { return options_; }

namespace detail {
namespace {

// Reads through `read_one` (one read of up to `want` bytes) until `length` bytes are there (0: one read).
template <class ReadOne>
Res<std::vector<uint8_t>> read_length(size_t length, Timeout timeout, ReadOne read_one) {
  Deadline deadline(timeout);
  std::vector<uint8_t> out;
  constexpr size_t chunk = 65536;
  do {
    size_t want = length == 0 ? chunk : length - out.size();
    size_t at = out.size();
    out.resize(at + want);
    auto n = read_one(std::span<uint8_t>(out.data() + at, want), deadline);
    if (!n) return fail(n.error());
    if (*n == 0) return fail(Error::closed());
    out.resize(at + *n);
  } while (length != 0 && out.size() < length);
  return out;
}

}  // namespace

Result<void, Error> FdTransport::send(std::span<const uint8_t> data) {
  if (!fd_.valid()) return fail(Error::closed());
  return tcp::send_all(fd_.get(), data);
}

Res<std::vector<uint8_t>> FdTransport::recv(size_t length, Timeout timeout) {
  if (!fd_.valid()) return fail(Error::closed());
  return read_length(length, timeout, [this](std::span<uint8_t> buf, const Deadline& d) {
    return tcp::read_some(fd_.get(), buf, d);
  });
}

Result<void, Error> FdTransport::close() {
  fd_.reset();
  return {};
}

Result<void, Error> FdTransport::shutdown(ShutdownHow how) {
  if (!fd_.valid()) return fail(Error::closed());
  if (how != ShutdownHow::read) tcp::shutdown_write(fd_.get());
  if (how != ShutdownHow::write) tcp::shutdown_read(fd_.get());
  return {};
}

Res<Address> FdTransport::peername() const {
  if (!fd_.valid()) return fail(Error::closed());
  return tcp::peername(fd_.get());
}

Res<Address> FdTransport::sockname() const {
  if (!fd_.valid()) return fail(Error::closed());
  return tcp::sockname(fd_.get());
}

Result<void, Error> FdTransport::setopts(const TransportOptions& o) {
  if (auto r = Transport::setopts(o); !r) return r;
  if (o.nodelay && fd_.valid()) tcp::set_nodelay(fd_.get(), *o.nodelay);
  return {};
}

Res<std::vector<uint8_t>> PrefixedTransport::recv(size_t length, Timeout timeout) {
  if (prefix_.empty()) return inner_->recv(length, timeout);
  if (length == 0 || length <= prefix_.size()) {
    size_t n = length == 0 ? prefix_.size() : length;
    std::vector<uint8_t> out(prefix_.begin(), prefix_.begin() + static_cast<std::ptrdiff_t>(n));
    prefix_.erase(prefix_.begin(), prefix_.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
  }
  auto rest = inner_->recv(length - prefix_.size(), timeout);
  if (!rest) return rest;  // the prefix stays for the next call
  std::vector<uint8_t> out = std::move(prefix_);
  prefix_.clear();
  out.insert(out.end(), rest->begin(), rest->end());
  return out;
}

namespace {

class FdListener final : public TransportListener {
 public:
  explicit FdListener(tcp::Fd fd) : fd_(std::move(fd)) {}
  Res<std::unique_ptr<Transport>> accept(Timeout timeout) override {
    if (!fd_.valid()) return fail(Error::closed());
    auto c = tcp::accept(fd_.get(), Deadline(timeout));
    if (!c) return fail(c.error());
    return std::unique_ptr<Transport>(std::make_unique<FdTransport>(std::move(c).value()));
  }
  Res<Address> sockname() const override {
    if (!fd_.valid()) return fail(Error::closed());
    return tcp::sockname(fd_.get());
  }
  void close() override { fd_.reset(); }

 private:
  tcp::Fd fd_;
};

// The state both ends of a pipe share: one byte queue per direction.
struct PipeShared {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<uint8_t> queue[2];   // queue[i]: written by end i, read by the other
  bool write_closed[2] = {};      // end i writes no more
  bool read_closed[2] = {};       // end i reads no more
};

class PipeEnd final : public Transport {
 public:
  PipeEnd(std::shared_ptr<PipeShared> s, int me) : s_(std::move(s)), me_(me) {}
  ~PipeEnd() override { (void)close(); }

  Result<void, Error> send(std::span<const uint8_t> data) override {
    std::lock_guard lock(s_->mu);
    if (closed_ || s_->write_closed[me_]) return fail(Error::closed());
    if (s_->read_closed[1 - me_]) return fail(Error::closed());
    s_->queue[me_].insert(s_->queue[me_].end(), data.begin(), data.end());
    s_->cv.notify_all();
    return {};
  }

  Res<std::vector<uint8_t>> recv(size_t length, Timeout timeout) override {
    std::unique_lock lock(s_->mu);
    auto& q = s_->queue[1 - me_];
    auto ready = [&] {
      return closed_ || s_->read_closed[me_] || s_->write_closed[1 - me_] ||
             (length == 0 ? !q.empty() : q.size() >= length);
    };
    if (!timeout) {
      s_->cv.wait(lock, ready);
    } else {
      auto until = std::chrono::steady_clock::now() + std::max(*timeout, std::chrono::milliseconds(0));
      if (!s_->cv.wait_until(lock, until, ready)) return fail(Error::timeout());
    }
    if (closed_ || s_->read_closed[me_]) return fail(Error::closed());
    if (q.empty() || (length != 0 && q.size() < length)) return fail(Error::closed());
    size_t n = length == 0 ? q.size() : length;
    std::vector<uint8_t> out(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
    q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(n));
    return out;
  }

  Result<void, Error> close() override {
    if (!s_) return {};
    std::lock_guard lock(s_->mu);
    if (closed_) return {};
    closed_ = true;
    s_->write_closed[me_] = s_->read_closed[me_] = true;
    s_->queue[1 - me_].clear();
    s_->cv.notify_all();
    return {};
  }

  Result<void, Error> shutdown(ShutdownHow how) override {
    std::lock_guard lock(s_->mu);
    if (closed_) return fail(Error::closed());
    if (how != ShutdownHow::read) s_->write_closed[me_] = true;
    if (how != ShutdownHow::write) {
      s_->read_closed[me_] = true;
      s_->queue[1 - me_].clear();
    }
    s_->cv.notify_all();
    return {};
  }

  Res<Address> peername() const override { return Address{"pipe", static_cast<uint16_t>(1 - me_)}; }
  Res<Address> sockname() const override { return Address{"pipe", static_cast<uint16_t>(me_)}; }

 private:
  std::shared_ptr<PipeShared> s_;
  int me_;
  bool closed_ = false;  // guarded by s_->mu
};

}  // namespace
}  // namespace detail

Res<std::unique_ptr<TransportListener>> tcp_listen(uint16_t port, const SocketOptions& sock) {
  auto fd = tcp::listen(sock, port);
  if (!fd) return fail(fd.error());
  return std::unique_ptr<TransportListener>(std::make_unique<detail::FdListener>(std::move(fd).value()));
}

Res<std::unique_ptr<Transport>> tcp_connect(const std::string& host, uint16_t port, Timeout timeout,
                                            const SocketOptions& sock) {
  auto fd = tcp::connect(host, port, sock, detail::Deadline(timeout));
  if (!fd) return fail(fd.error());
  return std::unique_ptr<Transport>(std::make_unique<detail::FdTransport>(std::move(fd).value()));
}

Res<std::unique_ptr<TransportListener>> unix_listen(const std::string& path, int backlog) {
  auto fd = tcp::unix_listen(path, backlog);
  if (!fd) return fail(fd.error());
  return std::unique_ptr<TransportListener>(std::make_unique<detail::FdListener>(std::move(fd).value()));
}

Res<std::unique_ptr<Transport>> unix_connect(const std::string& path, Timeout timeout) {
  auto fd = tcp::unix_connect(path, detail::Deadline(timeout));
  if (!fd) return fail(fd.error());
  return std::unique_ptr<Transport>(std::make_unique<detail::FdTransport>(std::move(fd).value()));
}

std::pair<std::unique_ptr<Transport>, std::unique_ptr<Transport>> pipe_pair() {
  auto shared = std::make_shared<detail::PipeShared>();
  return {std::make_unique<detail::PipeEnd>(shared, 0), std::make_unique<detail::PipeEnd>(shared, 1)};
}

}  // namespace essl
