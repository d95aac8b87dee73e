// Socket options and delivery: packet framing, active mode's reader thread and its events.
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>

#include "api/socket_impl.hpp"

namespace essl {

SocketOpts default_socket_opts() {
  SocketOpts o;
  o.active = Active(true);
  o.mode = Mode::list;
  o.packet = Packet::raw;
  o.header = 0;
  o.packet_size = 0;
  o.exit_on_close = true;
  o.nodelay = true;
  return o;
}

SocketOpts merge_socket_opts(const SocketOpts& base, const SocketOpts& given) {
  SocketOpts o = base;
  if (given.active) o.active = given.active;
  if (given.mode) o.mode = given.mode;
  if (given.packet) o.packet = given.packet;
  if (given.header) o.header = given.header;
  if (given.packet_size) o.packet_size = given.packet_size;
  if (given.exit_on_close) o.exit_on_close = given.exit_on_close;
  if (given.nodelay) o.nodelay = given.nodelay;
  return o;
}

Result<void, Error> validate_socket_opts(const SocketOpts& o) {
  if (o.active && o.active->kind() == Active::Kind::count && (o.active->n() < -32768 || o.active->n() > 32767))
    return fail(Error::options("active", "{active, N}: N must be in -32768..32767, got " + std::to_string(o.active->n())));
  if (o.packet) {
    switch (*o.packet) {
      case Packet::raw: case Packet::one: case Packet::two: case Packet::four: case Packet::line: break;
      default: return fail(Error::options("packet", "must be 0 (raw), 1, 2, 4 or line"));
    }
  }
  return {};
}

SocketOpts detail::upgrade_socket_opts(const Transport& t, const SocketOpts& given) {
  SocketOpts plain;
  if (auto o = t.getopts()) {
    if (o->active) plain.active = Active(*o->active);
    if (o->packet) plain.packet = Packet(*o->packet);
    if (o->mode) plain.mode = *o->mode;
    if (o->nodelay) plain.nodelay = o->nodelay;
  }
  return merge_socket_opts(merge_socket_opts(default_socket_opts(), plain), given);
}

namespace {

std::atomic<SocketId> next_socket_id{1};

size_t header_size(Packet p) {
  switch (p) {
    case Packet::one: return 1;
    case Packet::two: return 2;
    case Packet::four: return 4;
    default: return 0;
  }
}

}  // namespace

Socket::Impl::Impl() : id(next_socket_id++), owner(self()) {
  wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Socket::Impl::~Impl() {
  if (wake_fd >= 0) ::close(wake_fd);
}

void Socket::Impl::interrupt() {
  if (interrupted.exchange(true)) return;
  if (wake_fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd, &one, sizeof one);
  }
  cv.notify_all();
}

void Socket::Impl::clear_interrupt() {
  if (wake_fd >= 0) {
    uint64_t n = 0;
    [[maybe_unused]] auto r = ::read(wake_fd, &n, sizeof n);  // non-blocking: drains the count
  }
  interrupted = false;
}

void Socket::Impl::stop_reader() {
  reader_stop = true;
  cv.notify_all();
  if (!reader.joinable()) return;
  std::thread t = std::move(reader);
  if (t.get_id() == std::this_thread::get_id()) {
    // Called by the owner's handler on the reader thread: it ends when the handler returns.
    t.detach();
    return;
  }
  // The reader may be reading the transport: wake it.
  interrupt();
  mu.unlock();
  t.join();
  mu.lock();
}

void Socket::Impl::start_reader() {
  if (reader.joinable() || reader_stop || !connected() || opts.active->kind() == Active::Kind::off) return;
  // The thread keeps the Impl alive until it ends (the Socket may be destroyed from a handler).
  reader = std::thread([self = shared_from_this()] { self->reader_loop(); });
}

Res<std::optional<Data>> Socket::Impl::take_packet(size_t raw_length) {
  auto av = engine->app_data();
  const Packet packet = *opts.packet;
  const uint32_t limit = *opts.packet_size;
  size_t skip = 0, len = 0;
  if (packet == Packet::raw) {
    if (raw_length == 0 ? av.empty() : av.size() < raw_length) return std::optional<Data>();
    len = raw_length == 0 ? av.size() : raw_length;
  } else if (packet == Packet::line) {
    auto nl = std::find(av.begin(), av.end(), uint8_t('\n'));
    if (nl == av.end()) {
      if (limit && av.size() > limit) return fail(Error::other("emsgsize"));
      return std::optional<Data>();
    }
    len = size_t(nl - av.begin()) + 1;
    if (limit && len > limit) return fail(Error::other("emsgsize"));
  } else {
    skip = header_size(packet);
    if (av.size() < skip) return std::optional<Data>();
    for (size_t i = 0; i < skip; ++i) len = len << 8 | av[i];
    if (limit && len > limit) return fail(Error::other("emsgsize"));
    if (av.size() - skip < len) return std::optional<Data>();
  }
  std::vector<uint8_t> bytes(av.begin() + std::ptrdiff_t(skip), av.begin() + std::ptrdiff_t(skip + len));
  engine->consume_app_data(skip + len);
  const Mode mode = *opts.mode;
  return std::optional<Data>(Data(std::move(bytes), mode, mode == Mode::binary ? *opts.header : 0));
}

std::vector<Event> Socket::Impl::take_events() {
  std::vector<Event> out;
  auto event = [&](Event::Kind kind) {
    Event e;
    e.kind = kind;
    e.socket = id;
    return e;
  };
  while (!ended && connected() && opts.active->kind() != Active::Kind::off) {
    auto p = take_packet(0);
    if (!p) {
      Event e = event(Event::Kind::error);
      e.error = fail_with(p.error());
      out.push_back(std::move(e));
      ended = true;
      return out;
    }
    if (!*p) break;
    Event e = event(Event::Kind::data);
    e.data = std::move(**p);
    out.push_back(std::move(e));
    const Active a = *opts.active;
    if (a.kind() == Active::Kind::once) {
      opts.active = Active(false);
    } else if (a.kind() == Active::Kind::count) {
      opts.active = a.n() > 1 ? Active::count(a.n() - 1) : Active(false);
      if (a.n() <= 1) out.push_back(event(Event::Kind::passive));
    }
  }
  if (!out.empty() || ended || !engine || opts.active->kind() == Active::Kind::off) return out;
  // Nothing to deliver: has the connection ended?
  std::optional<Error> end;
  if (error) {
    end = *error;
  } else if (const auto& err = engine->error()) {
    end = fail_with(*err);
  } else if (engine->peer_closed() || eof || read_shut || interrupted || !open()) {
    answer_close();
    end = Error::closed();
  }
  if (!end) return out;
  ended = true;
  // The rest of a packet cut short is not delivered.
  engine->consume_app_data(engine->app_data().size());
  if (end->kind == Error::Kind::closed) {
    Event e = event(Event::Kind::closed);
    if (eof_first) e.transport_tag = cb_info.closed_tag;
    out.push_back(std::move(e));
  } else {
    Event e = event(Event::Kind::error);
    e.error = *end;
    if (end->kind == Error::Kind::transport) e.transport_tag = cb_info.error_tag;
    out.push_back(std::move(e));
  }
  return out;
}

void Socket::Impl::reader_loop() {
  std::unique_lock lock(mu);
  while (!reader_stop) {
    if (ended || !connected() || opts.active->kind() == Active::Kind::off) {
      cv.wait(lock);
      continue;
    }
    if (auto events = take_events(); !events.empty()) {
      Owner to = owner;
      lock.unlock();
      for (auto& e : events) to->deliver(std::move(e));
      lock.lock();
      continue;
    }
    // The engine's errors, eof and closes come back through take_events; a transport error ends here.
    if (auto r = pump(detail::Deadline()); !r && r.error().kind == Error::Kind::transport && !error)
      (void)fail_with(r.error());
  }
}

}  // namespace essl
