// EventServer and EventClient: one epoll loop, non-blocking descriptors, one Engine per connection.
#include "essl/event.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <unordered_map>
#include <vector>

#include "api/app.hpp"
#include "api/logger.hpp"
#include "api/tcp.hpp"
#include "statemachine/engine.hpp"

namespace essl {
namespace detail {
namespace {

using Clock = std::chrono::steady_clock;

// epoll_event.data of the two descriptors that are not connections (connection ids count up from 1).
constexpr uint64_t wake_tag = UINT64_MAX;
constexpr uint64_t listen_tag = UINT64_MAX - 1;
// One read takes at most this much; a connection gets a few reads per wake-up, then the others go first.
constexpr size_t read_chunk = 64 * 1024;
constexpr int reads_per_event = 4;
constexpr int accepts_per_event = 64;
// After EMFILE/ENFILE the listen socket is left alone this long instead of waking the loop again at once.
constexpr std::chrono::milliseconds accept_pause{100};

Res<Address> address_of(const sockaddr_storage& ss) {
  char text[INET6_ADDRSTRLEN] = {};
  Address a;
  if (ss.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(ss);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    a.port = ntohs(v4.sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(ss);
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) ::inet_ntop(AF_INET, &v6.sin6_addr.s6_addr[12], text, sizeof text);
    else ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    a.port = ntohs(v6.sin6_port);
  } else {
    return fail(Error::transport("unknown address family"));
  }
  a.ip = text;
  return a;
}

}  // namespace

// A list of connections in the order of their last activity (the front was idle longest).
struct IdleList {
  struct EventConn* head = nullptr;
  struct EventConn* tail = nullptr;
};

struct EventConn {
  enum class State {
    connecting,   // client: TCP connect under way
    handshaking,
    open,         // on_open called
    closing,      // our close_notify or fatal alert is being written; then the write half is shut
    lingering,    // waiting (alert_timeout at most) for the peer to close; reads are discarded
    gone,         // descriptor closed; removed once on_closed has been called
  };

  explicit EventConn(EventLoop& l) : loop(l), pub(this) {}

  EventLoop& loop;
  Connection pub;
  uint64_t id = 0;
  tcp::Fd fd;
  std::unique_ptr<Engine> engine;
  Address peer;
  State state = State::handshaking;
  uint32_t events = EPOLLIN;  // what epoll watches for it now
  bool dirty = false;     // in the loop's list of connections to flush
  bool reported = false;  // on_closed queued or called
  // Idle handling: the loop's idle list this connection is in (least recently active first), its place.
  Clock::time_point active;  // the last read, write or send
  EventConn* idle_prev = nullptr;
  EventConn* idle_next = nullptr;
  struct IdleList* idle_in = nullptr;
  bool hibernated = false;
};

class EventLoop {
 public:
  EventLoop(Role role, std::shared_ptr<const Config> config, EventHandlers handlers, EventOptions options)
      : role_(role), config_(std::move(config)), handlers_(std::move(handlers)), options_(std::move(options)),
        buf_(read_chunk) {
    if (config_->options.hibernate_after) hibernate_after_ = std::chrono::milliseconds(*config_->options.hibernate_after);
  }

  ~EventLoop() = default;

  Result<void, Error> init() {
    ep_ = tcp::Fd(::epoll_create1(EPOLL_CLOEXEC));
    if (!ep_.valid()) return fail(tcp::errno_error("epoll_create1", errno));
    wake_ = tcp::Fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!wake_.valid()) return fail(tcp::errno_error("eventfd", errno));
    if (!ctl(EPOLL_CTL_ADD, wake_.get(), EPOLLIN, wake_tag)) return fail(tcp::errno_error("epoll_ctl", errno));
    return {};
  }

  Result<void, Error> listen(uint16_t port) {
    SocketOptions sock;
    sock.ip = options_.ip;
    sock.reuseaddr = options_.reuseaddr;
    sock.reuseport = options_.reuseport;
    sock.backlog = options_.backlog;
    if (sock.ip.find(':') != std::string::npos) sock.family = SocketOptions::Family::inet6;
    auto fd = tcp::listen(sock, port);
    if (!fd) return fail(fd.error());
    listen_fd_ = std::move(fd).value();
    int flags = ::fcntl(listen_fd_.get(), F_GETFL);
    ::fcntl(listen_fd_.get(), F_SETFL, flags | O_NONBLOCK);
    auto name = tcp::sockname(listen_fd_.get());
    if (!name) return fail(name.error());
    port_ = name->port;
    if (!ctl(EPOLL_CTL_ADD, listen_fd_.get(), EPOLLIN, listen_tag)) return fail(tcp::errno_error("epoll_ctl", errno));
    accepting_ = true;
    return {};
  }

  uint16_t port() const { return port_; }
  size_t connections() const { return count_.load(std::memory_order_relaxed); }
  size_t hibernated() const { return hibernated_count_.load(std::memory_order_relaxed); }

  void stop() {
    stop_.store(true);
    uint64_t one = 1;
    (void)!::write(wake_.get(), &one, sizeof one);
  }

  Result<void, Error> run() {
    std::vector<epoll_event> events(256);
    while (!stop_.load()) {
      const int n = ::epoll_wait(ep_.get(), events.data(), int(events.size()), next_timeout_ms());
      if (n < 0 && errno != EINTR) return fail(tcp::errno_error("epoll_wait", errno));
      for (int i = 0; i < n; ++i) dispatch(events[size_t(i)]);
      expire_timers(Clock::now());
      settle();
    }
    stop_.store(false);
    return {};
  }

  Res<uint64_t> connect(const std::string& host, uint16_t port) {
    if (conns_.size() >= options_.max_connections)
      return fail(Error::transport("max_connections (" + std::to_string(options_.max_connections) + ") reached"));
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo* res = nullptr;
    std::string name = host;
    if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
    const std::string service = std::to_string(port);
    if (int rc = ::getaddrinfo(name.c_str(), service.c_str(), &hints, &res); rc != 0 || !res)
      return fail(Error::transport("getaddrinfo " + host + ": " + ::gai_strerror(rc)));
    sockaddr_storage ss{};
    std::memcpy(&ss, res->ai_addr, res->ai_addrlen);
    const socklen_t len = res->ai_addrlen;
    const int family = res->ai_family;
    ::freeaddrinfo(res);

    tcp::Fd fd(::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return fail(tcp::errno_error("socket", errno));
    tcp::set_nodelay(fd.get(), true);
    bool connected = true;
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      if (errno != EINPROGRESS) return fail(tcp::errno_error("connect", errno));
      connected = false;
    }
    // Client sessions are keyed by the host and port as given (the spec's {{Host, Port}, SessionId}).
    EventConn& c = add(std::move(fd), PeerId{host, port});
    if (auto a = address_of(ss)) c.peer = *a;
    if (connected) {
      start_client(c);
    } else {
      c.state = EventConn::State::connecting;
      watch(c, EPOLLOUT);
    }
    return c.id;
  }

  // ---- Connection's functions ----

  Result<void, Error> send(EventConn& c, std::span<const uint8_t> data) {
    if (c.state != EventConn::State::open) return fail(Error::closed());
    if (data.empty()) return {};
    if (auto r = c.engine->send(codec::ByteView(data.data(), data.size())); !r) return r;
    touch(c);
    mark_dirty(c);
    return {};
  }

  void close(EventConn& c) {
    if (c.state != EventConn::State::open && c.state != EventConn::State::handshaking) return;
    c.engine->close();
    begin_closing(c);
    report(c, std::nullopt);
  }

  Res<ConnectionInfo> info(const EventConn& c) const {
    if (!c.engine || !c.engine->handshake_done()) return fail(Error::closed());
    return c.engine->info();
  }

 private:
  bool ctl(int op, int fd, uint32_t events, uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    return ::epoll_ctl(ep_.get(), op, fd, &ev) == 0;
  }

  void watch(EventConn& c, uint32_t events) {
    if (events == c.events) return;
    ctl(EPOLL_CTL_MOD, c.fd.get(), events, c.id);
    c.events = events;
  }

  EventConn& add(tcp::Fd fd, PeerId peer) {
    auto owned = std::make_unique<EventConn>(*this);
    EventConn& c = *owned;
    c.id = next_id_++;
    c.fd = std::move(fd);
    c.engine = std::make_unique<Engine>(config_, std::move(peer));
    ctl(EPOLL_CTL_ADD, c.fd.get(), EPOLLIN, c.id);
    handshake_timers_.emplace_back(Clock::now() + options_.handshake_timeout, c.id);
    touch(c);
    conns_.emplace(c.id, std::move(owned));
    count_.store(conns_.size(), std::memory_order_relaxed);
    return c;
  }

  void start_client(EventConn& c) {
    c.state = EventConn::State::handshaking;
    c.engine->start();
    mark_dirty(c);
  }

  void mark_dirty(EventConn& c) {
    if (c.dirty) return;
    c.dirty = true;
    dirty_.push_back(c.id);
  }

  void report(EventConn& c, std::optional<Error> e) {
    if (c.reported) return;
    c.reported = true;
    if (e) detail::log_alert(role_, config_->options.log_alert, *e);
    reports_.emplace_back(c.id, std::move(e));
  }

  EventConn* find(uint64_t id) {
    auto it = conns_.find(id);
    return it == conns_.end() ? nullptr : it->second.get();
  }

  // ---- events ----

  void dispatch(const epoll_event& ev) {
    if (ev.data.u64 == wake_tag) {
      uint64_t v;
      (void)!::read(wake_.get(), &v, sizeof v);
      return;
    }
    if (ev.data.u64 == listen_tag) return accept_some();
    EventConn* c = find(ev.data.u64);
    if (!c || c->state == EventConn::State::gone) return;
    if (c->state == EventConn::State::connecting) {
      int err = 0;
      socklen_t elen = sizeof err;
      ::getsockopt(c->fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen);
      if (err != 0) return drop(*c, tcp::errno_error("connect", err));
      if (!(ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      watch(*c, EPOLLIN);
      return start_client(*c);
    }
    if (ev.events & (EPOLLIN | EPOLLHUP | EPOLLERR)) readable(*c);
    if ((ev.events & EPOLLOUT) && c->state != EventConn::State::gone) flush(*c);
  }

  void accept_some() {
    for (int i = 0; i < accepts_per_event; ++i) {
      if (conns_.size() >= options_.max_connections) return pause_accepting(std::nullopt);
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      const int fd = ::accept4(listen_fd_.get(), reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        // Out of descriptors (EMFILE, ENFILE) or memory, or anything else: the pending connection stays
        // in the backlog; try again a little later rather than being woken for it at once, over and over.
        return pause_accepting(Clock::now() + accept_pause);
      }
      tcp::set_nodelay(fd, true);
      PeerId peer;
      Address a;
      if (auto addr = address_of(ss)) a = *addr;
      peer.host = a.ip;
      peer.port = a.port;
      // Server sessions are keyed by the listen port (the spec's {Port, SessionId}).
      peer.local_port = port_;
      EventConn& c = add(tcp::Fd(fd), std::move(peer));
      c.peer = std::move(a);
    }
  }

  void pause_accepting(std::optional<Clock::time_point> until) {
    if (accepting_) {
      ctl(EPOLL_CTL_DEL, listen_fd_.get(), 0, listen_tag);
      accepting_ = false;
    }
    accept_resume_ = until;
  }

  void resume_accepting() {
    if (accepting_ || !listen_fd_.valid()) return;
    accept_resume_.reset();
    accepting_ = ctl(EPOLL_CTL_ADD, listen_fd_.get(), EPOLLIN, listen_tag);
  }

  void readable(EventConn& c) {
    for (int i = 0; i < reads_per_event; ++i) {
      const ssize_t n = ::recv(c.fd.get(), buf_.data(), buf_.size(), 0);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        return drop(c, tcp::errno_error("recv", errno));
      }
      if (n == 0) return end_of_input(c);
      if (c.state == EventConn::State::lingering || c.state == EventConn::State::closing) continue;
      touch(c);
      c.engine->feed(codec::ByteView(buf_.data(), size_t(n)));
      advance(c);
      if (c.state != EventConn::State::open && c.state != EventConn::State::handshaking) return;
      if (size_t(n) < buf_.size()) return;
    }
  }

  // What the engine made of the input: handshake done, data, the peer's close_notify, a fatal error.
  void advance(EventConn& c) {
    Engine& e = *c.engine;
    if (const auto& err = e.error()) return fail_with(c, *err);
    if (c.state == EventConn::State::handshaking && e.handshake_done()) {
      c.state = EventConn::State::open;
      if (handlers_.on_open) handlers_.on_open(c.pub);
    }
    while (c.state == EventConn::State::open && !e.app_data().empty()) {
      const auto data = e.app_data();
      const size_t n = data.size();
      if (handlers_.on_data) handlers_.on_data(c.pub, std::span<const uint8_t>(data.data(), n));
      e.consume_app_data(n);
    }
    if (e.peer_closed() && (c.state == EventConn::State::open || c.state == EventConn::State::handshaking)) {
      // RFC 5246 7.2.1: the engine has queued our close_notify in answer.
      const bool opened = c.state == EventConn::State::open;
      begin_closing(c);
      report(c, opened ? std::nullopt : std::optional<Error>(Error::closed()));
      return;
    }
    mark_dirty(c);
  }

  void end_of_input(EventConn& c) {
    if (c.state == EventConn::State::lingering || c.state == EventConn::State::closing) return close_now(c);
    c.engine->end_of_input();
    // A truncation (mid-handshake or mid-record) is `closed`; after a whole record, an orderly end.
    std::optional<Error> e = c.engine->error();
    if (!e && c.state != EventConn::State::open) e = Error::closed();
    (void)flush_once(c);
    close_now(c);
    report(c, std::move(e));
  }

  // A fatal alert (ours is in the engine's output) or a truncation.
  void fail_with(EventConn& c, const Error& e) {
    if (e.kind == Error::Kind::tls_alert && e.alert_sent) {
      // The spec: after sending a fatal alert, give the peer alert_timeout to read it and close.
      begin_closing(c);
    } else {
      (void)flush_once(c);
      close_now(c);
    }
    report(c, e);
  }

  // The descriptor goes at once (transport errors, timeouts).
  void drop(EventConn& c, Error e) {
    close_now(c);
    report(c, std::move(e));
  }

  void begin_closing(EventConn& c) {
    c.state = EventConn::State::closing;
    unlist_idle(c);
    mark_dirty(c);
  }

  void close_now(EventConn& c) {
    if (c.state == EventConn::State::gone) return;
    c.state = EventConn::State::gone;
    unlist_idle(c);
    c.fd.reset();  // also leaves the epoll set
    (void)c.engine->hibernate();
    gone_.push_back(c.id);
  }

  // One send of everything pending; false when the transport failed (the connection is gone then).
  bool flush_once(EventConn& c) {
    auto out = c.engine->pending_output();
    while (!out.empty()) {
      const ssize_t n = ::send(c.fd.get(), out.data(), out.size(), MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        drop(c, tcp::errno_error("send", errno));
        return false;
      }
      c.engine->consume_output(size_t(n));
      touch(c);
      out = c.engine->pending_output();
      if (!out.empty()) break;  // the kernel took less: the rest when it is writable
    }
    return true;
  }

  void flush(EventConn& c) {
    if (c.state == EventConn::State::gone || c.state == EventConn::State::connecting) return;
    if (!flush_once(c)) return;
    const size_t queued = c.engine->pending_output().size();
    const bool pending = queued > 0;
    // Backpressure: a peer that does not read what it asks for (an echo's sender that never reads) is
    // not read either while more than read_pause_bytes wait for it. Closing, it is read for its end.
    const bool paused = options_.read_pause_bytes > 0 && queued > options_.read_pause_bytes &&
                        (c.state == EventConn::State::open || c.state == EventConn::State::handshaking);
    watch(c, (paused ? 0u : uint32_t(EPOLLIN)) | (pending ? uint32_t(EPOLLOUT) : 0u));
    if (!pending && c.state == EventConn::State::closing) {
      tcp::shutdown_write(c.fd.get());
      c.state = EventConn::State::lingering;
      const int ms = config_->options.alert_timeout.value_or(int(default_alert_timeout.count()));
      linger_timers_.emplace_back(Clock::now() + std::chrono::milliseconds(ms), c.id);
    }
  }

  // ---- timers: two FIFO queues, each with one duration, so each is in deadline order. Entries of
  // connections that left the state they time are dropped when they reach the front. ----

  int next_timeout_ms() const {
    std::optional<Clock::time_point> next = accept_resume_;
    auto consider = [&](const std::deque<std::pair<Clock::time_point, uint64_t>>& q) {
      if (!q.empty() && (!next || q.front().first < *next)) next = q.front().first;
    };
    consider(handshake_timers_);
    consider(linger_timers_);
    if (awake_.head && (!next || awake_.head->active + release_after_ < *next)) next = awake_.head->active + release_after_;
    if (resting_.head && (!next || resting_.head->active + *hibernate_after_ < *next))
      next = resting_.head->active + *hibernate_after_;
    if (trim_due_ && (!next || *trim_due_ < *next)) next = trim_due_;
    if (!next) return -1;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(*next - Clock::now()).count();
    return int(std::clamp<int64_t>(ms, 0, 60000));
  }

  void expire_timers(Clock::time_point now) {
    while (!handshake_timers_.empty()) {
      const auto [when, id] = handshake_timers_.front();
      EventConn* c = find(id);
      const bool pending = c && (c->state == EventConn::State::connecting || c->state == EventConn::State::handshaking);
      if (pending && when > now) break;
      handshake_timers_.pop_front();
      if (pending) drop(*c, Error::timeout());
    }
    while (!linger_timers_.empty()) {
      const auto [when, id] = linger_timers_.front();
      EventConn* c = find(id);
      const bool pending = c && c->state == EventConn::State::lingering;
      if (pending && when > now) break;
      linger_timers_.pop_front();
      if (pending) close_now(*c);
    }
    if (accept_resume_ && *accept_resume_ <= now) resume_accepting();
    hibernate_idle(now);
  }

  // ---- Idle connections. A busy connection keeps its buffers (no allocation per record); one idle for
  // release_after_ gives back those that hold nothing, and with hibernate_after one idle that long
  // hibernates. Each step has one duration for every connection, so a list in the order of their last
  // activity is in deadline order too: a touch moves a connection to the back of `awake_`, the front is
  // the next one due; released connections wait in `resting_` for hibernate_after. Only connections that
  // are handshaking or open are listed. ----

  static void list_push(IdleList& l, EventConn& c) {
    c.idle_prev = l.tail;
    c.idle_next = nullptr;
    if (l.tail) l.tail->idle_next = &c;
    else l.head = &c;
    l.tail = &c;
    c.idle_in = &l;
  }

  static void list_remove(EventConn& c) {
    if (!c.idle_in) return;
    IdleList& l = *c.idle_in;
    if (c.idle_prev) c.idle_prev->idle_next = c.idle_next;
    else l.head = c.idle_next;
    if (c.idle_next) c.idle_next->idle_prev = c.idle_prev;
    else l.tail = c.idle_prev;
    c.idle_prev = c.idle_next = nullptr;
    c.idle_in = nullptr;
  }

  void touch(EventConn& c) {
    wake(c);
    if (c.state != EventConn::State::handshaking && c.state != EventConn::State::open) return;
    c.active = Clock::now();
    list_remove(c);
    list_push(awake_, c);
  }

  void wake(EventConn& c) {
    if (c.hibernated) {
      c.hibernated = false;
      hibernated_count_.fetch_sub(1, std::memory_order_relaxed);
    }
  }

  void unlist_idle(EventConn& c) {
    wake(c);
    list_remove(c);
  }

  // True when nothing of `c` is under way: open, nothing queued or waiting for the peer.
  static bool quiet(const EventConn& c) {
    return (c.state == EventConn::State::open || c.state == EventConn::State::handshaking) && !c.dirty &&
           c.engine->pending_output().empty();
  }

  bool hibernate(EventConn& c) {
    if (c.state != EventConn::State::open || !c.engine->hibernate()) return false;
    c.hibernated = true;
    hibernated_count_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // A connection that is not quiet when its time comes leaves the list; its next activity lists it again.
  void hibernate_idle(Clock::time_point now) {
    size_t freed = 0;
    while (awake_.head && awake_.head->active + release_after_ <= now) {
      EventConn& c = *awake_.head;
      list_remove(c);
      if (!quiet(c)) continue;
      if (hibernate_after_ && *hibernate_after_ <= release_after_) {
        freed += hibernate(c) ? 1 : 0;
        continue;
      }
      c.engine->release_buffers();
      ++freed;
      if (hibernate_after_) list_push(resting_, c);
    }
    while (hibernate_after_ && resting_.head && resting_.head->active + *hibernate_after_ <= now) {
      EventConn& c = *resting_.head;
      list_remove(c);
      if (quiet(c)) freed += hibernate(c) ? 1 : 0;
    }
    if (freed > 0) trim_due_ = trim_due_.value_or(last_trim_ ? *last_trim_ + trim_every() : now);
    if (trim_due_ && *trim_due_ <= now) {
      trim_due_.reset();
      last_trim_ = now;
      give_back_heap();
    }
  }

  // What idle connections free is mostly in the middle of the heap, where the allocator keeps it
  // resident: its pages go back to the system after connections released or hibernated, at most once per
  // second (and per hibernate_after), since that walks the whole heap.
  Clock::duration trim_every() const {
    return std::max<Clock::duration>(hibernate_after_.value_or(Clock::duration::zero()), std::chrono::seconds(1));
  }

  static void give_back_heap() {
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
  }

  // After each batch of events: write what the handlers queued, report the ends, free what is gone.
  // Handlers called here may queue more; the loop goes on until nothing is left.
  void settle() {
    while (!dirty_.empty() || !reports_.empty()) {
      std::vector<uint64_t> dirty;
      dirty.swap(dirty_);
      for (uint64_t id : dirty) {
        if (EventConn* c = find(id)) {
          c->dirty = false;
          flush(*c);
        }
      }
      std::deque<std::pair<uint64_t, std::optional<Error>>> reports;
      reports.swap(reports_);
      for (auto& [id, e] : reports) {
        if (EventConn* c = find(id); c && handlers_.on_closed) handlers_.on_closed(c->pub, e);
      }
    }
    for (uint64_t id : gone_) {
      auto it = conns_.find(id);
      if (it == conns_.end()) continue;
      // Every connection is reported before it goes (close_now always comes with a report or after one).
      conns_.erase(it);
    }
    gone_.clear();
    count_.store(conns_.size(), std::memory_order_relaxed);
    if (!accepting_ && !accept_resume_ && listen_fd_.valid() && conns_.size() < options_.max_connections)
      resume_accepting();
  }

  const Role role_;
  const std::shared_ptr<const Config> config_;
  const EventHandlers handlers_;
  const EventOptions options_;
  tcp::Fd ep_, wake_, listen_fd_;
  uint16_t port_ = 0;
  bool accepting_ = false;
  std::optional<Clock::time_point> accept_resume_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> count_{0};
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<EventConn>> conns_;
  std::vector<uint64_t> dirty_, gone_;
  std::deque<std::pair<uint64_t, std::optional<Error>>> reports_;
  std::deque<std::pair<Clock::time_point, uint64_t>> handshake_timers_, linger_timers_;
  std::vector<uint8_t> buf_;
  std::optional<Clock::duration> hibernate_after_;
  IdleList awake_, resting_;
  // How long a connection is idle before it gives back its empty buffers.
  static constexpr Clock::duration release_after_ = std::chrono::milliseconds(200);
  std::atomic<size_t> hibernated_count_{0};
  std::optional<Clock::time_point> last_trim_, trim_due_;
};

namespace {

Result<void, Error> validate(const EventOptions& o) {
  using namespace std::chrono_literals;
  if (o.handshake_timeout < 1ms || o.handshake_timeout > 24h)
    return fail(Error::options("handshake_timeout", "must be 1 to 86400000 milliseconds, got " +
                                                        std::to_string(o.handshake_timeout.count())));
  if (o.max_connections < 1) return fail(Error::options("max_connections", "must be at least 1, got 0"));
  if (o.backlog < 1)
    return fail(Error::options("backlog", "must be at least 1, got " + std::to_string(o.backlog)));
  return {};
}

Res<std::unique_ptr<EventLoop>> make_loop(Role role, const Options& options, EventHandlers handlers,
                                          const EventOptions& event_options) {
  if (auto v = validate(event_options); !v) return fail(v.error());
  auto store = session_store(role);
  if (!store) return fail(store.error());
  auto cfg = make_config(role, options, std::move(store).value());
  if (!cfg) return fail(cfg.error());
  auto loop = std::make_unique<EventLoop>(role, std::move(cfg).value(), std::move(handlers), event_options);
  if (auto r = loop->init(); !r) return fail(r.error());
  return loop;
}

}  // namespace
}  // namespace detail

// ---- Connection ----

uint64_t Connection::id() const { return c_->id; }
const Address& Connection::peername() const { return c_->peer; }
Result<void, Error> Connection::send(std::span<const uint8_t> data) { return c_->loop.send(*c_, data); }
Result<void, Error> Connection::send(std::string_view data) {
  return send(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}
void Connection::close() { c_->loop.close(*c_); }
size_t Connection::queued() const {
  return c_->state == detail::EventConn::State::gone ? 0 : c_->engine->pending_output().size();
}
bool Connection::is_open() const { return c_->state == detail::EventConn::State::open; }
Res<ConnectionInfo> Connection::connection_information() const { return c_->loop.info(*c_); }

// ---- EventServer ----

EventServer::EventServer(std::unique_ptr<detail::EventLoop> loop) : loop_(std::move(loop)) {}
EventServer::EventServer(EventServer&&) noexcept = default;
EventServer& EventServer::operator=(EventServer&&) noexcept = default;
EventServer::~EventServer() = default;

Res<EventServer> EventServer::listen(uint16_t port, const Options& options, EventHandlers handlers,
                                     const EventOptions& event_options) {
  auto loop = detail::make_loop(Role::server, options, std::move(handlers), event_options);
  if (!loop) return fail(loop.error());
  if (auto r = (*loop)->listen(port); !r) return fail(r.error());
  return EventServer(std::move(loop).value());
}

uint16_t EventServer::port() const { return loop_->port(); }
Result<void, Error> EventServer::run() { return loop_->run(); }
void EventServer::stop() { loop_->stop(); }
size_t EventServer::connections() const { return loop_->connections(); }
size_t EventServer::hibernated() const { return loop_->hibernated(); }

// ---- EventClient ----

EventClient::EventClient(std::unique_ptr<detail::EventLoop> loop) : loop_(std::move(loop)) {}
EventClient::EventClient(EventClient&&) noexcept = default;
EventClient& EventClient::operator=(EventClient&&) noexcept = default;
EventClient::~EventClient() = default;

Res<EventClient> EventClient::make(const Options& options, EventHandlers handlers, const EventOptions& event_options) {
  auto loop = detail::make_loop(Role::client, options, std::move(handlers), event_options);
  if (!loop) return fail(loop.error());
  return EventClient(std::move(loop).value());
}

Res<uint64_t> EventClient::connect(const std::string& host, uint16_t port) { return loop_->connect(host, port); }
Result<void, Error> EventClient::run() { return loop_->run(); }
void EventClient::stop() { loop_->stop(); }
size_t EventClient::connections() const { return loop_->connections(); }
size_t EventClient::hibernated() const { return loop_->hibernated(); }

}  // namespace essl
